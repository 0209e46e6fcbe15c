"""Hosts for the app: pytest-httpserver (the fixture) or a plain werkzeug server (the CLI)."""

from __future__ import annotations

import functools
import re
import ssl
import threading
from typing import TYPE_CHECKING, Protocol

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from fake_tasks.rest.app import App
from fake_tasks.rest.connection import REQUEST_LOGGER as REQUEST_LOGGER
from fake_tasks.rest.connection import Connections, EsRequestHandler, connections
from fake_tasks.rest.delivery import Dropped, body_complete
from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.tls import TlsFiles

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer


class Host(Protocol):
    connections: Connections

    def start(self) -> None: ...
    def stop(self) -> None: ...
    @property
    def url(self) -> str: ...


_POLL_S = 0.05  # how often a serving loop notices a stop (socketserver's default is 0.5 s)
DRAIN_S = 5.0  # how long a stop waits for answers under way (released waiters writing a 503)


@functools.cache
def _quick_stop_httpserver() -> type[HTTPServer]:
    """pytest-httpserver's server class, imported on first use: `serve` never loads it."""
    from pytest_httpserver import HTTPServer

    class QuickStopHTTPServer(HTTPServer):
        """Notices `stop()` within `_POLL_S` instead of half a second."""

        def application(self, request: Request) -> Response:
            # pytest-httpserver reads the body first; a short one would become werkzeug's HTML 400
            if not body_complete(request):
                return Dropped(reset=False)
            return super().application(request)

        def thread_target(self) -> None:
            if self.server is not None:
                self.server.serve_forever(poll_interval=_POLL_S)

    return QuickStopHTTPServer


class HttpServerHost:
    """The app behind one catch-all pytest-httpserver handler, in a threaded server."""

    def __init__(
        self, app: App, host: str, port: int, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.connections = Connections()
        from pytest_httpserver.httpserver import METHOD_ALL

        self.httpserver = _quick_stop_httpserver()(
            host=host, port=port, ssl_context=ssl_context, threaded=True
        )
        self.httpserver.expect_request(re.compile(".*"), method=METHOD_ALL).respond_with_handler(
            app.handle
        )

    def start(self) -> None:
        self.httpserver.start()
        server = self.httpserver.server
        if server is not None:  # before the URL is known to anyone
            server.RequestHandlerClass = EsRequestHandler
            self.connections = connections(server)

    def stop(self) -> None:
        server = self.httpserver.server
        if self.httpserver.is_running():
            self.httpserver.stop()
        if server is not None:
            server.server_close()
        self.connections.close(DRAIN_S)

    def clear_log(self) -> None:
        self.httpserver.clear_log()

    @property
    def url(self) -> str:
        return self.httpserver.url_for("/").rstrip("/")


class WerkzeugHost:
    """The app on werkzeug's threaded server, for long-running use (keeps no request log)."""

    def __init__(
        self, app: App, host: str, port: int, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._server: BaseWSGIServer = make_server(
            host,
            port,
            app,
            threaded=True,
            request_handler=EsRequestHandler,
            ssl_context=ssl_context,
        )
        self.connections = connections(self._server)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_S},
            name="fake-tasks-server",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.connections.close(DRAIN_S)
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    @property
    def url(self) -> str:
        scheme = "https" if self._server.ssl_context is not None else "http"
        return f"{scheme}://{self._server.host}:{self._server.port}"


class FakeTasksServer:
    """A `FakeTasks` served over real HTTP; stopping releases every blocked request first."""

    def __init__(
        self,
        fake: FakeTasks | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        standalone: bool = False,
        tls: TlsFiles | None = None,
    ) -> None:
        """`tls`: serve HTTPS with this certificate (`fake_tasks.tls.make_tls`)."""
        self.fake = fake or FakeTasks()
        self.app = App(self.fake)
        self.tls = tls
        context = tls.server_context() if tls is not None else None
        self.host: Host = (
            WerkzeugHost(self.app, host, port, context)
            if standalone
            else HttpServerHost(self.app, host, port, context)
        )

    @property
    def url(self) -> str:
        return self.host.url

    @property
    def connections(self) -> Connections:
        """The open client connections (kept alive between requests)."""
        return self.host.connections

    def start(self) -> FakeTasksServer:
        self.host.start()
        self.fake.url = self.url
        if self.tls is not None:
            self.fake.ca_certs = str(self.tls.ca_path)
            self.fake.fingerprint = self.tls.fingerprint
        return self

    def stop(self) -> None:
        self.fake.cluster.close()
        self.host.stop()

    def drain(self, grace_s: float) -> bool:
        """Release every blocked request (it answers 503) and wait, at most `grace_s`, until
        the answers in flight are sent. False if some were still being sent."""
        self.fake.cluster.close()
        return self.connections.close(grace_s) == 0

    def __enter__(self) -> FakeTasksServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
