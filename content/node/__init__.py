"""The content node: composes the transaction log, document store, bucket database and
search indexes, and answers the content node API's requests."""

from __future__ import annotations

from content.node.collector import settle_long_lived_objects
from content.node.documents import DocumentDatabase, StorageOptions
from content.node.node import ContentNode

__all__ = ["ContentNode", "DocumentDatabase", "StorageOptions", "settle_long_lived_objects"]
