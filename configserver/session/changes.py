"""Config change actions: what the new application costs compared with the active one.

Prepare compares the derived content config of the new session with the active
session's and reports, in Vespa's ``configChangeActions`` shape, what running nodes
must do (Vespa's change validators, in spirit):

- **restart** — attribute aspects or settings change (fast-search, fast-access,
  ``rank: filter``, an HNSW index added or removed, its distance metric or parameters);
- **refeed** — a field's type changes (``field-type-change``, ``tensor-type-change``)
  or a document type switches between indexed and streaming (``indexing-mode-change``);
- **reindex** — what is indexed changes (``indexing-change``: the index aspect, or
  matching, stemming or normalizing of an indexed field).

Re-feeds, and removing a document type or a content cluster (which loses its data), are
refused unless ``validation-overrides.xml`` allows them (:func:`blocked_changes`,
configserver.session.overrides).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from vespid.config import ContentClusterConfig, ContentConfig, FieldConfig, SchemaConfig


@dataclass(frozen=True, slots=True)
class _Change:
    kind: str
    """restart, refeed or reindex."""
    name: str
    """The validation id of refeed/reindex actions; '' for restarts."""
    document_type: str
    message: str


_RESTART_FLAGS: tuple[tuple[str, Callable[[FieldConfig], object]], ...] = (
    ("fast-search", lambda f: f.fast_search),
    ("fast-access", lambda f: f.fast_access),
    ("rank: filter", lambda f: f.rank_filter),
    ("indexing: index", lambda f: f.hnsw is not None),
)
_INDEX_SETTINGS: tuple[tuple[str, Callable[[FieldConfig], object]], ...] = (
    ("match", lambda f: f.match),
    ("stemming", lambda f: f.stemming),
    ("normalizing", lambda f: f.normalizing),
)


def _field_changes(doctype: str, old: FieldConfig, new: FieldConfig) -> Iterator[_Change]:
    prefix = f"Document type '{doctype}': Field '{new.name}' changed: "
    if old.type != new.type:
        tensors = old.type.startswith("tensor") and new.type.startswith("tensor")
        name = "tensor-type-change" if tensors else "field-type-change"
        what = "tensor type" if tensors else "data type"
        yield _Change("refeed", name, doctype, f"{prefix}{what}: '{old.type}' -> '{new.type}'")
        return
    if old.attribute != new.attribute:
        change = "add" if new.attribute else "remove"
        yield _Change("restart", "", doctype, f"{prefix}{change} attribute aspect")
    elif new.attribute:
        yield from _attribute_setting_changes(doctype, prefix, old, new)
    if old.index != new.index:
        change = "add" if new.index else "remove"
        yield _Change("reindex", "indexing-change", doctype, f"{prefix}{change} index aspect")
    elif new.index:
        for setting, value in _INDEX_SETTINGS:
            if value(old) != value(new):
                message = f"{prefix}{setting}: '{value(old)}' -> '{value(new)}'"
                yield _Change("reindex", "indexing-change", doctype, message)


def _attribute_setting_changes(
    doctype: str, prefix: str, old: FieldConfig, new: FieldConfig
) -> Iterator[_Change]:
    for setting, value in _RESTART_FLAGS:
        if value(old) != value(new):
            change = "add" if value(new) else "remove"
            yield _Change("restart", "", doctype, f"{prefix}{change} attribute '{setting}'")
    if old.hnsw is not None and new.hnsw is not None:
        settings = (
            ("distance-metric", old.distance_metric, new.distance_metric),
            ("max-links-per-node", old.hnsw.max_links_per_node, new.hnsw.max_links_per_node),
            (
                "neighbors-to-explore-at-insert",
                old.hnsw.neighbors_to_explore_at_insert,
                new.hnsw.neighbors_to_explore_at_insert,
            ),
        )
        for setting, before, after in settings:
            if before != after:
                message = f"{prefix}change property '{setting}' from '{before}' to '{after}'"
                yield _Change("restart", "", doctype, message)


def _schema_changes(old: SchemaConfig, new: SchemaConfig) -> Iterator[_Change]:
    before = {f.name: f for f in old.fields}
    for field in new.fields:
        previous = before.get(field.name)
        if previous is not None:
            yield from _field_changes(new.name, previous, field)


def _cluster_changes(
    old: ContentConfig, new: ContentConfig, cluster: ContentClusterConfig
) -> Iterator[_Change]:
    old_cluster = old.cluster(cluster.name)
    if old_cluster is None:
        return
    old_modes = {t.name: t.mode for t in old_cluster.document_types}
    for doctype in cluster.document_types:
        mode = old_modes.get(doctype.name)
        if mode is None:
            continue
        if mode != doctype.mode:
            message = (
                f"Document type '{doctype.name}' changed indexing mode "
                f"from '{mode}' to '{doctype.mode}'"
            )
            yield _Change("refeed", "indexing-mode-change", doctype.name, message)
        old_schema, new_schema = old.schema(doctype.name), new.schema(doctype.name)
        if old_schema is not None and new_schema is not None:
            yield from _schema_changes(old_schema, new_schema)


def _services(cluster: ContentClusterConfig) -> list[dict[str, str]]:
    return [
        {
            "serviceName": f"searchnode{node.distribution_key}",
            "serviceType": "searchnode",
            "configId": f"{cluster.name}/search/cluster.{cluster.name}/{node.distribution_key}",
            "hostName": node.host,
        }
        for node in cluster.nodes
    ]


def change_actions(old: ContentConfig | None, new: ContentConfig) -> dict[str, list[Any]]:
    """Return Vespa's ``configChangeActions`` for going from ``old`` to ``new``."""
    actions: dict[str, list[Any]] = {"restart": [], "refeed": [], "reindex": []}
    if old is None:
        return actions
    for cluster in new.clusters:
        changes = list(_cluster_changes(old, new, cluster))
        restarts = [c.message for c in changes if c.kind == "restart"]
        if restarts:
            actions["restart"].append(
                {
                    "clusterName": cluster.name,
                    "clusterType": "content",
                    "serviceType": "searchnode",
                    "messages": restarts,
                    "services": _services(cluster),
                }
            )
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for c in changes:
            if c.kind != "restart":
                grouped.setdefault((c.kind, c.name, c.document_type), []).append(c.message)
        for (kind, name, doctype), messages in grouped.items():
            actions[kind].append(
                {
                    "name": name,
                    "documentType": doctype,
                    "clusterName": cluster.name,
                    "messages": messages,
                    "services": _services(cluster),
                }
            )
    return actions


def blocked_changes(
    old: ContentConfig | None, new: ContentConfig, actions: dict[str, list[Any]]
) -> list[tuple[str, str]]:
    """Return (validation id, message) of each change that needs a validation override."""
    if old is None:
        return []
    blocked: list[tuple[str, str]] = []
    for cluster in old.clusters:
        kept = new.cluster(cluster.name)
        if kept is None:
            message = (
                f"Content cluster '{cluster.name}' is removed. "
                "This will cause loss of all data in this cluster"
            )
            blocked.append(("content-cluster-removal", message))
            continue
        kept_types = {t.name for t in kept.document_types}
        for doctype in cluster.document_types:
            if doctype.name not in kept_types:
                message = (
                    f"Schema '{doctype.name}' is removed in content cluster '{cluster.name}'. "
                    "This will cause loss of all data in this schema"
                )
                blocked.append(("content-type-removal", message))
    for action in actions["refeed"]:
        blocked.extend((action["name"], message) for message in action["messages"])
    return blocked


def change_log(actions: dict[str, list[Any]]) -> list[str]:
    """Return one deploy-log warning per action kind that has actions."""
    lines = []
    for kind, verb in (("restart", "restart"), ("refeed", "re-feed"), ("reindex", "re-index")):
        messages = [m for action in actions[kind] for m in action["messages"]]
        if messages:
            lines.append(
                f"Change(s) between active and new application that require {verb}:\n"
                + "\n".join(messages)
            )
    return lines
