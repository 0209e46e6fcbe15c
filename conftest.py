"""The test suite's shared fixtures: an app client without sockets over the test module's `fake`."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks
from fake_tasks.rest.app import App


@pytest.fixture
def client(fake: FakeTasks) -> Client:
    """A werkzeug test client of the HTTP app over the module's `fake` fixture: no sockets."""
    return Client(App(fake))
