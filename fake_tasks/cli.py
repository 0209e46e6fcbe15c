"""The `fake-tasks` command: `serve` a fake cluster over HTTP, `check` or `record` a real one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from fake_tasks.cluster.model import ES_VERSION
from fake_tasks.serve import DEFAULT_GRACE_S, serve
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
    serve = commands.add_parser(
        "serve",
        help="serve a seeded fake cluster until interrupted",
        usage="fake-tasks serve [options] [-- COMMAND ...]",
        description="Serve a fake cluster. The first line on stdout is its URL. With "
        "`-- COMMAND ...`, run COMMAND with FAKE_TASKS_URL set, then stop and exit with its "
        "status.",
    )
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
    serve.add_argument(
        "--scenario",
        metavar="FILE",
        help="serve the cluster a scenario file (YAML or JSON) describes, or a shipped one by name",
    )
    serve.add_argument(
        "--ready-file",
        metavar="PATH",
        help="write the URL to PATH once the server accepts connections",
    )
    serve.add_argument(
        "-q", "--quiet", action="store_true", help="no log line per request on stderr"
    )
    serve.add_argument(
        "--allow-remote-control",
        action="store_true",
        help="let non-loopback clients use the control API under /_fake_tasks",
    )
    serve.add_argument(
        "--grace",
        type=float,
        default=DEFAULT_GRACE_S,
        metavar="SECONDS",
        help="on SIGTERM/SIGINT, how long to wait for answers in flight (default 5)",
    )
    versions = commands.add_parser(
        "versions",
        help="list the emulated Elasticsearch versions, or what one of them does",
        description="Without VERSION: the emulated release lines and the default. With VERSION: "
        "each behaviour of the version table (docs/versions.md), present or not, and the build "
        "GET / reports.",
    )
    versions.add_argument("version", nargs="?", type=_es_version, help="e.g. 8.15 or 7.17.29")
    auth = auth_options()
    check = commands.add_parser(
        "check",
        parents=[auth],
        help="check a live cluster's task API responses against the JSON Schemas (read-only)",
        description="Send read-only task API requests to URL (lists, gets, a cancel that matches "
        "nothing) and check every response against its JSON Schema. Exits 1 on any mismatch "
        "(or no answer), 2 on a usage error.",
    )
    check.add_argument("url", help="the cluster's base URL, e.g. http://localhost:9200")
    record = commands.add_parser(
        "record",
        parents=[auth],
        help="write a live cluster's running tasks as a scenario file (read-only)",
        description="Read URL's nodes and running tasks (GET /_tasks?detailed&group_by=parents) "
        "and write a scenario that `fake-tasks serve --scenario` replays: the same trees, "
        "actions, descriptions, statuses and headers, times relative to now.",
    )
    record.add_argument("url", help="the cluster's base URL, e.g. http://localhost:9200")
    record.add_argument(
        "-o", "--output", metavar="FILE", help="where to write the scenario (default: stdout)"
    )
    record.add_argument(
        "--anonymize",
        action="store_true",
        help="replace index names, node names, hosts and header values with stand-ins",
    )
    record.add_argument(
        "--indices",
        action="store_true",
        help="also record the open indices (mappings, aliases, document counts)",
    )
    _add_tree_parser(commands, auth)
    return parser


def _add_tree_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], auth: argparse.ArgumentParser
) -> None:
    tree = commands.add_parser(
        "tree",
        parents=[auth],
        help="show a cluster's running tasks as a tree (the fake's or a real one's)",
        description="Read GET /_tasks?detailed=true from URL and draw the tasks as a tree: node, "
        "id, action, state, running time, cancelled. Exits 1 if the cluster gives no task list.",
    )
    tree.add_argument("url", help="the cluster's base URL, e.g. http://localhost:9200")
    tree.add_argument("--actions", help="only tasks whose action matches, e.g. '*reindex'")
    tree.add_argument("--limit", type=int, help="show at most this many tasks")
    tree.add_argument(
        "-w", "--watch", action="store_true", help="redraw until interrupted (Ctrl-C)"
    )
    tree.add_argument(
        "--interval", type=float, default=2.0, help="seconds between redraws with --watch"
    )
    tree.add_argument("--count", type=int, help="with --watch: stop after this many redraws")


def auth_options() -> argparse.ArgumentParser:
    """The connection options `check`, `record` and `tree` share."""
    auth = argparse.ArgumentParser(add_help=False)
    auth.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header (repeatable), e.g. 'Authorization: ApiKey ...'",
    )
    auth.add_argument("-u", "--user", metavar="USER:PASSWORD", help="HTTP basic auth")
    auth.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    auth.add_argument(
        "-k", "--insecure", action="store_true", help="do not verify the TLS certificate"
    )
    auth.add_argument(
        "--cacert", metavar="FILE", help="trust this CA file too (e.g. from `serve --tls`)"
    )
    return auth


def auth_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The `auth_options` of a parsed command line as the keyword arguments of the commands."""
    return {
        "header": args.header,
        "user": args.user,
        "timeout": args.timeout,
        "insecure": args.insecure,
        "ca_certs": args.cacert,
    }


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    child: list[str] = []
    if "--" in given:  # `fake-tasks serve --port 0 -- npm test`: the rest is the child command
        cut = given.index("--")
        given, child = given[:cut], given[cut + 1 :]
    parser = build_parser()
    args = parser.parse_args(given)
    if child and args.command != "serve":
        parser.error("only `serve` runs a command after `--`")
    if args.command == "serve":
        args.child = child
        return serve(args)
    if args.command == "versions":
        print(describe_versions(args.version))
        return 0
    if args.command == "tree":
        from fake_tasks.scripting.livetree import main_tree  # `serve` need not load it

        try:
            return main_tree(
                args.url,
                **auth_arguments(args),
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
        from fake_tasks.contract.live import main_check

        try:
            return main_check(args.url, **auth_arguments(args))
        except ValueError as error:  # a malformed --header
            print(f"fake-tasks check: {error}", file=sys.stderr)
            return 2
    if args.command == "record":
        from fake_tasks.record import main_record

        return main_record(
            args.url,
            output=args.output,
            **auth_arguments(args),
            anonymize=args.anonymize,
            indices=args.indices,
        )
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
