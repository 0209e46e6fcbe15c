"""The `fake-tasks` command: `serve` a seeded fake cluster over HTTP."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from fake_tasks.clock import RealtimeClock, VirtualClock
from fake_tasks.fake import FakeTasks, Settings
from fake_tasks.model import ES_VERSION
from fake_tasks.server import FakeTasksServer


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
    serve.add_argument("--es-version", default=ES_VERSION, help="version the cluster reports")
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
    return parser


def serve(
    args: argparse.Namespace,
    *,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve until SIGINT/SIGTERM (or `stop` is set); `ready` is set once the URL is printed."""
    settings = Settings(
        seed=args.seed, nodes=args.nodes, tasks=args.tasks, version=args.es_version, tick=args.tick
    )
    clock = VirtualClock(tick=args.tick) if args.virtual else RealtimeClock(speed=args.speed)
    fake = FakeTasks(settings, clock=clock)
    server = FakeTasksServer(fake, host=args.host, port=args.port, standalone=True)
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
    if ready is not None:
        ready.set()
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("fake-tasks: stopped", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    if args.command == "serve":
        return serve(args)
    return 2
