"""document/v1 visiting: every document of a cluster, a page at a time, across its nodes.

A visit walks the cluster's content nodes in distribution-key order, asking each for
pages (`VisitRequest`) until it has ``wantedDocumentCount`` documents or every node
is done. The continuation token given to the client encodes, per node not yet done,
that node's own continuation: url-safe base64 of compact JSON
``{"cluster": name, "nodes": [[key, token], ...]}``. With redundancy above 1 a
document is on several nodes; only the copy on its bucket's primary is returned, so
each document appears exactly once. Documents of other namespaces than the path's
are left out.

``bucketSpace=global`` visits only document types marked global and
``bucketSpace=default`` only the others (the vespa CLI visits both in turn).
With ``slices=N&sliceId=i`` only documents whose bucket id is i modulo N are returned,
so N clients visiting one slice each see every document exactly once.

Removing and updating by selection (``DELETE`` or ``PUT`` with an update body on
``/document/v1/{ns}/{type}/docid?selection=...&cluster=...``) visit a page and remove
or update each document found, answering with the count and the continuation.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from container.dispatch import ContentClient
from container.docapi.operations import DocumentAnswer, primary_node
from container.docapi.path import DocumentPath
from container.errors import BadDocumentRequestError
from vespid.bucket import bucket_of
from vespid.config import ContentClusterConfig, ContentNodeConfig
from vespid.document import DocumentId
from vespid.messages import (
    RemoveRequest,
    UpdateRequest,
    VisitedDocument,
    VisitReply,
    VisitRequest,
    WriteReply,
)

MAX_WANTED = 1024


@dataclass(frozen=True, slots=True)
class VisitParams:
    """The URL parameters of a visit."""

    selection: str | None = None
    wanted_document_count: int = 1
    continuation: str | None = None
    field_set: str = "[document]"
    include_removes: bool = False
    timeout: float = 180.0
    slices: int = 1
    """Split the corpus into this many disjoint slices (by bucket) ..."""
    slice_id: int = 0
    """... and visit only this one, so that clients can visit in parallel."""
    bucket_space: str | None = None
    """``global`` (document types marked global) or ``default`` (the others); None: both."""


def encode_progress(cluster: str, pending: list[tuple[int, str]]) -> str:
    """The client's continuation token for nodes not yet done."""
    raw = orjson.dumps({"cluster": cluster, "nodes": [list(p) for p in pending]})
    return base64.urlsafe_b64encode(raw).decode()


def decode_progress(token: str, cluster: ContentClusterConfig) -> list[tuple[int, str]]:
    """The per-node progress in ``token``.

    Raises:
        BadDocumentRequestError: for a token this container did not make for ``cluster``.
    """
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        pending = [(int(key), str(node_token)) for key, node_token in data["nodes"]]
        same_cluster = data["cluster"] == cluster.name
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise BadDocumentRequestError(f"Invalid continuation token '{token}'") from None
    if not same_cluster:
        raise BadDocumentRequestError(f"Continuation token '{token}' is for another cluster")
    return pending


class Visitor:
    """Runs visits over one shared `ContentClient`."""

    def __init__(self, client: ContentClient) -> None:
        self.client = client

    async def visit(
        self,
        path_id: str,
        path: DocumentPath,
        cluster: ContentClusterConfig,
        params: VisitParams,
    ) -> DocumentAnswer:
        """One page of a visit."""
        documents, token = await self._collect(path, cluster, params)
        body: dict[str, Any] = {
            "pathId": path_id,
            "documents": [_document_json(d) for d in documents],
            "documentCount": len(documents),
        }
        if token is not None:
            body["continuation"] = token
        return DocumentAnswer(200, body)

    async def remove_selected(
        self,
        path_id: str,
        path: DocumentPath,
        cluster: ContentClusterConfig,
        params: VisitParams,
    ) -> DocumentAnswer:
        """Remove one page of the documents a visit finds."""
        documents, token = await self._collect(path, cluster, params)
        for document in documents:
            request = RemoveRequest(document.id)
            await self._send(cluster, document.id, "remove", request, params)
        return _selection_answer(path_id, len(documents), token)

    async def update_selected(
        self,
        path_id: str,
        path: DocumentPath,
        cluster: ContentClusterConfig,
        params: VisitParams,
        update: Mapping[str, dict[str, Any]],
    ) -> DocumentAnswer:
        """Apply ``update`` (canonical, per document type) to one page of visited documents."""
        documents, token = await self._collect(path, cluster, params)
        for document in documents:
            fields = update.get(DocumentId.parse(document.id).doctype)
            if fields is not None:
                request = UpdateRequest(document.id, fields)
                await self._send(cluster, document.id, "update", request, params)
        return _selection_answer(path_id, len(documents), token)

    async def _send(
        self,
        cluster: ContentClusterConfig,
        doc_id: str,
        op: str,
        request: RemoveRequest | UpdateRequest,
        params: VisitParams,
    ) -> None:
        node = primary_node(cluster, DocumentId.parse(doc_id))
        await self.client.call(node, op, request, WriteReply, params.timeout)

    async def _collect(
        self, path: DocumentPath, cluster: ContentClusterConfig, params: VisitParams
    ) -> tuple[list[VisitedDocument], str | None]:
        if params.continuation:
            pending = decode_progress(params.continuation, cluster)
        else:
            pending = [(n.distribution_key, "") for n in sorted(cluster.nodes, key=_key)]
        nodes = {n.distribution_key: n for n in cluster.nodes}
        keep = _filter(path, cluster, params)
        documents: list[VisitedDocument] = []
        while pending and len(documents) < params.wanted_document_count:
            key, node_token = pending[0]
            node = nodes.get(key)
            if node is None:
                pending.pop(0)
                continue
            reply = await self._page(
                node, path, params, node_token, params.wanted_document_count - len(documents)
            )
            documents.extend(d for d in reply.documents if keep(d, key))
            if reply.continuation:
                pending[0] = (key, reply.continuation)
            else:
                pending.pop(0)
        return documents, encode_progress(cluster.name, pending) if pending else None

    async def _page(
        self,
        node: ContentNodeConfig,
        path: DocumentPath,
        params: VisitParams,
        token: str,
        wanted: int,
    ) -> VisitReply:
        request = VisitRequest(
            schema=path.doctype,
            selection=params.selection,
            field_set=params.field_set,
            wanted_document_count=wanted,
            continuation=token,
            include_removes=params.include_removes,
        )
        return await self.client.call(node, "visit", request, VisitReply, params.timeout)


def _selection_answer(path_id: str, count: int, token: str | None) -> DocumentAnswer:
    body: dict[str, Any] = {"pathId": path_id, "documentCount": count}
    if token is not None:
        body["continuation"] = token
    return DocumentAnswer(200, body)


def _key(node: ContentNodeConfig) -> int:
    return node.distribution_key


def _filter(
    path: DocumentPath, cluster: ContentClusterConfig, params: VisitParams
) -> Callable[[VisitedDocument, int], bool]:
    global_types = {t.name for t in cluster.document_types if t.global_}

    def keep(document: VisitedDocument, node_key: int) -> bool:
        doc_id = DocumentId.parse(document.id)
        if params.bucket_space is not None:
            is_global = doc_id.doctype in global_types
            if is_global != (params.bucket_space == "global"):
                return False
        if params.slices > 1:
            bucket = bucket_of(doc_id, cluster.distribution_bits)
            if bucket.id % params.slices != params.slice_id:
                return False
        if path.namespace is not None and doc_id.namespace != path.namespace:
            return False
        if path.number is not None and doc_id.number != path.number:
            return False
        if path.group is not None and doc_id.group != path.group:
            return False
        if cluster.redundancy > 1:
            return primary_node(cluster, doc_id).distribution_key == node_key
        return True

    return keep


def _document_json(document: VisitedDocument) -> dict[str, Any]:
    if document.removed:
        return {"remove": document.id}
    return {"id": document.id, "fields": document.fields or {}}
