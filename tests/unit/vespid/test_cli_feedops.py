"""Reading Vespa feed files into operations and /document/v1 requests."""

from __future__ import annotations

import json
from urllib.parse import unquote

import orjson
import pytest
from hypothesis import example, given, strategies as st

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


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=8)
_user_ids = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20)
_ids = st.builds(lambda ns, t, user: f"id:{ns}:{t}::{user}", _names, _names, _user_ids)
_fields = st.dictionaries(_names, st.integers() | st.text(max_size=10) | st.booleans(), max_size=3)
_operations = st.one_of(
    st.builds(lambda i, f: Operation("put", i, f), _ids, _fields),
    st.builds(lambda i, f, c: Operation("update", i, f, c), _ids, _fields, st.booleans()),
    st.builds(lambda i: Operation("remove", i), _ids),
)


def _as_json(op: Operation) -> dict[str, object]:
    obj: dict[str, object] = {op.kind: op.doc_id}
    if op.fields is not None:
        obj["fields"] = op.fields
    if op.create:
        obj["create"] = True
    return obj


@given(st.lists(_operations, max_size=5), st.booleans())
@example(ops=[Operation("put", "id:n:t::big", {"n": -(2**63) - 1})], as_array=True)
def test_feeds_read_back_what_was_written(ops: list[Operation], as_array: bool) -> None:
    objs = [_as_json(op) for op in ops]
    jsonl = "".join(json.dumps(o) + "\n" for o in objs)
    text = json.dumps(objs, indent=1) if as_array else jsonl
    read = list(read_operations(text))
    assert read == ops
    for op in read:
        body = op.request().body
        if op.kind != "remove":
            assert json.loads(body or b"") == {"fields": op.fields}


@given(_ids)
def test_document_paths_keep_the_user_specified_part_in_one_segment(doc_id: str) -> None:
    path = document_path(doc_id)
    prefix, _, last = path.rpartition("/")
    assert prefix.count("/") == 5
    assert unquote(last) == doc_id.split("::", 1)[1]
