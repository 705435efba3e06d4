"""Config change actions between the active and the new content config."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import orjson
import pytest

from configserver.errors import InvalidApplicationPackageError
from configserver.session import MemorySessionStore, SessionManager, change_actions
from configserver.session.overrides import read_overrides
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


NOW = datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC).timestamp()


def deploy_content(manager: SessionManager, config: ContentConfig, overrides: bytes = b"") -> Any:
    files = {
        "services.xml": SERVICES,
        "content.json": orjson.dumps(config.to_json()),
        "validation-overrides.xml": overrides,
    }
    session_id = manager.create("default", files)
    result = manager.prepare("default", session_id)
    manager.activate("default", session_id)
    return result


def allow(validation_id: str, until: str = "2026-11-30") -> bytes:
    return (
        f"<validation-overrides><allow until='{until}'>{validation_id}</allow>"
        "</validation-overrides>"
    ).encode()


@pytest.fixture
def manager() -> SessionManager:
    return SessionManager(MemorySessionStore(), tiny_derive, counting_ports(), clock=lambda: NOW)


def test_refeed_is_refused_without_override(manager: SessionManager) -> None:
    deploy_content(manager, content(YEAR))
    with pytest.raises(InvalidApplicationPackageError) as refused:
        deploy_content(manager, content(dataclasses.replace(YEAR, type="long")))
    assert refused.value.messages == [
        "field-type-change: Document type 'music': Field 'year' changed: data type: "
        "'int' -> 'long'. To allow this add <allow until='2026-11-29'>field-type-change"
        "</allow> to validation-overrides.xml, see "
        "https://docs.vespa.ai/en/reference/validation-overrides.html"
    ]


def test_override_allows_refeed_and_it_is_reported(manager: SessionManager) -> None:
    deploy_content(manager, content(YEAR))
    changed = content(dataclasses.replace(YEAR, type="long"))
    result = deploy_content(manager, changed, allow("field-type-change"))
    assert result.change_actions["refeed"][0]["name"] == "field-type-change"
    assert result.log[-1].message.startswith(
        "Change(s) between active and new application that require re-feed:"
    )


def test_expired_override_does_not_allow(manager: SessionManager) -> None:
    deploy_content(manager, content(YEAR))
    changed = content(dataclasses.replace(YEAR, type="long"))
    with pytest.raises(InvalidApplicationPackageError):
        deploy_content(manager, changed, allow("field-type-change", until="2026-11-21"))


def test_removals_need_overrides(manager: SessionManager) -> None:
    deploy_content(manager, content(YEAR))
    with pytest.raises(InvalidApplicationPackageError, match="content-cluster-removal"):
        deploy_content(manager, ContentConfig(1))
    empty_cluster = ContentConfig(1, (ContentClusterConfig("music"),))
    with pytest.raises(InvalidApplicationPackageError, match="content-type-removal"):
        deploy_content(manager, empty_cluster)
    deploy_content(manager, empty_cluster, allow("content-type-removal"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (allow("field-type-change", "2027-01-30"), "too far in the future: max 30 days"),
        (allow("field-type-change", "soon"), "until='soon' is not a date"),
        (b"<overrides/>", "expected <validation-overrides>"),
        (b"<validation-overrides><deny/></validation-overrides>", "unexpected element <deny>"),
    ],
)
def test_invalid_overrides(overrides: bytes, message: str) -> None:
    with pytest.raises(InvalidApplicationPackageError) as error:
        read_overrides(overrides, datetime.date(2026, 11, 22))
    assert error.value.messages[0].startswith("validation-overrides.xml:1:")
    assert message in error.value.messages[0]


def test_blank_and_empty_overrides() -> None:
    today = datetime.date(2026, 11, 22)
    assert read_overrides(None, today) == ()
    assert read_overrides(b"  \n", today) == ()
    assert read_overrides(b"<validation-overrides>\n</validation-overrides>", today) == ()
