"""Golden files for the config derived from real packages (tests/golden/derived/<case>/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from configserver.model import derive_application
from tests.unit.configserver.conftest import CONFORMANCE, GOLDEN, port_counter, read_package_dir

CASES = {
    "album-recommendation": "sample-apps/album-recommendation/app",
    "pyvespa-generated-indexed": "pyvespa/generated-indexed",
    "pyvespa-generated-streaming": "pyvespa/generated-streaming",
    "multinode-HA": "sample-apps/multinode-HA",
    "news-app-5-recommendation": "sample-apps/news/app-5-recommendation",
}


def _render(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_derived_config_matches_golden(case: str, update_golden: bool) -> None:
    root = CONFORMANCE / CASES[case]
    if not root.is_dir():
        pytest.skip(f"conformance package {root} not present")
    derived = derive_application(read_package_dir(root), 1, None, port_counter())
    outputs = {
        "content.json": _render(derived.content.to_json()),
        "container.json": _render(derived.container.to_json()),
        "node.json": _render(derived.node.to_json()),
        "warnings.json": _render(derived.warnings),
    }
    directory = GOLDEN / "derived" / case
    if update_golden:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in outputs.items():
            (directory / name).write_text(text)
        return
    for name, text in outputs.items():
        expected = directory / name
        assert expected.exists(), f"{expected} is missing: run pytest --update-golden"
        assert text == expected.read_text(), f"{case}/{name} differs from the golden file"


def test_golden_round_trips_through_config_json() -> None:
    """The golden JSON is what the config API serves: it decodes back to equal config."""
    from vespid.config import ContentConfig

    path = GOLDEN / "derived" / "album-recommendation" / "content.json"
    data = json.loads(Path(path).read_text())
    assert ContentConfig.from_json(data).to_json() == data
