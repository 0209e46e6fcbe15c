"""Servers the benchmarks talk to from outside: a fake with a reset hook, recorded bytes, hello.

Run: python bench/host.py fake --tasks N   (`POST /_bench/reset` resets the fake, untimed)
     python bench/host.py bytes FILE       (bare werkzeug answering every request with FILE)
     python bench/host.py hello            (werkzeug's smallest server: the spawn baseline)
Each prints its URL on stdout once it listens, and serves until terminated.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

Wsgi = Callable[[dict[str, Any], Any], Iterable[bytes]]
ES_HEADERS = {"Content-Type": "application/json", "X-elastic-product": "Elasticsearch"}


def fake_app(tasks: int, seed: int, tick: str) -> tuple[Wsgi, Any]:
    from fake_tasks import FakeTasks, Settings
    from fake_tasks.rest.app import App
    from fake_tasks.server import EsRequestHandler

    fake = FakeTasks(Settings(seed=seed, tasks=tasks, tick=tick))
    app = App(fake)

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/_bench/reset":
            fake.reset()
            return Response(b"{}", headers=ES_HEADERS)(environ, start_response)
        return app(environ, start_response)

    return wsgi, EsRequestHandler


def bytes_app(path: Path) -> Wsgi:
    data = path.read_bytes()

    @Request.application
    def wsgi(request: Request) -> Response:
        return Response(data, headers=ES_HEADERS)

    return wsgi


def hello_app() -> Wsgi:
    @Request.application
    def wsgi(request: Request) -> Response:
        return Response("hello")

    return wsgi


def main() -> None:
    parser = argparse.ArgumentParser()
    kinds = parser.add_subparsers(dest="kind", required=True)
    fake = kinds.add_parser("fake")
    fake.add_argument("--tasks", type=int, default=30)
    fake.add_argument("--seed", type=int, default=0)
    fake.add_argument("--tick", default="1s")
    recorded = kinds.add_parser("bytes")
    recorded.add_argument("file", type=Path)
    kinds.add_parser("hello")
    args = parser.parse_args()
    handler = None
    if args.kind == "fake":
        app, handler = fake_app(args.tasks, args.seed, args.tick)
    elif args.kind == "bytes":
        app = bytes_app(args.file)
    else:
        app = hello_app()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=handler)
    print(f"listening at http://127.0.0.1:{server.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
