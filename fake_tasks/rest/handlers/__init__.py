"""The route table, gathered by discovery: each module here serves one API family.

A family module exports `HANDLERS`, a mapping from API name to its `Prepare` function; the
endpoints come from the API's definition in `fake_tasks.spec`. Adding a module adds its routes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Final

from fake_tasks import spec
from fake_tasks.rest.routing import Match, Prepare, Route, RouteTable, find_route

__all__ = ["HANDLERS", "ROUTES", "route_for"]


def _handlers() -> dict[str, Prepare]:
    found: dict[str, Prepare] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        family = importlib.import_module(f"{__name__}.{module.name}")
        for api, prepare in family.HANDLERS.items():
            if api in found:
                raise RuntimeError(f"two handlers for {api!r}")
            if api not in spec.APIS:
                raise RuntimeError(f"{module.name} handles {api!r}, which fake_tasks.spec lacks")
            found[api] = prepare
    return found


HANDLERS: Final[Mapping[str, Prepare]] = _handlers()
"""Every API's handler, by API name."""

ROUTES: Final[tuple[Route, ...]] = tuple(
    Route(method, path, api.name, HANDLERS[api.name])
    for api in spec.APIS.values()
    if api.name in HANDLERS
    for method, path in api.endpoints
)
"""Every route the fake serves: each handled API's endpoints."""


def route_for(method: str, path: str) -> Match:
    """The route serving `method path`, or the methods the path allows (empty: no such path)."""
    return find_route(method, path, _TABLE)


_TABLE: Final = RouteTable(ROUTES)
