"""docs/packages.md agrees with the code: its ignored lists are the code's lists, and
every construct it lists as refused is refused at prepare with the message it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from configserver.apppackage.package import IGNORED_FILES
from configserver.apppackage.services import IGNORED_ELEMENTS, UNSUPPORTED_ELEMENTS
from configserver.errors import InvalidApplicationPackageError
from configserver.model import derive_application
from configserver.schema.fields import IGNORED_FIELD_SETTINGS, IGNORED_INDEX_SETTINGS
from configserver.schema.parser import IGNORED_SCHEMA_ITEMS, UNSUPPORTED_SCHEMA_ITEMS
from configserver.schema.rankprofile import IGNORED_PROFILE_SETTINGS
from tests.unit.configserver.conftest import port_counter

DOC = (Path(__file__).resolve().parents[3] / "docs" / "packages.md").read_text()
ROW = re.compile(r"^\| ([\w-]+) \| `(.+?)` \| `(.+?)` \|$", re.MULTILINE)
CHECKED = re.compile(r"<!-- checked: (\w+)(?:\[(\w+)\])? -->")
CODE_LISTS: dict[str, set[str]] = {
    "IGNORED_FILES": {prefix for prefix, _ in IGNORED_FILES},
    "IGNORED_SCHEMA_ITEMS": set(IGNORED_SCHEMA_ITEMS),
    "IGNORED_FIELD_SETTINGS": set(IGNORED_FIELD_SETTINGS),
    "IGNORED_INDEX_SETTINGS": set(IGNORED_INDEX_SETTINGS),
    "IGNORED_PROFILE_SETTINGS": set(IGNORED_PROFILE_SETTINGS),
    **{f"IGNORED_ELEMENTS[{parent}]": set(tags) for parent, tags in IGNORED_ELEMENTS.items()},
}

SCHEMA = """schema book {
  document book {
    field title type string { indexing: summary | index }
    DOCUMENT
  }
  SCHEMA
  rank-profile p {
    RANK-PROFILE
  }
}
"""
SERVICES = """<services version="1.0">
  SERVICES
  <container id="c" version="1.0">
    CONTAINER
    <http>HTTP<server id="s" port="8080"/></http>
    <search>SEARCH</search>
    <document-processing>DOCUMENT-PROCESSING</document-processing>
    <document-api/>
  </container>
  <content id="books" version="1.0">
    <redundancy>1</redundancy>
    <documents><document type="book" mode="index"/></documents>
    <nodes><node hostalias="node1" distribution-key="0"/></nodes>
  </content>
</services>
"""
PLACES = re.compile(
    r"DOCUMENT-PROCESSING|RANK-PROFILE|DOCUMENT|SCHEMA|SERVICES|CONTAINER|HTTP|SEARCH"
)


def _rows() -> list[tuple[str, str, str]]:
    return [
        (where, example.replace("\\|", "|"), message)
        for where, example, message in ROW.findall(DOC)
    ]


def _package(where: str, example: str) -> dict[str, bytes]:
    place = where.upper()
    if where == "field":
        place, example = "DOCUMENT", f"field f type string {{ {example} }}"
    schema = PLACES.sub(lambda m: example if m.group() == place else "", SCHEMA)
    services = PLACES.sub(lambda m: example if m.group() == place else "", SERVICES)
    return {"services.xml": services.encode(), "schemas/book.sd": schema.encode()}


def test_the_empty_package_of_the_examples_deploys() -> None:
    derived = derive_application(_package("nowhere", ""), 1, None, port_counter())
    assert derived.content.schemas


@pytest.mark.parametrize(("where", "example", "message"), _rows())
def test_every_refused_construct_is_refused(where: str, example: str, message: str) -> None:
    with pytest.raises(InvalidApplicationPackageError) as info:
        derive_application(_package(where, example), 1, None, port_counter())
    assert any(message in m for m in info.value.messages), info.value.messages


def test_every_refused_schema_item_and_element_has_a_row() -> None:
    rows = _rows()
    schema_items = {example.split()[0] for where, example, _ in rows if where == "schema"}
    assert set(UNSUPPORTED_SCHEMA_ITEMS) <= schema_items
    elements = {m.group(1) for _, example, _ in rows if (m := re.match(r"<([\w-]+)", example))}
    assert set(UNSUPPORTED_ELEMENTS) <= elements


@pytest.mark.parametrize("name", sorted(CODE_LISTS))
def test_ignored_lists_are_the_codes(name: str) -> None:
    found: dict[str, set[str]] = {}
    for match in CHECKED.finditer(DOC):
        key = match.group(1) + (f"[{match.group(2)}]" if match.group(2) else "")
        before = DOC[: match.start()]
        start = max(before.rfind("\n- "), before.rfind("\n\n"))
        words = re.findall(r"`([^`]+)`", before[start:])
        found[key] = {w for w in words if not w.startswith("<")}
    assert found.get(name) == CODE_LISTS[name]
