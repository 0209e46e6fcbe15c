"""The test suite's shared fixtures: an app client without sockets over the test module's `fake`."""

from __future__ import annotations

import pytest
import trustme  # noqa: F401
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
