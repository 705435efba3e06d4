"""Config documents survive the JSON trip between the config server and services."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, strategies as st

from vespid.config import (
    ContainerClusterConfig,
    ContainerConfig,
    ContainerNodeConfig,
    ContentClusterConfig,
    ContentConfig,
    ContentNodeConfig,
    DocumentTypeRef,
    FieldConfig,
    HnswConfig,
    InputConfig,
    NodeAgentConfig,
    RankProfileConfig,
    SchemaConfig,
    ServiceConfig,
)

names = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)

fields = st.builds(
    FieldConfig,
    name=names,
    type=st.sampled_from(["string", "int", "array<string>", "tensor<float>(x[4])"]),
    attribute=st.booleans(),
    index=st.booleans(),
    hnsw=st.none() | st.builds(HnswConfig, st.integers(1, 64), st.integers(1, 500)),
)
profiles = st.builds(
    RankProfileConfig,
    name=names,
    inputs=st.lists(st.builds(InputConfig, names, st.just("double"), st.none() | st.just("1"))).map(
        tuple
    ),
    second_phase=st.none() | st.just("attribute(year)"),
    rank_score_drop_limit=st.none() | st.floats(allow_nan=False, allow_infinity=False),
)
schemas = st.builds(
    SchemaConfig,
    name=names,
    fields=st.lists(fields, max_size=4).map(tuple),
    rank_profiles=st.lists(profiles, max_size=3).map(tuple),
)
clusters = st.builds(
    ContentClusterConfig,
    name=names,
    redundancy=st.integers(1, 3),
    document_types=st.lists(st.builds(DocumentTypeRef, names)).map(tuple),
    nodes=st.lists(
        st.builds(ContentNodeConfig, st.integers(0, 9), st.just("localhost"), st.integers(1, 65535))
    ).map(tuple),
)


@given(
    st.builds(
        ContentConfig,
        st.integers(1, 10**6),
        st.lists(clusters).map(tuple),
        st.lists(schemas, max_size=2).map(tuple),
    )
)
def test_content_config_round_trips_through_json_bytes(config: ContentConfig) -> None:
    assert ContentConfig.from_json(orjson.loads(orjson.dumps(config.to_json()))) == config


def test_container_and_node_configs_round_trip() -> None:
    container = ContainerConfig(
        generation=4,
        containers=(ContainerClusterConfig("default", (ContainerNodeConfig("localhost", 8080),)),),
        content_clusters=(
            ContentClusterConfig("music", document_types=(DocumentTypeRef("music"),)),
        ),
    )
    node = NodeAgentConfig(5, (ServiceConfig("content", "music", "localhost", 19100, 0),))
    assert ContainerConfig.from_json(container.to_json()) == container
    assert NodeAgentConfig.from_json(node.to_json()) == node
    assert container.cluster_for_document_type("music") is container.content_clusters[0]
    assert node.services[0].name == "content-music-0"


def test_missing_keys_take_defaults_and_wrong_shapes_are_refused() -> None:
    assert ContentConfig.from_json({"generation": 2}) == ContentConfig(2)
    with pytest.raises(ValueError, match="expected int"):
        ContentConfig.from_json({"generation": "two"})
    with pytest.raises(ValueError, match="expected a list"):
        ContentConfig.from_json({"generation": 2, "clusters": {}})
