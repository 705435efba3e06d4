"""The config documents each kind of service subscribes to, one per kind.

Each carries the generation it belongs to (the active session id, which only grows).
Services receive these; they never read application packages (STYLE.md B1 rule 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from vespid.config._codec import from_data, to_data
from vespid.config.cluster import ContainerClusterConfig, ContentClusterConfig
from vespid.config.schema import SchemaConfig

C = TypeVar("C", bound="_ConfigDocument")


class _ConfigDocument:
    """JSON round trip shared by every config document."""

    def to_json(self) -> dict[str, Any]:
        """Return this document as JSON-compatible data."""
        data: dict[str, Any] = to_data(self)
        return data

    @classmethod
    def from_json(cls: type[C], data: Any) -> C:
        """Build the document from :meth:`to_json` output."""
        return from_data(cls, data)


@dataclass(frozen=True, slots=True)
class ContentConfig(_ConfigDocument):
    """What a content node needs: its cluster, the cluster's schemas."""

    generation: int
    clusters: tuple[ContentClusterConfig, ...] = ()
    schemas: tuple[SchemaConfig, ...] = ()

    def cluster(self, name: str) -> ContentClusterConfig | None:
        """Return the content cluster called ``name``, or None."""
        return next((c for c in self.clusters if c.name == name), None)

    def schema(self, name: str) -> SchemaConfig | None:
        """Return the schema called ``name``, or None."""
        return next((s for s in self.schemas if s.name == name), None)


@dataclass(frozen=True, slots=True)
class ContainerConfig(_ConfigDocument):
    """What a container needs: container clusters, content clusters to route to, schemas."""

    generation: int
    containers: tuple[ContainerClusterConfig, ...] = ()
    content_clusters: tuple[ContentClusterConfig, ...] = ()
    schemas: tuple[SchemaConfig, ...] = ()

    def schema(self, name: str) -> SchemaConfig | None:
        """Return the schema called ``name``, or None."""
        return next((s for s in self.schemas if s.name == name), None)

    def cluster_for_document_type(self, doctype: str) -> ContentClusterConfig | None:
        """Return the content cluster that stores ``doctype``, or None."""
        for cluster in self.content_clusters:
            if any(t.name == doctype for t in cluster.document_types):
                return cluster
        return None


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """One process the node agent must keep running on a host."""

    kind: str
    """`container` or `content`."""
    cluster: str
    host: str
    port: int
    distribution_key: int | None = None
    """Set for content nodes."""

    @property
    def name(self) -> str:
        """A stable name for the service, used for its log and PID files."""
        if self.distribution_key is None:
            return f"{self.kind}-{self.cluster}-{self.port}"
        return f"{self.kind}-{self.cluster}-{self.distribution_key}"


@dataclass(frozen=True, slots=True)
class NodeAgentConfig(_ConfigDocument):
    """What node agents need: every service of the application and its host."""

    generation: int
    services: tuple[ServiceConfig, ...] = ()

    def services_on(self, host: str) -> tuple[ServiceConfig, ...]:
        """Return the services placed on ``host``."""
        return tuple(s for s in self.services if s.host == host)


CONFIG_KINDS: dict[str, type[_ConfigDocument]] = {
    "content": ContentConfig,
    "container": ContainerConfig,
    "node": NodeAgentConfig,
}
"""The config kinds the config API serves, by the name used in its URL."""
