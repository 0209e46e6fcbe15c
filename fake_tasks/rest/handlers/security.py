"""Handler of `GET /_security/_authenticate`: who the request authenticated as."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fake_tasks.errors import EsError
from fake_tasks.rest.routing import Call, Prepare, Reply, Run
from fake_tasks.scripting.security import Subject

__all__ = ["HANDLERS", "authenticate_response"]

_API_KEY_REALM = ("_es_api_key", "_es_api_key")
_SECURITY_OFF = (
    "Security must be explicitly enabled when using a [basic] license. Enable security by "
    "setting [xpack.security.enabled] to [true] in the elasticsearch.yml file and restart the "
    "node."
)


def authenticate_response(subject: Subject) -> dict[str, Any]:
    """`Authentication.toXContentFragment` (with the user's fields first)."""
    user = subject.user
    realm = _API_KEY_REALM if subject.api_key is not None else user.realm
    out: dict[str, Any] = {
        "username": user.username,
        "roles": [] if subject.api_key is not None else list(user.roles),
        "full_name": user.full_name,
        "email": user.email,
        "metadata": dict(user.metadata),
        "enabled": user.enabled,
        "authentication_realm": {"name": realm[0], "type": realm[1]},
        "lookup_realm": {"name": realm[0], "type": realm[1]},
        "authentication_type": subject.authentication_type,
    }
    if subject.api_key is not None:
        out["api_key"] = {"id": subject.api_key.id, "name": subject.api_key.name}
    return out


def prepare_authenticate(call: Call) -> Run:
    def run() -> Reply:
        if call.subject is None:  # security off: the security handlers refuse to work
            raise EsError(_SECURITY_OFF)
        return Reply(200, authenticate_response(call.subject))

    return run


HANDLERS: Final[Mapping[str, Prepare]] = {"security.authenticate": prepare_authenticate}
