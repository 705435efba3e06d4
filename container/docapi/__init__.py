"""document/v1: single-document operations and visits, routed to content nodes.

Pure request logic over `container.dispatch.ContentClient`; the HTTP layer in
`container.http` reads requests and writes the answers.
"""

from __future__ import annotations

from container.docapi.body import DocumentBody, decode_content, read_body
from container.docapi.operations import (
    DEFAULT_TIMEOUT,
    DocumentAnswer,
    DocumentApi,
    DocumentParams,
    locate,
    primary_node,
    resolve_cluster,
)
from container.docapi.path import PREFIX, DocumentPath, parse_document_path
from container.docapi.visit import (
    MAX_WANTED,
    Visitor,
    VisitParams,
    decode_progress,
    encode_progress,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_WANTED",
    "PREFIX",
    "DocumentAnswer",
    "DocumentApi",
    "DocumentBody",
    "DocumentParams",
    "DocumentPath",
    "VisitParams",
    "Visitor",
    "decode_content",
    "decode_progress",
    "encode_progress",
    "locate",
    "parse_document_path",
    "primary_node",
    "read_body",
    "resolve_cluster",
]
