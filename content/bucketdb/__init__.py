"""The bucket database: per bucket, its documents, their count and a checksum.

Replicas compare `BucketInfo` to find out whether a bucket needs merging; visiting walks
buckets in Vespa's bucket-key order.
"""

from __future__ import annotations

from content.bucketdb.database import BucketDatabase, BucketEntry, BucketInfo
from content.bucketdb.locate import bucket_at, full_bucket, locate

__all__ = ["BucketDatabase", "BucketEntry", "BucketInfo", "bucket_at", "full_bucket", "locate"]
