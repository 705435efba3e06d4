"""Config change actions between the active and the new content config."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from configserver.session import MemorySessionStore, SessionManager, change_actions
from tests.unit.configserver.test_session_manager import SERVICES, counting_ports, tiny_derive
from vespid.config import (
    ContentClusterConfig,
    ContentConfig,
    ContentNodeConfig,
    DocumentTypeRef,
    FieldConfig,
    HnswConfig,
    SchemaConfig,
)

TITLE = FieldConfig("title", "string", index=True, summary=True)
YEAR = FieldConfig("year", "int", attribute=True)
VECTOR = FieldConfig(
    "embedding", "tensor<float>(x[4])", attribute=True, distance_metric="angular", hnsw=HnswConfig()
)


def content(*fields: FieldConfig, mode: str = "index") -> ContentConfig:
    cluster = ContentClusterConfig(
        "music",
        document_types=(DocumentTypeRef("music", mode),),
        nodes=(ContentNodeConfig(0, "localhost", 19100),),
    )
    return ContentConfig(1, (cluster,), (SchemaConfig("music", fields),))


def messages(actions: dict[str, list[Any]], kind: str) -> list[str]:
    return [m for action in actions[kind] for m in action["messages"]]


def test_first_deploy_and_unchanged_have_no_actions() -> None:
    empty: dict[str, list[Any]] = {"restart": [], "refeed": [], "reindex": []}
    assert change_actions(None, content(TITLE)) == empty
    assert change_actions(content(TITLE, YEAR), content(TITLE, YEAR)) == empty


def test_new_fields_and_types_need_nothing() -> None:
    old = content(TITLE)
    assert change_actions(old, content(TITLE, YEAR))["restart"] == []


def test_attribute_changes_need_restart() -> None:
    old = content(TITLE, YEAR, VECTOR)
    year = dataclasses.replace(YEAR, fast_search=True)
    vector = dataclasses.replace(VECTOR, hnsw=HnswConfig(max_links_per_node=32))
    title = dataclasses.replace(TITLE, attribute=True)
    actions = change_actions(old, content(title, year, vector))
    assert actions["restart"][0]["clusterName"] == "music"
    assert actions["restart"][0]["services"] == [
        {
            "serviceName": "searchnode0",
            "serviceType": "searchnode",
            "configId": "music/search/cluster.music/0",
            "hostName": "localhost",
        }
    ]
    assert messages(actions, "restart") == [
        "Document type 'music': Field 'title' changed: add attribute aspect",
        "Document type 'music': Field 'year' changed: add attribute 'fast-search'",
        "Document type 'music': Field 'embedding' changed: "
        "change property 'max-links-per-node' from '16' to '32'",
    ]


def test_type_changes_need_refeed() -> None:
    old = content(YEAR, VECTOR)
    year = dataclasses.replace(YEAR, type="long")
    vector = dataclasses.replace(VECTOR, type="tensor<float>(x[8])")
    actions = change_actions(old, content(year, vector))
    assert [(a["name"], a["documentType"]) for a in actions["refeed"]] == [
        ("field-type-change", "music"),
        ("tensor-type-change", "music"),
    ]
    assert messages(actions, "refeed")[0] == (
        "Document type 'music': Field 'year' changed: data type: 'int' -> 'long'"
    )
    assert actions["restart"] == []


def test_indexing_mode_change_needs_refeed() -> None:
    actions = change_actions(content(TITLE), content(TITLE, mode="streaming"))
    assert actions["refeed"][0]["name"] == "indexing-mode-change"


def test_index_changes_need_reindex() -> None:
    old = content(TITLE, YEAR)
    title = dataclasses.replace(TITLE, stemming="none")
    year = dataclasses.replace(YEAR, index=True)
    actions = change_actions(old, content(title, year))
    assert [a["name"] for a in actions["reindex"]] == ["indexing-change"]
    assert messages(actions, "reindex") == [
        "Document type 'music': Field 'title' changed: stemming: 'best' -> 'none'",
        "Document type 'music': Field 'year' changed: add index aspect",
    ]


def test_prepare_reports_actions_and_logs_them() -> None:
    manager = SessionManager(MemorySessionStore(), tiny_derive, counting_ports())
    for fields in ((YEAR,), (dataclasses.replace(YEAR, type="long"),)):
        files = {"services.xml": SERVICES, "content.json": orjson.dumps(content(*fields).to_json())}
        session_id = manager.create("default", files)
        result = manager.prepare("default", session_id)
        manager.activate("default", session_id)
    assert result.change_actions["refeed"][0]["name"] == "field-type-change"
    assert result.log[-1].message.startswith(
        "Change(s) between active and new application that require re-feed:"
    )
