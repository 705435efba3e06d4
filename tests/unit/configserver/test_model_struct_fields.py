"""Struct-field attributes: derived like Vespa's attributes.cfg, refused where Vespa can't."""

from __future__ import annotations

import re

import pytest

from configserver.errors import InvalidApplicationPackageError
from configserver.model import derive_application
from tests.unit.configserver.conftest import CONFORMANCE, port_counter
from vespid.config import FieldConfig

DERIVED = CONFORMANCE / "vespa-tests" / "schema-derived"
SERVICES = b"""<services><container id="default"><search/><document-api/></container>
<content id="c"><redundancy>1</redundancy><documents><document type="test" mode="index"/>
</documents><nodes><node hostalias="localhost" distribution-key="0"/></nodes></content>
</services>"""


def _struct_attributes(schema_text: bytes) -> dict[str, FieldConfig]:
    files = {"services.xml": SERVICES, "schemas/test.sd": schema_text}
    schema = derive_application(files, 1, None, port_counter()).content.schemas[0]
    return {f.name: f for f in schema.fields if f.struct_field}


def _vespa_attributes(case: str) -> dict[str, str]:
    """Name → `collectiontype datatype` of every attribute in Vespa's derived config."""
    text = (DERIVED / case / "attributes.cfg").read_text()
    names = re.findall(r'^attribute\[\]\.name "(.*)"$', text, re.M)
    types = re.findall(r"^attribute\[\]\.datatype (\w+)$", text, re.M)
    collections = re.findall(r"^attribute\[\]\.collectiontype (\w+)$", text, re.M)
    return {n: f"{c} {t}" for n, t, c in zip(names, types, collections, strict=True)}


_VESPA_TYPES = {"string": "STRING", "int": "INT32"}


@pytest.mark.skipif(not DERIVED.is_dir(), reason="conformance material not present")
@pytest.mark.parametrize("case", ["array_of_struct_attribute", "map_of_struct_attribute"])
def test_struct_field_attributes_are_the_array_attributes_vespa_derives(case: str) -> None:
    derived = _struct_attributes((DERIVED / case / "test.sd").read_bytes())
    ours = {
        name: f"ARRAY {_VESPA_TYPES[f.type.removeprefix('array<').removesuffix('>')]}"
        for name, f in derived.items()
    }
    assert ours == _vespa_attributes(case)
    assert all(f.attribute and not f.in_document and f.source for f in derived.values())


def test_each_struct_field_attribute_says_where_its_values_come_from() -> None:
    derived = _struct_attributes(b"""schema test { document test {
        struct person { field name type string {} field age type int {} }
        field persons type array<person> { indexing: summary
            struct-field name { indexing: attribute
                attribute: fast-search }
            struct-field age { indexing: summary } }
        field ranks type map<string, person> { indexing: summary
            struct-field key { indexing: attribute }
            struct-field value { struct-field age { indexing: attribute } } } } }""")
    assert sorted(derived) == ["persons.name", "ranks.key", "ranks.value.age"]
    assert derived["persons.name"].fast_search
    assert (derived["ranks.value.age"].type, derived["ranks.value.age"].source) == (
        "array<int>",
        "ranks",
    )
    assert derived["ranks.value.age"].struct_field == "value.age"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "field persons type array<person> { struct-field height { indexing: attribute } }",
            "field 'persons' of type array<person> has no struct field 'height'",
        ),
        (
            "field persons type array<person> { struct-field name { indexing: index } }",
            "unsupported indexing of struct-field 'persons.name'",
        ),
        (
            "field m type map<string, person> { struct-field value { indexing: attribute } }",
            "struct-field 'm.value' cannot be an attribute",
        ),
        (
            "field p type person { struct-field name { indexing: attribute } }",
            "struct-field 'p.name' cannot be an attribute",
        ),
    ],
)
def test_struct_fields_vespid_cannot_keep_are_refused_with_their_position(
    field: str, message: str
) -> None:
    schema = (
        "schema test { document test {\n"
        "struct person { field name type string {} }\n" + field + "\n} }"
    ).encode()
    with pytest.raises(InvalidApplicationPackageError) as failure:
        _struct_attributes(schema)
    assert any(m.startswith("schemas/test.sd:3:") and message in m for m in failure.value.messages)
