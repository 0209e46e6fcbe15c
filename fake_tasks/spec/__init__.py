"""The API definitions, one module per family, gathered into one registry by discovery.

Each module here other than `base` and `javanum` defines a family: `APIS`, a tuple of
`ApiSpec` (name, endpoints, parameters in the server's read order), and `DEVIATIONS`, where the
server and its documents disagree. Adding a module adds its APIs; nothing else lists them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Final

from fake_tasks.spec.base import (
    COMMON,
    ApiSpec,
    Deviation,
    Endpoint,
    Param,
    ParamType,
    problem,
)

__all__ = [
    "APIS",
    "COMMON",
    "DEVIATIONS",
    "FAMILIES",
    "ApiSpec",
    "Deviation",
    "Endpoint",
    "Param",
    "ParamType",
    "problem",
    "problems",
]


_HELPERS = ("base", "javanum")  # modules here that define no family


def _families() -> tuple[str, ...]:
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _HELPERS))


FAMILIES: Final = _families()
"""The family modules, by name (`tasks`, `info`, ...)."""

_modules = [importlib.import_module(f"{__name__}.{family}") for family in FAMILIES]

APIS: Final[Mapping[str, ApiSpec]] = {
    spec.name: spec for module in _modules for spec in module.APIS
}
"""Every API the fake serves, by name."""

DEVIATIONS: Final[tuple[Deviation, ...]] = tuple(d for m in _modules for d in m.DEVIATIONS)


def problems(api: str, values: Mapping[str, str]) -> list[str]:
    """Every reason the server refuses these query and path values for `api`.

    Unknown names, values the parameter's type refuses, and the request checks that follow
    (a get needs a task id; a cancel takes a task id or node ids, not both). Not the server's
    exact messages, and not only the first: use it to tell valid requests from invalid ones.
    """
    spec = APIS[api]
    out = []
    for name, value in values.items():
        param = spec.param(name)
        if param is None:
            out.append(f"unrecognized parameter [{name}]")
            continue
        reason = problem(param, value)
        if reason is not None:
            out.append(reason)
    if out:
        return out
    return [reason for check in spec.checks if (reason := check(values)) is not None]
