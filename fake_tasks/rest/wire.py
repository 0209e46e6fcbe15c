"""HTTP/1.1 requests read off a socket as Elasticsearch's Netty decoder reads them.

`HttpObjectDecoder` with the `http.*` defaults: a request line of at most 4 KB
(`http.max_initial_line_length`), 16 KB of header lines in all (`http.max_header_size`, any
number of them), bodies up to 100 MB (`http.max_content_length`), folded header lines joined
with a space, chunked bodies read leniently but with Netty's chunk-size errors. A request the
decoder fails on is still answered by the REST layer (`dispatchBadRequest`: a 400 with the
decoder's exception), so `read_request` raises `BadRequest` carrying what the answer needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from fake_tasks.errors import EsError
from fake_tasks.spec.javanum import JAVA_TRIM, java_int_in_range

__all__ = [
    "MAX_CONTENT_LENGTH",
    "MAX_HEADER_SIZE",
    "MAX_INITIAL_LINE_LENGTH",
    "BadRequest",
    "Closed",
    "Head",
    "Reader",
    "Refused",
    "expect_continue",
    "read_body",
    "read_head",
]

MAX_INITIAL_LINE_LENGTH = 4 * 1024
MAX_HEADER_SIZE = 16 * 1024
MAX_CONTENT_LENGTH = 100 * 1024 * 1024

_SP_LENIENT = frozenset(b" \t\x0b\x0c\r")  # separators of the request line (RFC 7230 3.5)
_JAVA_WHITESPACE = frozenset(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ")  # Character.isWhitespace
_OWS = frozenset(b" \t")
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_VERSION = re.compile(r"(\S+)/([0-9]+)\.([0-9]+)", re.ASCII)
_HEX = frozenset(b"0123456789abcdefABCDEF")


class Reader(Protocol):
    """A buffered byte stream, as `socket.makefile("rb")` gives."""

    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int = -1, /) -> bytes: ...
    def peek(self, size: int = 0, /) -> bytes: ...


def _control_or_space(byte: int) -> bool:
    """`isISOControl(b) || isWhitespace(b)` on a (signed) byte: ASCII controls and spaces."""
    return byte <= 0x20 or byte == 0x7F


class Closed(Exception):
    """The peer went away (or idled out) before a whole request: close without answering."""


class Refused(Exception):
    """Answered by the HTTP layer before the REST layer sees it (413, 417), then closed."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Head:
    """A decoded request line and its headers (names as sent; repeated names kept apart)."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    header_size: int = 0  # bytes of header lines read, which trailers count on from

    def values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for n, v in self.headers if n.lower() == wanted]

    def first(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None


class BadRequest(Exception):
    """The decoder failed: the REST layer answers 400 with `error`.

    `head` is the request as far as it was read; None when the request line itself failed,
    which Netty answers as its placeholder `GET /bad-request HTTP/1.0`.
    """

    def __init__(self, error: EsError, head: Head | None) -> None:
        super().__init__(error.reason)
        self.error = error
        self.head = head


def _java(kind: str, reason: str | None) -> EsError:
    return EsError.custom(kind, reason, 400)


def _too_long_line() -> EsError:
    return _java(
        "too_long_http_line_exception",
        f"An HTTP line is larger than {MAX_INITIAL_LINE_LENGTH} bytes.",
    )


def _too_long_header() -> EsError:
    return _java(
        "too_long_http_header_exception", f"HTTP header is larger than {MAX_HEADER_SIZE} bytes."
    )


def _read_line(rfile: Reader, limit: int, too_long: EsError, head: Head | None) -> bytes:
    """One line without its CRLF, at most `limit` bytes (`HeaderParser.parse`)."""
    line = rfile.readline(limit + 2)
    if not line.endswith(b"\n"):
        if len(line) > limit:
            raise BadRequest(too_long, head)
        raise Closed
    content = line[:-1]
    if content.endswith(b"\r"):
        content = content[:-1]
    if len(content) > limit:
        raise BadRequest(too_long, head)
    return content


def read_head(rfile: Reader) -> Head:
    """The next request's line and headers. Raises `Closed` at the end of the stream."""
    skipped = 0
    while True:  # SKIP_CONTROL_CHARS: blank lines and controls before a request are ignored
        peeked = rfile.peek(1)[:1]
        if not peeked:
            raise Closed
        if not _control_or_space(peeked[0]):
            break
        rfile.read(1)
        skipped += 1
        if skipped > MAX_INITIAL_LINE_LENGTH:
            raise BadRequest(_too_long_line(), None)
    line = _read_line(rfile, MAX_INITIAL_LINE_LENGTH, _too_long_line(), None)
    try:
        method, target, version = _split_initial_line(line)
        head = Head(method=_method(method), target=target, version=_version(version))
    except ValueError as error:
        raise BadRequest(_java("illegal_argument_exception", str(error)), None) from None
    except ArithmeticError as error:
        raise BadRequest(_java("number_format_exception", str(error)), None) from None
    _read_headers(rfile, head)
    return head


def _split_initial_line(line: bytes) -> tuple[str, str, str]:
    """`HttpObjectDecoder.splitInitialLine` for a request: three words, the last to the end."""
    if _control_or_space(line[-1]):
        raise ValueError(f"Illegal character in request line: 0x{line[-1]:x}")
    a_start = _non_separator(line, 0)
    a_end = _separator(line, a_start)
    b_start = _non_separator(line, a_end)
    b_end = _separator(line, b_start)
    c_start = _non_separator(line, b_end)
    c_end = len(line)
    third = line[c_start:c_end] if c_start < c_end else b""
    return (
        line[a_start:a_end].decode("latin-1"),
        line[b_start:b_end].decode("latin-1"),
        third.decode("latin-1"),
    )


def _non_separator(line: bytes, start: int) -> int:
    for index in range(start, len(line)):
        byte = line[index]
        if byte in _SP_LENIENT:
            continue
        if byte in _JAVA_WHITESPACE:
            raise ValueError("Invalid separator")
        return index
    return len(line)


def _separator(line: bytes, start: int) -> int:
    for index in range(start, len(line)):
        if line[index] in _SP_LENIENT:
            return index
    return len(line)


def _version(text: str) -> str:
    """`HttpVersion.valueOf` (lenient): `HTTP/1.1`, or any `PROTOCOL/major.minor`."""
    if text in ("HTTP/1.1", "HTTP/1.0"):
        return text
    trimmed = text.strip(JAVA_TRIM)
    if not trimmed:
        raise ValueError("text is empty (possibly HTTP/0.9)")
    upper = trimmed.upper()
    found = _VERSION.fullmatch(upper)
    if found is None:
        raise ValueError(f"invalid version format: {upper}")
    major = java_int_in_range(found.group(2), -(2**31), 2**31 - 1)
    minor = java_int_in_range(found.group(3), -(2**31), 2**31 - 1)
    if major is None or minor is None:
        bad = found.group(2) if major is None else found.group(3)
        raise ArithmeticError(f'For input string: "{bad}"')
    return f"{found.group(1)}/{major}.{minor}"


def _method(name: str) -> str:
    """`HttpMethod.valueOf`: any name without controls or spaces (the REST layer judges it)."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c in "\x1c\x1d\x1e\x1f" for c in name):
        raise ValueError("invalid character in name")
    return name


def _read_headers(rfile: Reader, head: Head) -> None:
    """`readHeaders`: 16 KB of header lines in all; a line starting with SP/HT continues the
    previous value after one space; each header is validated as `DefaultHttpHeaders` adds it."""
    size = 0
    name: str | None = None
    value = ""
    while True:
        line = _read_line(rfile, MAX_HEADER_SIZE - size, _too_long_header(), head)
        if not line:
            break
        size += len(line)
        if name is not None and line[0] in _OWS:
            value = f"{value} {line.decode('latin-1').strip(JAVA_TRIM)}"
            continue
        if name is not None:
            _add(head, name, value)
        name, value = _split_header(line, head)
    if name is not None:
        _add(head, name, value)
    head.header_size = size


def _split_header(line: bytes, head: Head) -> tuple[str, str]:
    colon = line.find(b":")
    if colon < 0:
        raise BadRequest(_java("illegal_argument_exception", "No colon found"), head)
    start = colon + 1
    while start < len(line) and line[start] in _JAVA_WHITESPACE:
        if line[start] not in _OWS:
            byte = line[start]
            raise BadRequest(
                _java(
                    "illegal_argument_exception",
                    "Invalid separator, only a single space or horizontal tab allowed, but "
                    f"received a '{byte}' (0x{byte:x})",
                ),
                head,
            )
        start += 1
    end = len(line)
    while end > start and line[end - 1] in _OWS:
        end -= 1
    return line[:colon].decode("latin-1"), line[start:end].decode("latin-1")


def _add(head: Head, name: str, value: str) -> None:
    if not name:
        raise BadRequest(
            _java("illegal_argument_exception", "empty headers are not allowed []"), head
        )
    for index, char in enumerate(name):
        if ord(char) > 0x7F or ord(char) not in _TOKEN:
            raise BadRequest(
                _java(
                    "illegal_argument_exception",
                    'a header name can only contain "token" characters, but found invalid '
                    f"character 0x{ord(char):x} at index {index} of header '{name}'.",
                ),
                head,
            )
    for index, char in enumerate(value):
        code = ord(char)
        if (code < 0x21 if index == 0 else code < 0x20 and code != 0x09) or code == 0x7F:
            raise BadRequest(
                _java(
                    "illegal_argument_exception",
                    f"a header value contains prohibited character 0x{code:x} at index {index}.",
                ),
                head,
            )
    head.headers.append((name, value))


def _chunked(head: Head) -> bool:
    """`HttpUtil.isTransferEncodingChunked`: `chunked` among the comma-separated values."""
    return any(
        part.strip().lower() == "chunked"
        for value in head.values("Transfer-Encoding")
        for part in value.split(",")
    )


def _content_length(head: Head) -> int:
    """`HttpUtil.normalizeAndGetContentLength` (-1: none)."""
    fields = head.values("Content-Length")
    if not fields:
        return -1
    first = fields[0]
    if (len(fields) > 1 or "," in first) and head.version != "HTTP/1.0":
        listed = ", ".join(fields)
        raise BadRequest(
            _java(
                "illegal_argument_exception", f"Multiple Content-Length values found: [{listed}]"
            ),
            head,
        )
    number = java_int_in_range(first) if first[:1].isdigit() else None
    if number is None:
        raise BadRequest(
            _java("illegal_argument_exception", f"Content-Length value is not a number: {first}"),
            head,
        )
    return number


def expect_continue(head: Head) -> bool:
    """`Expect: 100-continue` (to answer before the body); any other expectation is a 417."""
    expected = head.first("Expect")
    if expected is None:
        return False
    if expected.lower() != "100-continue":
        raise Refused(417)
    return True


def read_body(rfile: Reader, head: Head, on_continue: Callable[[], None] | None = None) -> bytes:
    """The request's body: chunked, or `Content-Length` bytes, or none; `Refused(413)` when it
    is over 100 MB. `on_continue` (a callable) is called first when the client expects it."""
    chunked = _chunked(head)
    length = -1 if chunked else _content_length(head)
    wants_continue = expect_continue(head)
    if length > MAX_CONTENT_LENGTH:
        raise Refused(413)
    if wants_continue and on_continue is not None:
        on_continue()
    if chunked:
        return _read_chunks(rfile, head)
    if length <= 0:
        return b""
    body = rfile.read(length)
    if len(body) < length:
        raise Closed
    return body


def _read_chunks(rfile: Reader, head: Head) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = _read_line(rfile, MAX_INITIAL_LINE_LENGTH, _too_long_line(), head)
        size = _chunk_size(line, head)
        if size == 0:
            _read_trailers(rfile, head)
            return b"".join(parts)
        total += size
        if total > MAX_CONTENT_LENGTH:
            raise Refused(413)
        data = rfile.read(size)
        if len(data) < size:
            raise Closed
        parts.append(data)
        while True:  # READ_CHUNK_DELIMITER: whatever comes before the next LF is skipped
            byte = rfile.read(1)
            if not byte:
                raise Closed
            if byte == b"\n":
                break


def _chunk_size(line: bytes, head: Head) -> int:
    """`HttpObjectDecoder.getChunkSize`, 32-bit overflow check included."""
    start = 0
    while start < len(line) and line[start] in _JAVA_WHITESPACE:
        start += 1
    if start == len(line):
        raise BadRequest(_java("number_format_exception", None), head)
    result = 0
    for index, byte in enumerate(line[start:]):
        if byte not in _HEX:
            if byte == ord(";") or _control_or_space(byte):
                if index == 0:
                    raise BadRequest(_java("number_format_exception", "Empty chunk size"), head)
                return result
            raise BadRequest(
                _java("number_format_exception", "Invalid character in chunk size"), head
            )
        wrapped = (result * 16 + int(chr(byte), 16)) & 0xFFFFFFFF
        result = wrapped - (1 << 32) if wrapped >= 1 << 31 else wrapped
        if result < 0:
            raise BadRequest(
                _java("number_format_exception", f"Chunk size overflow: {result}"), head
            )
    return result


def _read_trailers(rfile: Reader, head: Head) -> None:
    """Trailer lines up to the blank line, checked like headers and then dropped."""
    size = head.header_size
    while True:
        line = _read_line(rfile, max(MAX_HEADER_SIZE - size, 0), _too_long_header(), head)
        if not line:
            return
        size += len(line)
        if line[0] not in _OWS:
            _split_header(line, head)
