"""Stubbed answers as HTTP responses: the bytes, status and headers a stub was given."""

from __future__ import annotations

from typing import Final

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response

from fake_tasks.scripting.stubs import StubHit

__all__ = ["STUB_KEY", "stub_response"]

STUB_KEY: Final = "fake_tasks.stub"
"""The WSGI environ key under which the app hands the chosen stub answer to `dispatch`."""


def stub_response(hit: StubHit) -> Response:
    answer = hit.answer
    return Response(answer.data(), status=answer.status, headers=Headers(answer.header_list()))
