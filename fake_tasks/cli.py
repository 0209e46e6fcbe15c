"""The `fake-tasks` command: `serve` a seeded fake cluster over HTTP, `check` a real one."""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from fake_tasks.cluster.clock import RealtimeClock, VirtualClock
from fake_tasks.cluster.model import ES_VERSION
from fake_tasks.contract.live import main_check
from fake_tasks.contract.schemas import ResponseViolation
from fake_tasks.scripting.fake import FakeTasks, Settings
from fake_tasks.scripting.livetree import main_tree
from fake_tasks.server import REQUEST_LOGGER, FakeTasksServer
from fake_tasks.tls import make_tls
from fake_tasks.versions import (
    FEATURES,
    MINORS,
    UnsupportedVersion,
    parse_version,
    supported_text,
)


def _es_version(text: str) -> str:
    try:
        return parse_version(text).number
    except UnsupportedVersion as error:
        raise argparse.ArgumentTypeError(str(error)) from None


SERVE_JOURNAL_BYTES = 1024 * 1024
_BYTE_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def byte_size(text: str) -> int:
    """A positive size in bytes: `65536`, `512kb`, `1mb`, `2gb` (units as Elasticsearch's)."""
    value = text.strip().lower()
    unit = next((u for u in ("kb", "mb", "gb", "b") if value.endswith(u)), "")
    number = value[: len(value) - len(unit)].strip()
    if not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError(f"not a size in bytes: {text!r} (e.g. 1mb, 512kb)")
    return int(number) * _BYTE_UNITS.get(unit, 1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fake-tasks", description="A fake Elasticsearch task management API."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a seeded fake cluster until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=9200, help="port (0: any free port)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the generated cluster")
    serve.add_argument("--nodes", type=int, default=3, help="number of nodes")
    serve.add_argument("--tasks", type=int, default=30, help="number of generated tasks")
    serve.add_argument(
        "--es-version",
        default=ES_VERSION,
        type=_es_version,
        help=f"Elasticsearch version to emulate: {supported_text()} (default {ES_VERSION})",
    )
    time_group = serve.add_mutually_exclusive_group()
    time_group.add_argument(
        "--speed", type=float, default=1.0, help="realtime clock speed factor (default 1.0)"
    )
    time_group.add_argument(
        "--virtual",
        action="store_true",
        help="deterministic virtual clock moved by --tick per request instead of real time",
    )
    serve.add_argument("--tick", default="1s", help="virtual time per request with --virtual")
    serve.add_argument(
        "-q", "--quiet", action="store_true", help="do not log each request to stderr"
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="answer a 500 instead of a response that breaks its JSON Schema (default: log it)",
    )
    serve.add_argument(
        "--journal-size",
        type=byte_size,
        default=SERVE_JOURNAL_BYTES,
        metavar="BYTES",
        help="memory the journal of recent requests and answers may use, e.g. 512kb or 256mb "
        "(default 1mb; the oldest exchanges are dropped past it: raise it to keep more)",
    )
    serve.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate from a throwaway CA; prints the CA file and the "
        "certificate's SHA-256 fingerprint",
    )
    serve.add_argument(
        "--tls-dir",
        metavar="DIR",
        help="with --tls: write ca.pem, server.pem and server-key.pem here and keep them "
        "(default: a temporary directory removed on exit)",
    )
    serve.add_argument(
        "--security",
        action="store_true",
        help="require credentials, as a secured cluster does: the built-in superuser is "
        "elastic / changeme",
    )
    versions = commands.add_parser(
        "versions",
        help="list the emulated Elasticsearch versions, or what one of them does",
        description="Without VERSION: the emulated release lines and the default. With VERSION: "
        "each behaviour of the version table (docs/versions.md), present or not, and the build "
        "GET / reports.",
    )
    versions.add_argument("version", nargs="?", type=_es_version, help="e.g. 8.15 or 7.17.29")
    check = commands.add_parser(
        "check",
        help="check a live cluster's task API responses against the JSON Schemas (read-only)",
        description="Send read-only task API requests to URL (lists, gets, a cancel that matches "
        "nothing) and check every response against its JSON Schema. Exits 1 on any mismatch "
        "(or no answer), 2 on a usage error.",
    )
    check.add_argument("url", help="the cluster's base URL, e.g. http://localhost:9200")
    check.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header (repeatable), e.g. 'Authorization: ApiKey ...'",
    )
    check.add_argument("-u", "--user", metavar="USER:PASSWORD", help="HTTP basic auth")
    check.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    check.add_argument(
        "-k", "--insecure", action="store_true", help="do not verify the TLS certificate"
    )
    check.add_argument(
        "--cacert", metavar="FILE", help="trust this CA file too (e.g. from `serve --tls`)"
    )
    _add_tree_parser(commands)
    return parser


def _add_tree_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tree = commands.add_parser(
        "tree",
        help="show a cluster's running tasks as a tree (the fake's or a real one's)",
        description="Read GET /_tasks?detailed=true from URL and draw the tasks as a tree: node, "
        "id, action, state, running time, cancelled. Exits 1 if the cluster gives no task list.",
    )
    tree.add_argument("url", help="the cluster's base URL, e.g. http://localhost:9200")
    tree.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header (repeatable), e.g. 'Authorization: ApiKey ...'",
    )
    tree.add_argument("-u", "--user", metavar="USER:PASSWORD", help="HTTP basic auth")
    tree.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    tree.add_argument(
        "-k", "--insecure", action="store_true", help="do not verify the TLS certificate"
    )
    tree.add_argument(
        "--cacert", metavar="FILE", help="trust this CA file too (e.g. from `serve --tls`)"
    )
    tree.add_argument("--actions", help="only tasks whose action matches, e.g. '*reindex'")
    tree.add_argument("--limit", type=int, help="show at most this many tasks")
    tree.add_argument(
        "-w", "--watch", action="store_true", help="redraw until interrupted (Ctrl-C)"
    )
    tree.add_argument(
        "--interval", type=float, default=2.0, help="seconds between redraws with --watch"
    )
    tree.add_argument("--count", type=int, help="with --watch: stop after this many redraws")


def serve(
    args: argparse.Namespace,
    *,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve until SIGINT/SIGTERM (or `stop` is set); `ready` is set once the URL is printed."""
    settings = Settings(
        seed=args.seed,
        nodes=args.nodes,
        tasks=args.tasks,
        version=args.es_version,
        tick=args.tick,
        security=args.security,
    )
    clock = VirtualClock(tick=args.tick) if args.virtual else RealtimeClock(speed=args.speed)
    fake = FakeTasks(settings, clock=clock)
    fake.journal.limit(max_bytes=args.journal_size)
    if threading.current_thread() is threading.main_thread():
        gc.freeze()  # the cluster lives as long as the process: collections need not rescan it
    fake.contract.strict = args.strict
    fake.contract.on_violation = log_violation
    scratch = None
    tls = None
    if args.tls:
        if args.tls_dir is None:
            scratch = tempfile.TemporaryDirectory(prefix="fake-tasks-tls-")
        tls = make_tls(Path(args.tls_dir or (scratch.name if scratch else ".")))
    server = FakeTasksServer(fake, host=args.host, port=args.port, standalone=True, tls=tls)
    requests = logging.getLogger(REQUEST_LOGGER)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("fake-tasks: %(message)s"))
    if not args.quiet:
        requests.addHandler(handler)
        requests.setLevel(logging.INFO)
    server.start()
    stop = stop or threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
    print(
        f"fake-tasks: serving seed {args.seed} ({args.nodes} nodes, {args.tasks} tasks, "
        f"Elasticsearch {args.es_version}) at {server.url}",
        flush=True,
    )
    if args.security:
        print("fake-tasks: security on: user elastic, password changeme", flush=True)
    if tls is not None:
        print(f"fake-tasks: CA certificate {tls.ca_path}", flush=True)
        print(f"fake-tasks: server certificate SHA-256 {tls.fingerprint}", flush=True)
    if ready is not None:
        ready.set()
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        requests.removeHandler(handler)
        if scratch is not None:
            scratch.cleanup()
        print("fake-tasks: stopped", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    if args.command == "serve":
        return serve(args)
    if args.command == "versions":
        print(describe_versions(args.version))
        return 0
    if args.command == "tree":
        try:
            return main_tree(
                args.url,
                header=args.header,
                user=args.user,
                timeout=args.timeout,
                insecure=args.insecure,
                ca_certs=args.cacert,
                actions=args.actions,
                limit=args.limit,
                watch=args.watch,
                interval=args.interval,
                count=args.count,
            )
        except ValueError as error:  # a malformed --header
            print(f"fake-tasks tree: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 0
    if args.command == "check":
        try:
            return main_check(
                args.url,
                header=args.header,
                user=args.user,
                timeout=args.timeout,
                insecure=args.insecure,
                ca_certs=args.cacert,
            )
        except ValueError as error:  # a malformed --header
            print(f"fake-tasks check: {error}", file=sys.stderr)
            return 2
    return 2


def describe_versions(version: str | None) -> str:
    """`fake-tasks versions [VERSION]`."""
    if version is None:
        lines = [f"{major}.{minor}" for major, minor in MINORS]
        return f"emulated: {', '.join(lines)} (default {ES_VERSION})"
    emulated = parse_version(version)
    build = emulated.build
    out = [
        f"Elasticsearch {emulated.number}: build {build.hash} of {build.date}, Lucene "
        f"{build.lucene}"
        + ("" if "build_hash" in build.verified else " (build: placeholders, not verified)")
    ]
    for feature in FEATURES:
        present = emulated.has(feature.key)
        what = feature.what if present else feature.otherwise
        out.append(f"  {'yes' if present else 'no '} {feature.key}: {what}")
    return "\n".join(out)


def log_violation(found: ResponseViolation) -> None:
    """`serve`: one stderr line per way a response breaks its contract."""
    for line in found.lines():
        print(f"fake-tasks: contract violation: {line}", file=sys.stderr, flush=True)
