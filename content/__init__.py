"""The content node: stores documents in buckets and does matching and ranking."""
