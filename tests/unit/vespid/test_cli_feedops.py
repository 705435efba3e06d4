"""Reading Vespa feed files into operations and /document/v1 requests."""

from __future__ import annotations

import orjson
import pytest

from vespid.cli.errors import CliError
from vespid.cli.feedops import Operation, document_path, parse_operation, read_operations


@pytest.mark.parametrize(
    ("doc_id", "path"),
    [
        (
            "id:music:music::a-head-full-of-dreams",
            "/document/v1/music/music/docid/a-head-full-of-dreams",
        ),
        ("id:ns:doc::a/b c", "/document/v1/ns/doc/docid/a%2Fb%20c"),
        ("id:ns:doc:n=7:x", "/document/v1/ns/doc/number/7/x"),
        ("id:mail:mail:g=1234:1", "/document/v1/mail/mail/group/1234/1"),
        ("id:ns:doc::søk", "/document/v1/ns/doc/docid/s%C3%B8k"),
        ("id:ns:doc::a:b", "/document/v1/ns/doc/docid/a:b"),
    ],
)
def test_document_path_follows_the_vespa_cli(doc_id: str, path: str) -> None:
    assert document_path(doc_id) == path


def test_invalid_document_id_is_a_cli_error() -> None:
    with pytest.raises(CliError, match="not of the form"):
        document_path("music::a")


def test_put_update_remove_become_post_put_delete() -> None:
    put = parse_operation({"put": "id:n:t::1", "fields": {"a": 1}}, "line 1").request()
    assert (put.method, put.path, put.params) == ("POST", "/document/v1/n/t/docid/1", {})
    assert orjson.loads(put.body or b"") == {"fields": {"a": 1}}

    update = parse_operation(
        {"update": "id:n:t::1", "create": True, "fields": {"a": {"assign": 2}}}, "line 2"
    ).request()
    assert (update.method, update.params) == ("PUT", {"create": "true"})
    assert orjson.loads(update.body or b"") == {"fields": {"a": {"assign": 2}}}

    remove = parse_operation({"remove": "id:n:t::1", "condition": "t.a==2"}, "x").request()
    assert (remove.method, remove.params, remove.body) == ("DELETE", {"condition": "t.a==2"}, None)


def test_id_key_means_put() -> None:
    assert parse_operation({"id": "id:n:t::1", "fields": {}}, "x") == Operation(
        "put", "id:n:t::1", {}
    )


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([1], "expected a JSON object"),
        ({"fields": {}}, "exactly one of"),
        ({"put": "id:n:t::1", "remove": "id:n:t::1"}, "exactly one of"),
        ({"put": 3, "fields": {}}, "must be a string"),
        ({"put": "id:n:t::1"}, "needs 'fields'"),
        ({"put": "id:n:t::1", "fields": []}, "must be an object"),
        ({"remove": "nonsense"}, "not of the form"),
    ],
)
def test_bad_operations_are_refused_with_their_place(obj: object, message: str) -> None:
    with pytest.raises(CliError, match=message) as info:
        parse_operation(obj, "line 9")
    assert info.value.message.startswith(("line 9", "Document id"))


def test_jsonl_and_json_array_and_pretty_objects_read_the_same() -> None:
    ops = [
        {"put": "id:n:t::1", "fields": {"a": 1}},
        {"update": "id:n:t::1", "fields": {"a": {"increment": 1}}},
        {"remove": "id:n:t::1"},
    ]
    jsonl = "\n".join(orjson.dumps(o).decode() for o in ops) + "\n\n"
    array = orjson.dumps(ops, option=orjson.OPT_INDENT_2).decode()
    pretty = "\n".join(orjson.dumps(o, option=orjson.OPT_INDENT_2).decode() for o in ops)
    expected = [parse_operation(o, "") for o in ops]
    assert list(read_operations(jsonl)) == expected
    assert list(read_operations(array)) == expected
    assert list(read_operations(pretty)) == expected
    assert list(read_operations("  \n")) == []


def test_a_broken_line_is_reported_by_number() -> None:
    text = '{"remove": "id:n:t::1"}\n{"remove": "id:n:t::2"}\n{"remove": \n'
    with pytest.raises(CliError, match="line 3"):
        list(read_operations(text))
