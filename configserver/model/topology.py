"""Place the clusters of services.xml on hosts and ports.

Containers listen on their `<http><server port>` (8080 by default). A content node
keeps the port it had in the previous generation (same cluster and distribution key),
so a redeploy does not move data between processes; new nodes get ``allocate_port()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from configserver.apppackage.hosts import host_for
from configserver.apppackage.package import ApplicationPackage
from configserver.apppackage.services import ContainerSpec, ContentSpec, ServicesSpec
from vespid.config import (
    ContainerClusterConfig,
    ContainerNodeConfig,
    ContentClusterConfig,
    ContentNodeConfig,
    DocumentTypeRef,
    NodeAgentConfig,
    ServiceConfig,
)


def container_clusters(package: ApplicationPackage) -> tuple[ContainerClusterConfig, ...]:
    """Return the container clusters with their nodes' hosts and ports."""
    return tuple(
        ContainerClusterConfig(
            name=c.id,
            nodes=tuple(
                ContainerNodeConfig(host_for(package.hosts, n.hostalias), c.port) for n in c.nodes
            ),
            search=c.search,
            document_api=c.document_api,
        )
        for c in package.services.containers
    )


def content_clusters(
    package: ApplicationPackage,
    previous: NodeAgentConfig | None,
    allocate_port: Callable[[], int],
    warnings: list[str],
) -> tuple[ContentClusterConfig, ...]:
    """Return the content clusters, reusing previous ports; capped redundancy is warned."""
    kept = {
        (s.cluster, s.distribution_key): s.port
        for s in (previous.services if previous else ())
        if s.kind == "content"
    }
    return tuple(
        _content(package, c, kept, allocate_port, warnings) for c in package.services.contents
    )


def _content(
    package: ApplicationPackage,
    spec: ContentSpec,
    kept: dict[tuple[str, int | None], int],
    allocate_port: Callable[[], int],
    warnings: list[str],
) -> ContentClusterConfig:
    nodes = []
    for n in spec.nodes:
        key = n.distribution_key or 0
        port = kept.get((spec.id, key)) or allocate_port()
        nodes.append(ContentNodeConfig(key, host_for(package.hosts, n.hostalias), port))
    redundancy = min(spec.redundancy, len(nodes))
    if redundancy < spec.redundancy:
        warnings.append(
            f"{spec.where}: content cluster '{spec.id}' has redundancy "
            f"{spec.redundancy} but {len(nodes)} node(s); using {redundancy}"
        )
    return ContentClusterConfig(
        name=spec.id,
        redundancy=redundancy,
        searchable_copies=redundancy,
        document_types=tuple(DocumentTypeRef(d.type, d.mode, d.global_) for d in spec.documents),
        nodes=tuple(sorted(nodes, key=lambda n: n.distribution_key)),
    )


def services_of(
    containers: Sequence[ContainerClusterConfig], contents: Sequence[ContentClusterConfig]
) -> tuple[ServiceConfig, ...]:
    """Return every process the node agents must run."""
    out = [ServiceConfig("container", c.name, n.host, n.port) for c in containers for n in c.nodes]
    out += [
        ServiceConfig("content", c.name, n.host, n.port, n.distribution_key)
        for c in contents
        for n in c.nodes
    ]
    return tuple(out)


def port_conflicts(services: Sequence[ServiceConfig], spec: ServicesSpec) -> list[str]:
    """Return a message for each port used by two services on one host."""
    clusters: list[ContainerSpec | ContentSpec] = [*spec.containers, *spec.contents]
    where = {c.id: str(c.where) for c in clusters}
    seen: dict[tuple[str, int], str] = {}
    problems: list[str] = []
    for s in services:
        key = (s.host, s.port)
        if key in seen:
            problems.append(
                f"{where.get(s.cluster, 'services.xml:1:1')}: {s.name} and "
                f"{seen[key]} both use port {s.port} on host '{s.host}'"
            )
        seen.setdefault(key, s.name)
    return problems
