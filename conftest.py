"""The test suite's shared fixtures: an app client without sockets over the test module's `fake`,
and the official client over a socket to the `fake_tasks` fixture's server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import trustme  # noqa: F401
from elasticsearch import Elasticsearch
from werkzeug.test import Client

from fake_tasks import FakeTasks
from fake_tasks.rest.app import App

# `trustme` (and `cryptography`) are imported by `fake_tasks.tls` only when HTTPS is asked for.
# Imported for the first time inside an in-process pytester run, they would be dropped from
# `sys.modules` after it and imported anew next time, while cryptography's compiled bindings
# stay: its classes then no longer match ("curve must be an EllipticCurve instance"). Importing
# them here, once, before any inner run keeps a single copy.


@pytest.fixture
def client(fake: FakeTasks) -> Client:
    """A werkzeug test client of the HTTP app over the module's `fake` fixture: no sockets."""
    return Client(App(fake))


@pytest.fixture
def es(fake_tasks: FakeTasks) -> Iterator[Elasticsearch]:
    """The official `elasticsearch` client of the `fake_tasks` fixture's server (5 s, no retries).

    A module that wants other client options defines its own `es`.
    """
    assert fake_tasks.url is not None
    client = Elasticsearch(fake_tasks.url, request_timeout=5, max_retries=0)
    yield client
    client.close()
