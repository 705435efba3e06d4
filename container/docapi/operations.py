"""document/v1 single-document operations: put, update, remove, get.

Each operation checks the document against its schema (`vespid.document.validate_fields`
/ `validate_update`), finds the bucket's primary content node
(`vespid.bucket.bucket_of` + `vespid.distribution.ideal_nodes`: the first ideal node)
and sends it the operation. The container does not see the cluster state, so it
learns that a node is not Up by trying: when the primary cannot be reached, is not
ready, or says it is not the bucket's primary under its cluster state, the
operation goes to the next node in ideal order — the node Vespa's ideal state would
make primary once the first is marked down. A timeout is not retried elsewhere: the
operation may have been applied. Answers are Vespa's:
``{"pathId", "id"}`` on success (an update of a missing document included), plus
``fields`` for a get; a get of a missing document answers 404 with ``{"pathId", "id"}``.
Failures raise, and `container.http.errors` renders them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from container.dispatch import ContentClient, WriteBatcher
from container.docapi.body import DocumentBody
from container.errors import BackendCommunicationError, ContainerError, UnknownClusterError
from container.render import reformat_tensors
from vespid.bucket import bucket_of
from vespid.config import ContainerConfig, ContentClusterConfig, ContentNodeConfig, SchemaConfig
from vespid.distribution import ideal_nodes
from vespid.document import DocumentId, validate_fields, validate_update
from vespid.errors import (
    NodeNotReadyError,
    UnknownDocumentTypeError,
    VespidError,
    WrongDistributionError,
)
from vespid.messages import GetReply, GetRequest, WriteOperation

R = TypeVar("R")

_NOT_UP = (BackendCommunicationError, NodeNotReadyError, WrongDistributionError)
"""Failures that mean "this node is not the Up primary": try the next in ideal order."""

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
    nodes: tuple[ContentNodeConfig, ...]
    """Every node of the cluster in the bucket's ideal order; the first is the primary."""

    @property
    def primary(self) -> ContentNodeConfig:
        """The bucket's primary when every node is Up."""
        return self.nodes[0]


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
            raise UnknownClusterError(_no_such_cluster(config, cluster_name))
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


def _no_such_cluster(config: ContainerConfig, name: str) -> str:
    """Vespa's message, which the vespa CLI parses to discover the clusters (``cluster=*``)."""
    names = "', '".join(c.name for c in config.content_clusters)
    return f"Your Vespa deployment has no content cluster '{name}', only '{names}'"


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
    return Target(schema, cluster, ideal_order(cluster, doc_id))


def ideal_order(cluster: ContentClusterConfig, doc_id: DocumentId) -> tuple[ContentNodeConfig, ...]:
    """Every node that can hold the document's bucket, best first.

    Raises:
        BackendCommunicationError: the cluster has no node that can store documents.
    """
    bucket = bucket_of(doc_id, cluster.distribution_bits)
    keys = ideal_nodes(
        bucket, cluster.nodes, len(cluster.nodes), distribution_bits=cluster.distribution_bits
    )
    if not keys:
        raise BackendCommunicationError(
            f"Content cluster '{cluster.name}' has no nodes to store in"
        )
    by_key = {n.distribution_key: n for n in cluster.nodes}
    return tuple(by_key[k] for k in keys)


def primary_node(cluster: ContentClusterConfig, doc_id: DocumentId) -> ContentNodeConfig:
    """The first ideal node of the document's bucket (its primary when all nodes are Up)."""
    return ideal_order(cluster, doc_id)[0]


class DocumentApi:
    """The single-document operations over one shared `ContentClient`."""

    def __init__(self, client: ContentClient) -> None:
        self.client = client
        self.batcher = WriteBatcher(client)

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
        operation = WriteOperation(
            "put", str(doc_id), fields, params.condition or body.condition, _create(params, body)
        )
        return await self._write(target, operation, path_id, doc_id, params)

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
        operation = WriteOperation(
            "update", str(doc_id), update, params.condition or body.condition, _create(params, body)
        )
        return await self._write(target, operation, path_id, doc_id, params)

    async def remove(
        self, config: ContainerConfig, path_id: str, doc_id: DocumentId, params: DocumentParams
    ) -> DocumentAnswer:
        """Remove the document; removing a missing document is not an error."""
        target = locate(config, doc_id, params.cluster)
        operation = WriteOperation("remove", str(doc_id), condition=params.condition)
        return await self._write(target, operation, path_id, doc_id, params)

    async def get(
        self, config: ContainerConfig, path_id: str, doc_id: DocumentId, params: DocumentParams
    ) -> DocumentAnswer:
        """The document's fields in ``fieldSet``; 404 when it does not exist."""
        target = locate(config, doc_id, params.cluster)
        field_set = params.field_set or f"{doc_id.doctype}:[document]"
        request = GetRequest(str(doc_id), field_set)
        reply, node = await self._send(target, "get", request, GetReply, params)
        if not reply.found:
            return DocumentAnswer(404, {"pathId": path_id, "id": str(doc_id)})
        answer = _ok(path_id, doc_id, _trace(target, node, "get", params))
        answer.body["fields"] = reformat_tensors(
            target.schema, reply.fields or {}, params.tensor_format
        )
        return answer

    async def _write(
        self,
        target: Target,
        operation: WriteOperation,
        path_id: str,
        doc_id: DocumentId,
        params: DocumentParams,
    ) -> DocumentAnswer:
        """Send the write in the node's next batch, to the first Up node in ideal order."""
        node = target.primary
        if not params.dry_run:
            node = await self._first_up(
                target, lambda n: self.batcher.write(n, operation, params.timeout)
            )
        return _ok(path_id, doc_id, _trace(target, node, operation.op, params))

    async def _send(
        self, target: Target, op: str, request: Any, reply_type: type[R], params: DocumentParams
    ) -> tuple[R, ContentNodeConfig]:
        """Send ``request`` to the first node in ideal order that is Up."""
        replies: list[R] = []

        async def call(node: ContentNodeConfig) -> None:
            replies.append(await self.client.call(node, op, request, reply_type, params.timeout))

        node = await self._first_up(target, call)
        return replies[0], node

    async def _first_up(
        self, target: Target, call: Callable[[ContentNodeConfig], Awaitable[object]]
    ) -> ContentNodeConfig:
        """Run ``call`` on the first node in ideal order that is Up; see the module docstring."""
        failure: VespidError | ContainerError | None = None
        for node in target.nodes:
            try:
                await call(node)
            except _NOT_UP as e:
                failure = e
            else:
                return node
        assert failure is not None, "ideal_order returns at least one node"
        raise failure


@dataclass(frozen=True, slots=True)
class DocumentParams:
    """The URL parameters of a document operation."""

    timeout: float = DEFAULT_TIMEOUT
    condition: str | None = None
    create: bool | None = None
    cluster: str | None = None
    field_set: str | None = None
    tensor_format: str = "short"
    """``format.tensors``: how a GET renders tensor fields."""
    dry_run: bool = False
    """Validate and route, but send nothing (Vespa's ``dryRun``)."""
    trace_level: int = 0
    """Above 0, answers carry a ``trace`` naming the node the operation went to."""


def _create(params: DocumentParams, body: DocumentBody) -> bool:
    if params.create is not None:
        return params.create
    return bool(body.create)


def _trace(
    target: Target, node: ContentNodeConfig, op: str, params: DocumentParams
) -> list[dict[str, str]] | None:
    if params.trace_level <= 0:
        return None
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
