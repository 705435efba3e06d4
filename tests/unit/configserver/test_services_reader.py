"""services.xml and hosts.xml: the supported subset, refusals with file:line:col, safety."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from configserver.apppackage import read_package
from configserver.apppackage.hosts import read_hosts
from configserver.apppackage.services import (
    ContainerSpec,
    ContentSpec,
    DocumentSpec,
    NodeSpec,
    ServicesReader,
)
from configserver.apppackage.xml import XmlFile
from configserver.errors import InvalidApplicationPackageError
from configserver.model import derive_application
from tests.unit.configserver.conftest import CONFORMANCE, port_counter, read_package_dir

SERVICES = b"""<?xml version="1.0"?>
<services version="1.0">
  <admin version="2.0"><adminserver hostalias="a"/></admin>
  <container id="query" version="1.0">
    <search/>
    <document-api/>
    <http><server id="s" port="8081"/></http>
    <nodes><jvm options="-Xmx1g"/><node hostalias="a"/><node hostalias="b"/></nodes>
  </container>
  <content id="music" version="1.0">
    <min-redundancy>2</min-redundancy>
    <documents><document type="music" mode="index"/>
      <document type="tags" mode="store-only" global="true"/></documents>
    <group>
      <distribution partitions="1|*"/>
      <group name="g0" distribution-key="0"><node hostalias="a" distribution-key="0"/></group>
      <group name="g1" distribution-key="1"><node hostalias="b" distribution-key="1"/></group>
    </group>
    <tuning><searchnode/></tuning>
  </content>
</services>
"""


def test_supported_subset() -> None:
    reader = ServicesReader(XmlFile(SERVICES, "services.xml"))
    spec = reader.read()
    assert reader.errors == []
    assert spec.containers == (
        ContainerSpec("query", 8081, True, True, False, (NodeSpec("a"), NodeSpec("b"))),
    )
    assert spec.contents == (
        ContentSpec(
            "music",
            2,
            (DocumentSpec("music"), DocumentSpec("tags", "store-only", True)),
            (NodeSpec("a", 0), NodeSpec("b", 1)),
        ),
    )
    assert reader.warnings == [
        "services.xml:3:3: <admin> in <services> is ignored",
        "services.xml:8:12: <jvm> in <nodes> is ignored",
        "services.xml:13:7: <document mode='store-only'>: Vespid stores, indexes and searches "
        "the documents as in mode 'index'",
        "services.xml:19:5: <tuning> in <content> is ignored",
    ]


def test_container_root_and_defaults() -> None:
    reader = ServicesReader(XmlFile(b'<container version="1.0"><search/></container>', "s.xml"))
    spec = reader.read()
    assert spec.containers[0].id == "default"
    assert spec.containers[0].port == 8080
    assert spec.containers[0].nodes == (NodeSpec(""),)


def test_content_without_nodes_is_one_local_node() -> None:
    reader = ServicesReader(XmlFile(b"<services><content id='c'/></services>", "services.xml"))
    assert reader.read().contents[0].nodes == (NodeSpec("", 0),)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<services>\n  <container><component id='x'/></container></services>",
         "services.xml:2:14: unsupported <component> in <container>: "
         "Java components and embedders"),
        (b"<services><routing/></services>",
         "services.xml:1:11: unsupported element <routing> in <services>"),
        (b"<services><content><nodes><node hostalias='a'/></nodes></content></services>",
         "services.xml:1:27: <node> needs a 'distribution-key' attribute"),
        (b"<services><content><redundancy>two</redundancy></content></services>",
         "services.xml:1:20: <redundancy> must be an integer >= 1, got 'two'"),
        (b"<services><container><http><server port='70000'/></http></container></services>",
         "services.xml:1:28: attribute 'port' of <server> must be an integer from 1 to "
         "65535, got '70000'"),
        (b"<services><content><documents><document type='a' mode='x'/></documents>"
         b"</content></services>",
         "services.xml:1:31: attribute 'mode' of <document> must be one of 'index', "
         "'streaming', 'store-only', got 'x'"),
        (b"<services><content><documents><document type='a' global='yes'/></documents>"
         b"</content></services>",
         "services.xml:1:31: attribute 'global' of <document> must be 'true' or 'false', "
         "got 'yes'"),
        (b"<hosts/>",
         "services.xml:1:1: expected root element <services> or <container>, got <hosts>"),
    ],
)  # fmt: skip
def test_structure_errors_name_file_line_col(xml: bytes, message: str) -> None:
    reader = ServicesReader(XmlFile(xml, "services.xml"))
    reader.read()
    assert reader.errors == [message]


def test_malformed_xml_gives_line_and_column() -> None:
    with pytest.raises(InvalidApplicationPackageError) as info:
        XmlFile(b"<services>\n  <container>\n</services>", "services.xml")
    assert info.value.messages[0].startswith("services.xml:3:")


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<services>&x;</services>",
        b'<!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<services>&b;</services>",
    ],
)
def test_entities_and_doctype_are_refused(payload: bytes) -> None:
    with pytest.raises(InvalidApplicationPackageError) as info:
        XmlFile(payload, "services.xml")
    assert "root:" not in str(info.value)
    assert info.value.messages[0].startswith("services.xml:")


def test_hosts() -> None:
    errors: list[str] = []
    hosts = read_hosts(
        XmlFile(
            b"<hosts>\n<host name='n1.example'><alias>a</alias><alias>b</alias></host>\n"
            b"<host name='n2.example'><alias>a</alias></host></hosts>",
            "hosts.xml",
        ),
        errors,
    )
    assert hosts.aliases == {"a": "n1.example", "b": "n1.example"}
    assert errors == ["hosts.xml:3:25: alias 'a' is already defined at hosts.xml:2:25"]


def test_package_reports_every_broken_file_at_once() -> None:
    files = {
        "services.xml": b"<services><bogus/></services>",
        "hosts.xml": b"<hosts><host>",
        "schemas/a.sd": b"schema a { document a { field x type string { foo } } }",
        "schemas/b.sd": b"schema b {",
    }
    with pytest.raises(InvalidApplicationPackageError) as info:
        read_package(files)
    files_named = [m.split(":")[0] for m in info.value.messages]
    assert files_named == ["services.xml", "hosts.xml", "schemas/a.sd", "schemas/b.sd"]


def test_package_without_services_xml() -> None:
    with pytest.raises(InvalidApplicationPackageError) as info:
        read_package({})
    assert info.value.messages == ["services.xml:1:1: the application package has no services.xml"]


def test_files_vespid_does_not_read_are_warned_about() -> None:
    package = read_package(
        {
            "services.xml": b"<services/>",
            "schemas/a.sd": b"schema a { document a {} }",
            "schemas/old/b.sd": b"schema b {}",
            "search/query-profiles/default.xml": b"<query-profile id='default'/>",
            "deployment.xml": b"<deployment/>",
            "README.md": b"docs",
        }
    )
    assert [s.name for s in package.schemas] == ["a"]
    assert package.warnings == (
        "deployment.xml:1:1: deployment.xml is ignored (no zones or instances when self-hosted)",
        "schemas/old/b.sd:1:1: schema files are read only from schemas/; ignored",
        "search/query-profiles/default.xml:1:1: query profiles are not supported; the file is "
        "ignored",
    )


_XML_TOKENS = ["<", ">", "/", '"', "=", "<node hostalias='x' distribution-key='-1'/>",
               "<content id='music'>", "&x;", "<!DOCTYPE a>", "port='0'", "\x00", "é"]  # fmt: skip


@st.composite
def _mutated_services(draw: st.DrawFn) -> dict[str, bytes]:
    root = (
        CONFORMANCE
        / "sample-apps"
        / draw(st.sampled_from(["multinode", "album-recommendation/app"]))
    )
    files = read_package_dir(root) if root.is_dir() else {"services.xml": SERVICES}
    name = draw(st.sampled_from(sorted(p for p in files if p.endswith(".xml"))))
    text = files[name].decode("utf-8", errors="replace")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 30)))
        text = text[:i] + draw(st.sampled_from(["", *_XML_TOKENS])) + text[j:]
    files[name] = text.encode("utf-8", errors="replace")
    return files


@settings(max_examples=50)
@given(_mutated_services())
def test_mutated_services_and_hosts_give_only_our_error(files: dict[str, bytes]) -> None:
    try:
        derive_application(files, 1, None, port_counter())
    except InvalidApplicationPackageError as e:
        messages = e.messages
    else:
        return
    assert messages
    assert all(m.split(":")[0].endswith((".xml", ".sd")) for m in messages), messages


def test_attributes_vespid_does_not_read_are_warned_about() -> None:
    xml = b"""<services version="1.0" xmlns:deploy="vespa">
  <container id="c" version="1.0" deploy:environment="prod"><search/>
    <nodes><node hostalias="a" baseport="5000"/></nodes></container>
  <content id="m" version="1.0"><redundancy reply-after="1">1</redundancy>
    <documents garbage-collection="true"><document type="music"/></documents>
    <nodes count="2" groups="2"/></content>
</services>"""
    reader = ServicesReader(XmlFile(xml, "services.xml"))
    reader.read()
    assert reader.errors == []
    assert reader.warnings == [
        "services.xml:2:3: attribute 'environment' of <container> is ignored",
        "services.xml:3:12: attribute 'baseport' of <node> is ignored",
        "services.xml:4:33: attribute 'reply-after' of <redundancy> is ignored",
        "services.xml:5:5: attribute 'garbage-collection' of <documents> is ignored",
        "services.xml:6:5: attribute 'groups' of <nodes> is ignored",
        "services.xml:6:5: <nodes count='2'>: 2 on localhost",
    ]


def test_misspelt_attributes_are_refused_not_ignored() -> None:
    xml = b"""<services version="1.0">
  <content id="m" version="1.0">
    <documents><document type="music" mod="streaming"/></documents></content>
</services>"""
    reader = ServicesReader(XmlFile(xml, "services.xml"))
    reader.read()
    assert reader.errors == ["services.xml:3:16: unknown attribute 'mod' of <document>"]
