"""derive_application: topology, ports, field flags, inheritance and collected errors."""

from __future__ import annotations

import pytest

from configserver.errors import InvalidApplicationPackageError
from configserver.model import DerivedApplication, derive_application
from tests.unit.configserver.conftest import port_counter
from vespid.config import (
    ContainerNodeConfig,
    ContentNodeConfig,
    DocumentSummaryConfig,
    FieldsetConfig,
    HnswConfig,
    NodeAgentConfig,
    ServiceConfig,
)

SERVICES = b"""<services>
  <container id="default"><search/><document-api/>
    <nodes><node hostalias="a"/></nodes></container>
  <content id="books"><redundancy>2</redundancy>
    <documents><document type="book" mode="index" global="true"/></documents>
    <nodes><node hostalias="a" distribution-key="1"/><node hostalias="b" distribution-key="0"/>
    </nodes></content>
</services>"""
HOSTS = b"""<hosts><host name="h1.example"><alias>a</alias></host>
<host name="h2.example"><alias>b</alias></host></hosts>"""
BASE = b"""schema base {
  document base {
    field title type string { indexing: summary | index
      index: enable-bm25 }
  }
  fieldset default { fields: title }
}"""
BOOK = b"""schema book inherits base {
  document book inherits base {
    field year type int { indexing: summary | attribute
      attribute: fast-search }
    field vec type tensor<float>(x[2]) { indexing: attribute | index
      attribute { distance-metric: angular }
      index { hnsw { max-links-per-node: 8 } } }
    field body type string {}
  }
  field title_exact type string { indexing: input title | lowercase | attribute | summary
    match: exact }
  document-summary short { summary title {} summary y { source: year } }
}"""


def _files() -> dict[str, bytes]:
    return {
        "services.xml": SERVICES,
        "hosts.xml": HOSTS,
        "schemas/base.sd": BASE,
        "schemas/book.sd": BOOK,
    }


def _derive(files: dict[str, bytes], previous: NodeAgentConfig | None = None) -> DerivedApplication:
    return derive_application(files, 7, previous, port_counter())


def test_topology_hosts_and_ports() -> None:
    d = _derive(_files())
    assert d.container.containers[0].nodes == (ContainerNodeConfig("h1.example", 8080),)
    books = d.content.clusters[0]
    assert books.nodes == (
        ContentNodeConfig(0, "h2.example", 19101),
        ContentNodeConfig(1, "h1.example", 19100),
    )
    assert books.redundancy == 2
    assert books.document_types[0].global_
    assert d.node.services_on("h1.example") == (
        ServiceConfig("container", "default", "h1.example", 8080),
        ServiceConfig("content", "books", "h1.example", 19100, 1),
    )
    assert {c.generation for c in (d.content, d.container, d.node)} == {7}


def test_content_ports_are_kept_from_the_previous_generation() -> None:
    previous = NodeAgentConfig(6, (ServiceConfig("content", "books", "h2.example", 19555, 0),))
    d = _derive(_files(), previous)
    ports = {n.distribution_key: n.port for n in d.content.clusters[0].nodes}
    assert ports == {0: 19555, 1: 19100}


def test_without_hosts_xml_everything_is_localhost() -> None:
    files = _files()
    del files["hosts.xml"]
    d = _derive(files)
    assert {s.host for s in d.node.services} == {"localhost"}


def test_fields_flags_and_settings() -> None:
    schema = _derive(_files()).content.schema("book")
    assert schema is not None
    assert schema.global_
    title, year, vec, body = (schema.field(n) for n in ("title", "year", "vec", "body"))
    assert title is not None
    assert (title.index, title.summary, title.attribute, title.enable_bm25) == (
        True,
        True,
        False,
        True,
    )
    assert title.stemming == "best"
    assert year is not None
    assert (year.attribute, year.fast_search, year.stemming) == (True, True, "none")
    assert vec is not None
    assert vec.hnsw == HnswConfig(8, 200)
    assert vec.distance_metric == "angular"
    assert body is not None
    assert (body.attribute, body.index, body.summary) == (False, False, False)
    synthetic = schema.field("title_exact")
    assert synthetic is not None
    assert (synthetic.in_document, synthetic.source, synthetic.match) == (False, "title", "exact")
    assert synthetic.lowercase
    assert schema.fieldsets == (FieldsetConfig("default", ("title",)),)
    assert schema.document_summaries == (DocumentSummaryConfig("short", ("title", "year")),)


def test_schema_only_used_for_inheritance_is_still_served() -> None:
    d = _derive(_files())
    assert [s.name for s in d.content.schemas] == ["base", "book"]


def test_redundancy_is_capped_by_node_count_with_a_warning() -> None:
    services = SERVICES.replace(b"<redundancy>2", b"<redundancy>3")
    d = _derive(_files() | {"services.xml": services})
    assert d.content.clusters[0].redundancy == 2
    assert any("redundancy 3 but 2 node(s)" in w for w in d.warnings)


def test_every_problem_is_reported_at_once() -> None:
    services = b"""<services>
  <container id="c"><nodes><node hostalias="a"/></nodes></container>
  <container id="d"><nodes><node hostalias="a"/></nodes></container>
  <content id="c"><documents><document type="nosuch"/></documents>
    <nodes><node hostalias="zz" distribution-key="0"/><node hostalias="b" distribution-key="0"/>
    </nodes></content>
</services>"""
    book = BOOK.replace(b"input title | lowercase", b"input title | hash").replace(
        b"fields: title", b"fields: title"
    )
    files = _files() | {"services.xml": services, "schemas/book.sd": book}
    files["schemas/base.sd"] = BASE.replace(b"fields: title", b"fields: title, nope")
    files["schemas/extra.sd"] = b"schema other { document other {} }"
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(files)
    assert info.value.messages == [
        "services.xml:4:30: content cluster 'c' stores document type 'nosuch', but no schema "
        "defines it (schemas: base, book, other)",
        "services.xml:5:12: hostalias 'zz' is not defined in hosts.xml (aliases: a, b)",
        "services.xml:5:55: distribution-key 0 is used twice in content cluster 'c'",
        "services.xml:4:3: cluster id 'c' is used twice",
        "services.xml:3:28: port 8080 on host 'h1.example' is already used by container "
        "cluster 'c'",
        "schemas/extra.sd:1:1: schema 'other' must be in a file named 'other.sd', not 'extra.sd'",
        "schemas/base.sd:6:3: fieldset 'default' names unknown field 'nope'",
        "schemas/book.sd:10:59: unsupported indexing expression 'hash' in field 'title_exact'",
    ]


@pytest.mark.parametrize(
    ("sd", "message"),
    [
        (b"schema book { document book { field a type predicate {} } }",
         "schemas/book.sd:1:37: field 'a': unsupported type 'predicate': Vespid has no "
         "predicate fields"),
        (b"schema book { document book { field a type mystery {} } }",
         "schemas/book.sd:1:37: field 'a': unknown type 'mystery'"),
        (b"schema book { document book { field a type string { indexing: summary x } } }",
         "schemas/book.sd:1:37: indexing of field 'a' writes to unknown field 'x'"),
        (b"schema book { document book {} field s type string { indexing: summary } }",
         "schemas/book.sd:1:38: field 's' is outside the document, so its indexing must read "
         "a document field with 'input <field>'"),
        (b"schema book { document book {}\n rank-profile p inherits q {} }",
         "schemas/book.sd:2:15: rank-profile 'p' inherits unknown rank-profile 'q'"),
        (b"schema book inherits nope { document book {} }",
         "schemas/book.sd:1:1: schema 'book' inherits unknown schema 'nope'"),
        (b"schema book { document book inherits base { field title type string {} } }",
         "schemas/book.sd:1:51: field 'title' is already declared in an inherited document"),
    ],
)  # fmt: skip
def test_schema_errors(sd: bytes, message: str) -> None:
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(_files() | {"schemas/book.sd": sd})
    assert info.value.messages == [message]


def test_expression_syntax_error_names_position_and_profile() -> None:
    sd = b"schema book { document book {}\n rank-profile p { first-phase { expression: 1 + } } }"
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(_files() | {"schemas/book.sd": sd})
    (message,) = info.value.messages
    assert message.startswith("schemas/book.sd:2:48: ")
    assert message.endswith(" in rank-profile 'p' first-phase")


def test_structs_with_inheritance_reach_the_schema_config() -> None:
    sd = b"""schema book { document book inherits base {
        struct point { field x type int {} }
        struct point3 inherits point { field z type int {} }
        field p type array<point3> { indexing: summary }
    } }"""
    base = BASE.replace(
        b"document base {", b"document base {\n struct tag { field t type string {} }"
    )
    d = _derive(_files() | {"schemas/book.sd": sd, "schemas/base.sd": base})
    schema = d.content.schema("book")
    assert schema is not None
    assert [s.name for s in schema.structs] == ["tag", "point", "point3"]
    point3 = schema.struct("point3")
    assert point3 is not None
    assert [(f.name, f.type) for f in point3.fields] == [("x", "int"), ("z", "int")]


def test_unknown_struct_parent_is_reported() -> None:
    sd = b"schema book { document book { struct p inherits q { field x type int {} } } }"
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(_files() | {"schemas/book.sd": sd})
    assert info.value.messages == ["schemas/book.sd:1:38: struct 'p' inherits unknown struct 'q'"]


RANKED = """schema book inherits base {
  document book inherits base {
    field year type int { indexing: attribute }
    field vec type tensor<float>(x[2]) { indexing: attribute }
    field body type string {}
  }
  rank-profile p { PROFILE }
}"""


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("first-phase { expression: attribute(yaer) }",
         "schemas/book.sd:7:46: unknown field 'yaer' in 'attribute(yaer)' in rank-profile 'p' "
         "first-phase"),
        ("first-phase { expression: attribute(body) }",
         "schemas/book.sd:7:46: field 'body' in 'attribute(body)' is not an attribute in "
         "rank-profile 'p' first-phase"),
        ("first-phase { expression: bm25(year) }",
         "schemas/book.sd:7:46: field 'year' in 'bm25(year)' is not an index field in "
         "rank-profile 'p' first-phase"),
        ("second-phase { expression: closeness(field, year) }",
         "schemas/book.sd:7:47: field 'year' in 'closeness(field,year)' is not a tensor "
         "attribute in rank-profile 'p' second-phase"),
        ("first-phase { expression: constant(c) }",
         "schemas/book.sd:7:46: unknown constant 'c' in 'constant(c)' in rank-profile 'p' "
         "first-phase"),
        ("function f() { expression: g }\n function g() { expression: f }\n"
         " first-phase { expression: f }",
         "schemas/book.sd:9:28: function 'f' calls itself: f -> g -> f in rank-profile 'p' "
         "first-phase"),
    ],
)  # fmt: skip
def test_rank_expressions_are_checked_against_the_schema(profile: str, message: str) -> None:
    sd = RANKED.replace("PROFILE", profile).encode()
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(_files() | {"schemas/book.sd": sd})
    assert info.value.messages == [message]


def test_valid_rank_expressions_pass() -> None:
    profile = (
        "function f(a) { expression: a * attribute(year) }\n"
        " first-phase { expression: f(2) + closeness(field, vec) + bm25(title) }"
    )
    d = _derive(_files() | {"schemas/book.sd": RANKED.replace("PROFILE", profile).encode()})
    schema = d.content.schema("book")
    assert schema is not None
    assert schema.rank_profile("p") is not None


def test_tensor_types_are_checked() -> None:
    sd = b"""schema book { document book {
    field v type tensor<blah>(x[2]) { indexing: attribute } }
  rank-profile p { inputs { query(q) tensor<float>(x[2],,): [1, 2] } } }"""
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(_files() | {"schemas/book.sd": sd})
    first, second = info.value.messages
    assert first.startswith("schemas/book.sd:2:11: field 'v': invalid tensor type")
    assert second.startswith("schemas/book.sd:3:29: invalid tensor type 'tensor<float>(x[2],,)'")
    assert second.endswith("of 'q' in rank-profile 'p'")
