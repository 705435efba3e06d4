"""The RELAX NG grammars of services.xml and hosts.xml: what they accept, how errors read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from configserver.apppackage import read_package
from configserver.apppackage.grammar import Grammar, validate
from configserver.apppackage.services import IGNORED_ELEMENTS, UNSUPPORTED_ELEMENTS
from configserver.apppackage.xml import XmlFile
from configserver.errors import InvalidApplicationPackageError
from tests.unit.configserver.conftest import CONFORMANCE
from tests.unit.configserver.test_conformance_packages import REFUSED_PACKAGES

REPO_PACKAGES = Path(__file__).resolve().parents[3] / "apppackages"
LOCATED = re.compile(r"^(services|hosts)\.xml:\d+:\d+: \S")


def _errors(xml: bytes, name: str = "services.xml") -> list[str]:
    grammar = Grammar("hosts.rng" if name == "hosts.xml" else "services.rng")
    return validate(XmlFile(xml, name), grammar, UNSUPPORTED_ELEMENTS)


def _accepted_files() -> list[Path]:
    """Every services.xml and hosts.xml of a package not refused for its services.xml."""
    roots = sorted(p.parent for p in CONFORMANCE.rglob("services.xml"))
    roots += [REPO_PACKAGES / "sample"]
    files = []
    for root in roots:
        package = root.relative_to(CONFORMANCE).as_posix() if CONFORMANCE in root.parents else ""
        refused = REFUSED_PACKAGES.get(package, "")
        if not refused.startswith("services.xml"):
            files.append(root / "services.xml")
        if not refused.startswith("hosts.xml") and (root / "hosts.xml").is_file():
            files.append(root / "hosts.xml")
    return [f for f in files if f.is_file()]


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="conformance material not present")
@pytest.mark.parametrize("path", _accepted_files(), ids=str)
def test_grammar_accepts_every_file_accepted_today(path: Path) -> None:
    assert _errors(path.read_bytes(), path.name) == []


def test_every_ignored_element_is_allowed_by_the_grammar() -> None:
    content = "<services><content>{}</content></services>"
    inside = {"services": "<services>{}</services>", "container": "<container>{}</container>",
              "content": content, "nodes": content.format("<nodes>{}</nodes>"),
              "documents": content.format("<documents>{}</documents>")}  # fmt: skip
    for parent, tags in IGNORED_ELEMENTS.items():
        for tag in tags:
            xml = inside[parent].format(f"<{tag} any='x'><deep><er/></deep></{tag}>")
            assert _errors(xml.encode()) == [], (parent, tag)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        # unknown element, and one Vespid refuses on purpose (with the reason)
        (b"<services>\n  <routing/>\n</services>",
         "services.xml:2:3: unsupported element <routing> in <services>"),
        (b"<services>\n  <container>\n    <handler id='h'/>\n  </container>\n</services>",
         "services.xml:3:5: unsupported <handler> in <container>: request handlers"),
        (b"<container><search><searcher id='s'/></search></container>",
         "services.xml:1:20: unsupported <searcher> in <search>: searchers"),
        # missing required attribute
        (b"<services>\n<content>\n<nodes><node distribution-key='0'/></nodes></content></services>",
         "services.xml:3:8: <node> needs a 'hostalias' attribute"),
        (b"<services><content><documents><document mode='index'/></documents></content></services>",
         "services.xml:1:31: <document> needs a 'type' attribute"),
        (b"<services><content><group><node hostalias='a' distribution-key='0'/>"
         b"<node hostalias='b'/></group></content></services>",
         "services.xml:1:69: <node> needs a 'distribution-key' attribute"),
        # bad attribute value type
        (b"<services><content><nodes><node hostalias='a' distribution-key='one'/></nodes>"
         b"</content></services>",
         "services.xml:1:27: attribute 'distribution-key' of <node> must be an integer >= 0, "
         "got 'one'"),
        (b"<container><nodes count='many'/></container>",
         "services.xml:1:12: attribute 'count' of <nodes> must be an integer >= 1, got 'many'"),
        (b"<container id='has space'/>",
         "services.xml:1:1: attribute 'id' of <container> must be a name (letters, digits, "
         "'_', '-', '.'; not starting with a digit), got 'has space'"),
        # bad element text, unknown attribute, stray text, wrong root
        (b"<services><content><min-redundancy>0</min-redundancy></content></services>",
         "services.xml:1:20: <min-redundancy> must be an integer >= 1, got '0'"),
        (b'<services xmlns:preprocess="p">\n  <preprocess:include file="x.xml"/>\n</services>',
         "services.xml:2:3: unsupported <preprocess:include> in <services>: included files"),
        (b"<services><content><redundancy>1<config/></redundancy></content></services>",
         "services.xml:1:33: unsupported element <config> in <redundancy>"),
        (b"<services><container idd='x'/></services>",
         "services.xml:1:11: unknown attribute 'idd' of <container>"),
        (b"<services><container>oops</container></services>",
         "services.xml:1:11: unexpected text 'oops' in <container>"),
        (b"<hosts/>",
         "services.xml:1:1: expected root element <services> or <container>, got <hosts>"),
    ],
)  # fmt: skip
def test_each_kind_of_grammar_error_names_file_line_col(xml: bytes, message: str) -> None:
    assert _errors(xml) == [message]


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<services/>", "hosts.xml:1:1: expected root element <hosts>, got <services>"),
        (b"<hosts>\n  <host><alias>a</alias></host>\n</hosts>",
         "hosts.xml:2:3: <host> needs a 'name' attribute"),
        (b"<hosts><host name=' '/></hosts>",
         "hosts.xml:1:8: attribute 'name' of <host> must be a non-empty text, got ' '"),
        (b"<hosts><host name='h'><alias> </alias></host></hosts>",
         "hosts.xml:1:23: <alias> must be a non-empty text, got ''"),
        (b"<hosts><host name='h'><ip>1</ip></host></hosts>",
         "hosts.xml:1:23: unsupported element <ip> in <host>"),
    ],
)  # fmt: skip
def test_hosts_grammar_errors_name_file_line_col(xml: bytes, message: str) -> None:
    assert _errors(xml, "hosts.xml") == [message]


def test_every_error_of_a_file_is_reported_in_document_order() -> None:
    xml = b"""<services>
  <container>
    <http><server port="0"/><filtering/></http>
    <handler id="h"/>
  </container>
</services>"""
    assert _errors(xml) == [
        "services.xml:3:11: attribute 'port' of <server> must be an integer from 1 to 65535, "
        "got '0'",
        "services.xml:3:29: unsupported <filtering> in <http>: HTTP filters",
        "services.xml:4:5: unsupported <handler> in <container>: request handlers",
    ]


_SAMPLES = [
    p
    for p in [
        CONFORMANCE / "sample-apps" / "multinode",
        CONFORMANCE / "sample-apps" / "album-recommendation" / "app",
        REPO_PACKAGES / "sample",
    ]
    if (p / "services.xml").is_file()
]
_NAMES = ["services", "container", "content", "nodes", "node", "documents", "document",
          "http", "server", "search", "host", "alias", "hosts", "group", "bogus"]  # fmt: skip
_VALUES = ["", "-1", "0", "x y", "true", "index", "99999", "1.5", "a"]


@st.composite
def _mutated(draw: st.DrawFn) -> dict[str, bytes]:
    """A real package whose services.xml or hosts.xml has names or values swapped."""
    root = draw(st.sampled_from(_SAMPLES))
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    name = draw(st.sampled_from(sorted(p for p in files if p in ("services.xml", "hosts.xml"))))
    text = files[name].decode()
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            values = list(re.finditer(r'="[^"]*"', text))
            if values:
                m = draw(st.sampled_from(values))
                text = f'{text[: m.start()]}="{draw(st.sampled_from(_VALUES))}"{text[m.end() :]}'
        else:
            tags = list(re.finditer(r"(?<=<)[\w-]+", text))
            m = draw(st.sampled_from(tags))
            new = draw(st.sampled_from(_NAMES))
            text = text[: m.start()] + new + text[m.end() :]
            text = text.replace(f"</{m.group()}>", f"</{new}>", 1)
    files[name] = text.encode()
    return files


@pytest.mark.skipif(not _SAMPLES, reason="no sample packages")
@settings(max_examples=60, deadline=None)
@given(_mutated())
def test_mutated_real_files_give_only_located_package_errors(files: dict[str, bytes]) -> None:
    try:
        read_package(files)
    except InvalidApplicationPackageError as e:
        xml_messages = [m for m in e.messages if m.startswith(("services.xml", "hosts.xml"))]
        assert all(LOCATED.match(m) for m in xml_messages), xml_messages
