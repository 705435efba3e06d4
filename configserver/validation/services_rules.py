"""Cross-checks of services.xml against hosts.xml and the schemas, one rule per function."""

from __future__ import annotations

from configserver.apppackage.services import ContainerSpec, ContentSpec
from configserver.validation.context import ValidationContext


def document_types_have_schemas(ctx: ValidationContext) -> None:
    """Each `<document type=...>` of a content cluster names a schema of the package."""
    names = {s.name for s in ctx.schemas}
    for content in ctx.package.services.contents:
        for doc in content.documents:
            if doc.type and doc.type not in names:
                known = ", ".join(sorted(names)) or "none"
                ctx.report(
                    f"{doc.where}: content cluster '{content.id}' stores document type "
                    f"'{doc.type}', but no schema defines it (schemas: {known})"
                )


def document_types_stored_once(ctx: ValidationContext) -> None:
    """A document type is stored by at most one content cluster."""
    seen: dict[str, str] = {}
    for content in ctx.package.services.contents:
        for doc in content.documents:
            if doc.type in seen and seen[doc.type] != content.id:
                ctx.report(
                    f"{doc.where}: document type '{doc.type}' is already stored by "
                    f"content cluster '{seen[doc.type]}'"
                )
            seen.setdefault(doc.type, content.id)


def host_aliases_exist(ctx: ValidationContext) -> None:
    """With a hosts.xml, every `hostalias` is one of its aliases."""
    hosts = ctx.package.hosts
    if hosts is None:
        return
    services = ctx.package.services
    for node in [n for c in services.containers for n in c.nodes] + [
        n for c in services.contents for n in c.nodes
    ]:
        if node.hostalias and node.hostalias not in hosts.aliases:
            known = ", ".join(sorted(hosts.aliases)) or "none"
            ctx.report(
                f"{node.where}: hostalias '{node.hostalias}' is not defined in "
                f"hosts.xml (aliases: {known})"
            )


def distribution_keys_unique(ctx: ValidationContext) -> None:
    """Distribution keys are unique within a content cluster."""
    for content in ctx.package.services.contents:
        seen: set[int] = set()
        for node in content.nodes:
            if node.distribution_key in seen:
                ctx.report(
                    f"{node.where}: distribution-key {node.distribution_key} is used "
                    f"twice in content cluster '{content.id}'"
                )
            if node.distribution_key is not None:
                seen.add(node.distribution_key)


def cluster_ids_unique(ctx: ValidationContext) -> None:
    """Container and content cluster ids are unique in the application."""
    seen: set[str] = set()
    services = ctx.package.services
    clusters: list[ContainerSpec | ContentSpec] = [*services.containers, *services.contents]
    for cluster in clusters:
        if cluster.id in seen:
            ctx.report(f"{cluster.where}: cluster id '{cluster.id}' is used twice")
        seen.add(cluster.id)


def container_ports_unique(ctx: ValidationContext) -> None:
    """No two container nodes listen on the same port of the same host."""
    used: dict[tuple[str, int], str] = {}
    for container in ctx.package.services.containers:
        for node in container.nodes:
            key = (ctx.host_of(node.hostalias), container.port)
            if key in used:
                ctx.report(
                    f"{node.where}: port {container.port} on host '{key[0]}' is "
                    f"already used by container cluster '{used[key]}'"
                )
            used.setdefault(key, container.id)
