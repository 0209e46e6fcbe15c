"""Request bodies as the REST handlers read them: JSON content parsed to plain values."""

from __future__ import annotations

import json
from typing import Any

from fake_tasks.errors import EsError, ParseError

__all__ = ["content_map"]


def content_map(body: bytes) -> Any:
    """`XContentHelper.convertToMap`: the body's JSON value (None for no body).

    Malformed content is the server's 400 `parse_exception` "Failed to parse content to map"
    caused by the JSON parser's error (the cause's text is Python's, not Jackson's).
    """
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        cause = EsError.custom("json_parse_exception", str(error), 400)
        raise ParseError("Failed to parse content to map", caused_by=cause) from None
