"""Routing cost pinned as counts: a request is matched only against the routes that can fit it."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.rest.app import App
from fake_tasks.rest.handlers import ROUTES
from fake_tasks.rest.routing import Route


@pytest.fixture
def tried(monkeypatch: pytest.MonkeyPatch) -> list[Route]:
    """Every route `Route.match` is asked about, in order."""
    seen: list[Route] = []
    original = Route.match

    def counting(self: Route, segments: list[str]) -> dict[str, str] | None:
        seen.append(self)
        return original(self, segments)

    monkeypatch.setattr(Route, "match", counting)
    return seen


@pytest.fixture
def client() -> Client:
    return Client(App(FakeTasks(Settings(tasks=5, tick=0))))


@pytest.mark.parametrize(
    ("method", "path", "status", "most"),
    [
        ("GET", "/_tasks", 200, 5),  # `/_tasks` and the four one-word `/{index}` routes
        ("GET", "/_tasks/n:1", 404, 6),  # two `/_tasks/...` and four `/{index}/...`
        ("POST", "/_tasks/_cancel", 200, 6),
        ("GET", "/", 200, 2),
        ("GET", "/my-index/_rollup/data", 404, 1),
    ],
)
def test_a_request_tries_only_the_routes_that_can_fit_it(
    client: Client, tried: list[Route], method: str, path: str, status: int, most: int
) -> None:
    """Once per request (describing, routing and the contract share the match), and only the
    routes of the path's length whose first word is the path's or a `{param}`."""
    client.open("/", method="GET")  # warm
    tried.clear()
    response = client.open(path, method=method)
    assert response.status_code == status, response.get_data()
    assert len(tried) <= most, [f"{r.method} {r.path}" for r in tried]
    assert len(ROUTES) > 30  # before: the whole table, three times per request


def test_unmatched_paths_answer_as_before(client: Client) -> None:
    """400 "no handler found", 405 with Allow, and the journal's "did you mean"."""
    wrong = client.open("/_tasks", method="DELETE")
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "GET"
    missing = client.get("/_task/n:1")
    assert missing.status_code == 400
    assert b"no handler found for uri [/_task/n:1] and method [GET]" in missing.get_data()
    exchange = client.application.fake.journal.last(path="/_task/n:1")
    assert exchange is not None
    assert exchange.request.near == ("GET /_tasks/{task_id}",)
