"""The ``vespid`` command line: parse the verb and its flags, run it, turn errors into a sentence.

Verbs and flags follow the vespa CLI where it has one (``deploy --wait``, ``feed
--connections``, ``query 'yql' key=value``, ``document get|put|update|remove``,
``visit``, ``status``); ``up``, ``down`` and ``node`` are Vespid's own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import uvloop

from vespid.cli import client
from vespid.cli.configserver import ConfigServer
from vespid.cli.deploy import deploy, describe_endpoints, wait_for_application
from vespid.cli.errors import CliError
from vespid.cli.feed import Feeder, FeedStats
from vespid.cli.feedops import read_operations
from vespid.cli.local import UpOptions, down, up

DEFAULT_HOME = Path("~/.vespid")


def _out(line: str) -> None:
    print(line, flush=True)


def _err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _add_client_flags(parser: argparse.ArgumentParser, timeout: float = 10.0) -> None:
    parser.add_argument(
        "--config-server",
        default=client.DEFAULT_CONFIG_SERVER,
        help="config server URL (default %(default)s)",
    )
    parser.add_argument(
        "-t",
        "--target",
        help="container URL (default: found through the config server, else "
        f"{client.DEFAULT_TARGET})",
    )
    parser.add_argument(
        "--timeout", type=float, default=timeout, help="seconds per request (default %(default)g)"
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vespid", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    up = verbs.add_parser("up", help="start Vespid on this host, and deploy APP_DIR if given")
    up.add_argument("app_dir", nargs="?", type=Path, metavar="APP_DIR")
    up.add_argument("--home", type=Path, default=DEFAULT_HOME, help="default ~/.vespid")
    up.add_argument("--config-port", type=int, default=19071)
    up.add_argument("--zookeeper-port", type=int, default=2181)
    up.add_argument("--wait", type=float, default=180.0, help="seconds per step (default 180)")

    down = verbs.add_parser("down", help="stop what `vespid up` started; keep the data")
    down.add_argument("--home", type=Path, default=DEFAULT_HOME, help="default ~/.vespid")

    node = verbs.add_parser("node", help="run the node agent (started by `vespid up`)")
    node.add_argument("--config-server", required=True, help="URL, or comma-separated URLs")
    node.add_argument("--hostname", default="localhost")
    node.add_argument("--home", type=Path, default=DEFAULT_HOME)

    deploy = verbs.add_parser("deploy", help="deploy an application package directory")
    deploy.add_argument("app_dir", type=Path, metavar="APP_DIR")
    deploy.add_argument("--config-server", default=client.DEFAULT_CONFIG_SERVER)
    deploy.add_argument(
        "--wait", type=float, default=120.0, help="seconds to wait for convergence (0: none)"
    )

    feed = verbs.add_parser("feed", help="feed JSONL or JSON-array files of document operations")
    feed.add_argument("files", nargs="+", metavar="FILE", help="'-' reads standard input")
    feed.add_argument(
        "--connections",
        type=int,
        default=64,
        help="requests in flight, one per HTTP/1.1 connection (default 64; the vespa CLI's "
        "8 connections each carry many HTTP/2 streams)",
    )
    _add_client_flags(feed, timeout=60.0)

    query = verbs.add_parser("query", help="run a YQL query: vespid query 'select ...' hits=5")
    query.add_argument("args", nargs="+", metavar="ARG")
    _add_client_flags(query)

    document = verbs.add_parser("document", help="get, put, update or remove one document")
    ops = document.add_subparsers(dest="op", required=True, metavar="OP")
    get = ops.add_parser("get", help="vespid document get ID")
    get.add_argument("doc_id", metavar="ID")
    _add_client_flags(get)
    for op in ("put", "update", "remove"):
        write = ops.add_parser(op, help=f"vespid document {op} [ID] [JSON_FILE]")
        write.add_argument("args", nargs="+", metavar="ID|JSON_FILE")
        _add_client_flags(write)

    visit = verbs.add_parser("visit", help="print every document (JSONL), or a selection")
    visit.add_argument("--content-cluster", help="the content cluster to visit")
    visit.add_argument("--selection", help="a document selection, e.g. 'book.year > 2000'")
    visit.add_argument("--field-set", help="fields to return, e.g. 'book:[document]'")
    visit.add_argument("--chunk-count", type=int, default=1000, help="documents per request")
    _add_client_flags(visit)

    status = verbs.add_parser("status", help="is the config server up, do containers answer")
    _add_client_flags(status)
    return parser


def _id_and_file(args: Sequence[str]) -> tuple[str | None, Path | None]:
    """``[ID] [FILE]``: an argument starting with ``id:`` is the id, another is the file."""
    doc_id = next((a for a in args if a.startswith("id:")), None)
    file = next((Path(a) for a in args if not a.startswith("id:")), None)
    if len(args) > 2 or (len(args) == 2 and (doc_id is None or file is None)):
        raise CliError("Expected [ID] [JSON_FILE]")
    return doc_id, file


def _read_feed(name: str) -> str:
    try:
        return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as e:
        raise CliError(f"Cannot read {name}: {e}") from e


def _show_progress(stats: FeedStats, seconds: float) -> None:
    rate = stats.ok / seconds if seconds > 0 else 0.0
    sys.stderr.write(
        f"\r{stats.ok} ok, {stats.failed} failed, {stats.inflight} in flight, "
        f"{rate:.0f} ops/s, {seconds:.0f} s "
    )
    sys.stderr.flush()


def _feed(ns: argparse.Namespace) -> int:
    target = client.resolve_target(ns.target, ns.config_server)
    feeder = Feeder(
        target,
        connections=ns.connections,
        timeout=ns.timeout,
        report=_err,
        progress=_show_progress if sys.stderr.isatty() else None,
    )
    started = time.monotonic()
    operations = (op for name in ns.files for op in read_operations(_read_feed(name)))
    # uvloop: the feeder is a tight loop of small requests, and uvloop's event loop
    # costs less per request than asyncio's own.
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        stats = runner.run(feeder.feed(operations))
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    _out(json.dumps(stats.summary(time.monotonic() - started), indent=2))
    return 0 if stats.failed == 0 else 1


def _document(ns: argparse.Namespace) -> int:
    target = client.resolve_target(ns.target, ns.config_server)
    if ns.op == "get":
        return client.document_get(target, ns.doc_id, ns.timeout, _out)
    doc_id, file = _id_and_file(ns.args)
    return client.document_write(target, ns.op, doc_id, file, ns.timeout, _out)


def _visit(ns: argparse.Namespace) -> int:
    target = client.resolve_target(ns.target, ns.config_server)
    params = {"wantedDocumentCount": str(ns.chunk_count)}
    for key, value in (
        ("cluster", ns.content_cluster),
        ("selection", ns.selection),
        ("fieldSet", ns.field_set),
    ):
        if value:
            params[key] = value
    return client.visit(target, params, ns.timeout, _out)


def _deploy(ns: argparse.Namespace) -> int:
    server = ConfigServer(ns.config_server)
    try:
        result = deploy(server, ns.app_dir, _out)
        if ns.wait > 0:
            state = wait_for_application(server, result.session_id, ns.wait)
            for line in describe_endpoints(state):
                _out(line)
    finally:
        server.close()
    return 0


def _run(ns: argparse.Namespace) -> int:
    if ns.verb == "up":
        opts = UpOptions(ns.home, ns.app_dir, ns.config_port, ns.zookeeper_port, wait=ns.wait)
        up(opts, _out)
        return 0
    if ns.verb == "down":
        down(ns.home, _out)
        return 0
    if ns.verb == "node":
        # Imported here: the agent brings in the service runtime, which other verbs skip.
        from vespid.cli.agent import run_node_agent

        urls = [u.strip() for u in ns.config_server.split(",") if u.strip()]
        return asyncio.run(run_node_agent(urls, ns.hostname, ns.home.expanduser().resolve()))
    if ns.verb == "deploy":
        return _deploy(ns)
    if ns.verb == "feed":
        return _feed(ns)
    if ns.verb == "query":
        target = client.resolve_target(ns.target, ns.config_server)
        return client.query(target, ns.args, ns.timeout, _out)
    if ns.verb == "document":
        return _document(ns)
    if ns.verb == "visit":
        return _visit(ns)
    return client.status(ns.config_server, ns.target, _out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``vespid`` command with ``argv`` (default: the process arguments)."""
    ns = _build_parser().parse_args(argv)
    try:
        return _run(ns)
    except CliError as e:
        _err(f"Error: {e.message}")
        return 1
    except KeyboardInterrupt:
        return 130
