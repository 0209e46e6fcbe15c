"""Security: `security.authenticate` (`GET /_security/_authenticate`)."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Deviation

__all__ = ["APIS", "DEVIATIONS"]

APIS: Final = (
    # RestAuthenticateAction: no parameters of its own
    ApiSpec("security.authenticate", (("GET", "/_security/_authenticate"),)),
)

DEVIATIONS: Final[tuple[Deviation, ...]] = ()
