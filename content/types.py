"""Small value types shared by the content node's libraries and the node that composes them."""

from __future__ import annotations

from typing import NewType

LocalDocId = NewType("LocalDocId", int)
"""A document's dense local id on this node (0, 1, 2, ...), reused after a remove."""

SerialNum = NewType("SerialNum", int)
"""The position of an operation in the transaction log; the first record is 1."""

Timestamp = NewType("Timestamp", int)
"""A document version's timestamp: microseconds since the epoch, unique per node."""

Generation = NewType("Generation", int)
"""A config generation (the active session id of the application)."""
