"""document/v1 single-document operations: put, update, remove, get.

Each operation checks the document against its schema (`vespid.document.validate_fields`
/ `validate_update`), finds the bucket's primary content node
(`vespid.bucket.bucket_of` + `vespid.distribution.ideal_nodes`, the first ideal node,
as every node is taken to be Up) and sends it the operation. Answers are Vespa's:
``{"pathId", "id"}`` on success (an update of a missing document included), plus
``fields`` for a get; a get of a missing document answers 404 with ``{"pathId", "id"}``.
Failures raise, and `container.http.errors` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from container.dispatch import ContentClient
from container.docapi.body import DocumentBody
from container.errors import BackendCommunicationError, UnknownClusterError
from vespid.bucket import bucket_of
from vespid.config import ContainerConfig, ContentClusterConfig, ContentNodeConfig, SchemaConfig
from vespid.distribution import ideal_nodes
from vespid.document import DocumentId, validate_fields, validate_update
from vespid.errors import UnknownDocumentTypeError
from vespid.messages import (
    GetReply,
    GetRequest,
    PutRequest,
    RemoveRequest,
    UpdateRequest,
    WriteReply,
)

DEFAULT_TIMEOUT = 180.0
"""Seconds; Vespa's default for document operations."""


@dataclass(frozen=True, slots=True)
class DocumentAnswer:
    """An HTTP status and the JSON body to send."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Target:
    """Where a document lives: its schema, cluster and the bucket's primary node."""

    schema: SchemaConfig
    cluster: ContentClusterConfig
    primary: ContentNodeConfig


def resolve_cluster(
    config: ContainerConfig, doctype: str | None, cluster_name: str | None
) -> ContentClusterConfig:
    """The content cluster for ``doctype`` and/or the ``cluster`` parameter.

    Raises:
        UnknownClusterError: the named cluster does not exist or does not hold ``doctype``,
            or no cluster was named and it is ambiguous.
        UnknownDocumentTypeError: no cluster stores ``doctype``.
    """
    if cluster_name is not None:
        cluster = next((c for c in config.content_clusters if c.name == cluster_name), None)
        if cluster is None:
            raise UnknownClusterError(
                f"Your Vespa deployment has no content cluster '{cluster_name}'"
            )
        if doctype is not None and all(t.name != doctype for t in cluster.document_types):
            raise UnknownClusterError(
                f"Content cluster '{cluster_name}' has no document type '{doctype}'"
            )
        return cluster
    if doctype is not None:
        found = config.cluster_for_document_type(doctype)
        if found is None:
            raise UnknownDocumentTypeError(f"Document type {doctype} does not exist")
        return found
    if len(config.content_clusters) != 1:
        raise UnknownClusterError(
            "Please specify 'cluster': the application has several content clusters"
        )
    return config.content_clusters[0]


def locate(config: ContainerConfig, doc_id: DocumentId, cluster_name: str | None) -> Target:
    """The schema, cluster and primary node of ``doc_id``.

    Raises:
        UnknownDocumentTypeError: the application has no such document type.
        UnknownClusterError: a ``cluster`` parameter that does not fit.
        BackendCommunicationError: the cluster has no content nodes.
    """
    schema = config.schema(doc_id.doctype)
    if schema is None:
        raise UnknownDocumentTypeError(f"Document type {doc_id.doctype} does not exist")
    cluster = resolve_cluster(config, doc_id.doctype, cluster_name)
    return Target(schema, cluster, primary_node(cluster, doc_id))


def primary_node(cluster: ContentClusterConfig, doc_id: DocumentId) -> ContentNodeConfig:
    """The first ideal node of the document's bucket."""
    bucket = bucket_of(doc_id, cluster.distribution_bits)
    keys = ideal_nodes(
        bucket,
        cluster.nodes,
        max(cluster.redundancy, 1),
        distribution_bits=cluster.distribution_bits,
    )
    if not keys:
        raise BackendCommunicationError(
            f"Content cluster '{cluster.name}' has no nodes to store in"
        )
    return next(n for n in cluster.nodes if n.distribution_key == keys[0])


class DocumentApi:
    """The single-document operations over one shared `ContentClient`."""

    def __init__(self, client: ContentClient) -> None:
        self.client = client

    async def put(
        self,
        config: ContainerConfig,
        path_id: str,
        doc_id: DocumentId,
        body: DocumentBody,
        params: DocumentParams,
    ) -> DocumentAnswer:
        """Store the whole document."""
        target = locate(config, doc_id, params.cluster)
        fields = validate_fields(target.schema, body.fields)
        request = PutRequest(
            str(doc_id), fields, params.condition or body.condition, _create(params, body)
        )
        return await self._write(target, "put", request, path_id, doc_id, params)

    async def update(
        self,
        config: ContainerConfig,
        path_id: str,
        doc_id: DocumentId,
        body: DocumentBody,
        params: DocumentParams,
    ) -> DocumentAnswer:
        """Apply partial updates; ``create=true`` makes a missing document first."""
        target = locate(config, doc_id, params.cluster)
        update = validate_update(target.schema, body.fields)
        request = UpdateRequest(
            str(doc_id), update, params.condition or body.condition, _create(params, body)
        )
        return await self._write(target, "update", request, path_id, doc_id, params)

    async def remove(
        self, config: ContainerConfig, path_id: str, doc_id: DocumentId, params: DocumentParams
    ) -> DocumentAnswer:
        """Remove the document; removing a missing document is not an error."""
        target = locate(config, doc_id, params.cluster)
        request = RemoveRequest(str(doc_id), params.condition)
        return await self._write(target, "remove", request, path_id, doc_id, params)

    async def get(
        self, config: ContainerConfig, path_id: str, doc_id: DocumentId, params: DocumentParams
    ) -> DocumentAnswer:
        """The document's fields in ``fieldSet``; 404 when it does not exist."""
        target = locate(config, doc_id, params.cluster)
        field_set = params.field_set or f"{doc_id.doctype}:[document]"
        request = GetRequest(str(doc_id), field_set)
        reply = await self.client.call(target.primary, "get", request, GetReply, params.timeout)
        if not reply.found:
            return DocumentAnswer(404, {"pathId": path_id, "id": str(doc_id)})
        answer = _ok(path_id, doc_id, _trace(target, "get", params))
        answer.body["fields"] = reply.fields or {}
        return answer

    async def _write(
        self,
        target: Target,
        op: str,
        request: PutRequest | UpdateRequest | RemoveRequest,
        path_id: str,
        doc_id: DocumentId,
        params: DocumentParams,
    ) -> DocumentAnswer:
        if not params.dry_run:
            await self.client.call(target.primary, op, request, WriteReply, params.timeout)
        return _ok(path_id, doc_id, _trace(target, op, params))


@dataclass(frozen=True, slots=True)
class DocumentParams:
    """The URL parameters of a document operation."""

    timeout: float = DEFAULT_TIMEOUT
    condition: str | None = None
    create: bool | None = None
    cluster: str | None = None
    field_set: str | None = None
    dry_run: bool = False
    """Validate and route, but send nothing (Vespa's ``dryRun``)."""
    trace_level: int = 0
    """Above 0, answers carry a ``trace`` naming the node the operation went to."""


def _create(params: DocumentParams, body: DocumentBody) -> bool:
    if params.create is not None:
        return params.create
    return bool(body.create)


def _trace(target: Target, op: str, params: DocumentParams) -> list[dict[str, str]] | None:
    if params.trace_level <= 0:
        return None
    node = target.primary
    where = f"content node {node.distribution_key} ({node.host}:{node.port})"
    action = "Validated (dry run), not sent" if params.dry_run else f"Sent {op}"
    return [{"message": f"{action} to {where} of cluster '{target.cluster.name}'"}]


def _ok(
    path_id: str, doc_id: DocumentId, trace: list[dict[str, str]] | None = None
) -> DocumentAnswer:
    body: dict[str, Any] = {"pathId": path_id, "id": str(doc_id)}
    if trace is not None:
        body["trace"] = trace
    return DocumentAnswer(200, body)
