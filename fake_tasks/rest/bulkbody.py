"""Bodies of reindex, update by query and delete by query, read and refused as the server does.

Reindex reads its body with an `ObjectParser` named `reindex` (`ReindexRequest.PARSER`): unknown
fields and wrong types are `x_content_parse_exception`s at `[line:col]`, wrapped in `failed to
parse field [...]` when inside `source` or `dest`. The search part of a body (what is left of
`source` after `index` and `remote`, or of a by-query body after `conflicts`, `script` and
`max_docs`) is written back as compact JSON and parsed as a `SearchSourceBuilder`, so positions
inside it count on that rewritten text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fake_tasks.errors import EsError, IllegalArgumentError, ParseError
from fake_tasks.rest.jsonpos import Located, parse, plain, token_name
from fake_tasks.rest.params import similarity

__all__ = [
    "QueryBody",
    "ReindexBody",
    "Remote",
    "SearchPart",
    "query_body",
    "reindex_body",
    "script_text",
]

_OBJECT_KEYS = frozenset(
    (
        "query", "post_filter", "aggregations", "aggs", "highlight", "suggest", "ext",
        "collapse", "pit", "runtime_mappings", "slice", "script_fields", "retriever", "knn",
        "rank",
    )
)  # fmt: skip
_SEARCH_KEYS = _OBJECT_KEYS | frozenset(
    (
        "from", "size", "timeout", "terminate_after", "sort", "track_scores", "track_total_hits",
        "_source", "fields", "docvalue_fields", "stored_fields", "indices_boost", "rescore",
        "stats", "explain", "version", "seq_no_primary_term", "min_score", "search_after",
        "profile",
    )
)  # fmt: skip
"""`SearchSourceBuilder.parseXContent`'s keys; the first group only takes an object."""


@dataclass(frozen=True)
class SearchPart:
    """What the fake keeps of a search source."""

    query: Any = None
    size: int | None = None
    has_from: bool = False
    has_stored_fields: bool = False
    source_disabled: bool = False
    has_slice: bool = False


@dataclass(frozen=True)
class Remote:
    host: str
    port: int
    username: str | None = None
    password: bool = False
    scheme: str = "http"
    path_prefix: str | None = None

    def describe(self, query: str) -> str:
        """`RemoteInfo.toString`: the scheme only when not `http`, the password masked."""
        text = "" if self.scheme == "http" else f"scheme={self.scheme} "
        text += f"host={self.host} port={self.port}"
        if self.path_prefix is not None:
            text += f" pathPrefix={self.path_prefix}"
        text += f" query={query}"
        if self.username is not None:
            text += f" username={self.username}"
        if self.password:
            text += " password=<<>>"
        return text


@dataclass(frozen=True)
class ReindexBody:
    indices: tuple[str, ...] | None
    search: SearchPart
    remote: Remote | None = None
    dest_index: str | None = None
    dest_routing: str | None = None
    op_type: str | None = None
    max_docs: int | None = None
    script: Mapping[str, Any] | None = None
    conflicts: str | None = None


@dataclass(frozen=True)
class QueryBody:
    search: SearchPart
    max_docs: int | None = None
    script: Mapping[str, Any] | None = None
    conflicts: str | None = None


def _parse_error(where: str, message: str, cause: EsError | None = None) -> EsError:
    return EsError.custom("x_content_parse_exception", f"[{where}] {message}", 400, caused_by=cause)


def _unknown(parser: str, node: Located, key: str, candidates: Iterable[str]) -> EsError:
    """`SuggestingErrorOnUnknown`: `[parser] unknown field [key]` with close candidates."""
    scored = sorted(
        ((similarity(key, c), c) for c in candidates if similarity(key, c) > 0.5),
        key=lambda sc: (-sc[0], sc[1]),
    )
    names = [c for _, c in scored]
    hint = ""
    if len(names) == 1:
        hint = f" did you mean [{names[0]}]?"
    elif names:
        hint = f" did you mean any of [{', '.join(names)}]?"
    return _parse_error(node.key_where, f"[{parser}] unknown field [{key}]{hint}")


def _type(parser: str, key: str, node: Located) -> EsError:
    """`FieldParser.assertSupports`: at the value's token."""
    return _parse_error(
        node.where, f"[{parser}] {key} doesn't support values of type: {token_name(node)}"
    )


def _object(text: bytes, parser: str) -> Located:
    if not text.strip():
        raise ParseError("request body is required")
    root = parse(text.decode("utf-8", errors="replace"))
    if not isinstance(root.value, dict):
        raise _parse_error(
            root.where, f"[{parser}] Expected START_OBJECT but was: {token_name(root)}"
        )
    return root


def _java_class(value: Any) -> str:
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer" if -(2**31) <= value < 2**31 else "java.lang.Long"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, list):
        return "java.util.ArrayList"
    if isinstance(value, dict):
        return "java.util.LinkedHashMap"
    return "java.lang.String"


def _cast(value: Any, target: str) -> EsError:
    """A `ClassCastException`, as a by-query body's typed consumer raises it (500)."""
    have = _java_class(value)
    return EsError.custom(
        "class_cast_exception",
        f"class {have} cannot be cast to class {target} ({have} and {target} are in module "
        "java.base of loader 'bootstrap')",
        500,
    )


def _conflicts(value: str) -> str:
    if value not in ("abort", "proceed"):
        raise IllegalArgumentError(f'conflicts may only be "proceed" or "abort" but was [{value}]')
    return value


def _max_docs(value: int) -> int:
    if value < 0:
        raise IllegalArgumentError(f"[max_docs] parameter cannot be negative, found [{value}]")
    return value


def search_part(source: Mapping[str, Any]) -> SearchPart:
    """`SearchSourceBuilder.parseXContent` over the compact JSON of `source`."""
    rewritten = parse(json.dumps(source, separators=(",", ":"), ensure_ascii=False))
    for key, node in rewritten.members.items():
        kind = token_name(node)
        known = key in _SEARCH_KEYS and (kind == "START_OBJECT" or key not in _OBJECT_KEYS)
        if not known:
            raise EsError.custom(
                "parsing_exception",
                f"Unknown key for a {kind} in [{key}].",
                400,
                metadata={"line": node.line, "col": node.col},
            )
    size = source.get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size < 0:
        raise IllegalArgumentError(f"[size] parameter cannot be negative, found [{size}]")
    stored = source.get("_source")
    return SearchPart(
        query=source.get("query"),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        has_from="from" in source,
        has_stored_fields="stored_fields" in source,
        source_disabled=stored is False,
        has_slice="slice" in source,
    )


def reindex_body(text: bytes) -> ReindexBody:
    """`ReindexRequest.fromXContent` (`PARSER`: source, dest, max_docs, script, conflicts).

    A value of the wrong type is refused where the value starts; anything a field's own parser
    throws is wrapped in `[reindex] failed to parse field [...]` at the place the parser stood
    (the end of `source`, which is read as a whole map; the offending token inside `dest`).
    """
    root = _object(text, "reindex")
    names = ("source", "dest", "max_docs", "script", "conflicts")
    fields: dict[str, Any] = {}
    for key, node in root.members.items():
        if key not in names:
            raise _unknown("reindex", node, key, names)
        kind = token_name(node)
        wanted = {"max_docs": ("VALUE_NUMBER", "VALUE_STRING"), "conflicts": ("VALUE_STRING",)}
        if kind not in wanted.get(key, ("START_OBJECT",)):
            raise _type("reindex", key, node)
        try:
            fields[key] = _reindex_field(key, node)
        except _Stop as stop:
            raise _parse_error(
                stop.at, f"[reindex] failed to parse field [{key}]", stop.error
            ) from None
    source: tuple[tuple[str, ...] | None, Remote | None, SearchPart] = fields.get(
        "source", (None, None, SearchPart())
    )
    dest: dict[str, str] = fields.get("dest", {})
    return ReindexBody(
        indices=source[0],
        remote=source[1],
        search=source[2],
        dest_index=dest.get("index"),
        dest_routing=dest.get("routing"),
        op_type=dest.get("op_type"),
        max_docs=fields.get("max_docs"),
        script=fields.get("script"),
        conflicts=fields.get("conflicts"),
    )


class _Stop(Exception):
    """A field parser failed with `error` while the parser stood at `at`."""

    def __init__(self, error: EsError, at: str) -> None:
        super().__init__(error.reason)
        self.error = error
        self.at = at


def _reindex_field(key: str, node: Located) -> Any:
    if key == "script":
        return plain(node)
    if key == "source":
        try:
            return _source(plain(node))
        except EsError as error:
            raise _Stop(error, node.end) from None
    if key == "dest":
        return _dest(node)
    try:
        if key == "max_docs":
            try:
                return _max_docs(int(node.value))
            except ValueError:
                message = f'For input string: "{node.value}"'
                raise EsError.custom("number_format_exception", message, 400) from None
        return _conflicts(str(node.value))
    except EsError as error:
        raise _Stop(error, node.where) from None


def _dest(node: Located) -> dict[str, str]:
    out: dict[str, str] = {}
    names = ("index", "routing", "op_type", "pipeline", "version_type")
    for key, member in node.members.items():
        if key not in names:
            error = _unknown("dest", member, key, names)
            raise _Stop(error, member.key_where)
        if token_name(member) != "VALUE_STRING":
            raise _Stop(_type("dest", key, member), member.where)
        value = str(member.value)
        if key == "op_type" and value not in ("create", "index"):
            cause = IllegalArgumentError(f"opType must be 'create' or 'index', found: [{value}]")
            wrapped = _parse_error(member.where, f"[dest] failed to parse field [{key}]", cause)
            raise _Stop(wrapped, member.where)
        out[key] = value
    return out


def _source(source: dict[str, Any]) -> tuple[tuple[str, ...] | None, Remote | None, SearchPart]:
    indices = source.pop("index", None)
    if indices is not None and not isinstance(indices, str | list):
        raise IllegalArgumentError(
            f"Expected [index] to be a list or a string but was [{_java_text(indices)}]"
        )
    names = tuple(indices.split(",")) if isinstance(indices, str) else indices
    remote = _remote(source.pop("remote", None))
    return (tuple(names) if names is not None else None), remote, search_part(source)


def _remote(remote: Any) -> Remote | None:
    """`ReindexRequest.buildRemoteInfo`."""
    if remote is None:
        return None
    if not isinstance(remote, dict):
        raise _cast(remote, "java.util.Map")
    remote = dict(remote)
    username, password = remote.pop("username", None), remote.pop("password", None)
    host = remote.pop("host", None)
    if host is None:
        raise EsError.custom(
            "null_pointer_exception", "[host] must be specified to reindex from a remote cluster"
        )
    parts = urlsplit(str(host))
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.scheme or not parts.hostname or port is None:
        raise IllegalArgumentError(
            f"[host] must be of the form [scheme]://[host]:[port](/[pathPrefix])? but was [{host}]"
        )
    for name in ("headers", "api_key", "socket_timeout", "connect_timeout"):
        remote.pop(name, None)
    if remote:
        raise IllegalArgumentError(f"Unsupported fields in [remote]: [{', '.join(remote)}]")
    # `java.net.URI`: the host as written (case kept, IPv6 in brackets), the path when not empty
    host_part = parts.netloc.rpartition("@")[2]
    host_name = host_part[: host_part.rindex(":")] if ":" in host_part else host_part
    return Remote(
        host_name,
        port,
        username,
        password is not None,
        scheme=parts.scheme,
        path_prefix=parts.path or None,
    )


def _java_text(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def query_body(text: bytes, *, script: bool) -> QueryBody:
    """`AbstractBulkByQueryRestHandler.parseInternalRequest`: optional body, consumers first."""
    if not text.strip():
        return QueryBody(SearchPart())
    root = parse(text.decode("utf-8", errors="replace"))
    body = plain(root)
    if not isinstance(body, dict):
        raise ParseError("Failed to parse content to map")
    conflicts = body.pop("conflicts", None)
    found_script = body.pop("script", None) if script else None
    max_docs = body.pop("max_docs", None)
    if conflicts is not None and not isinstance(conflicts, str):
        raise _cast(conflicts, "java.lang.String")
    if max_docs is not None and (
        isinstance(max_docs, bool) or not isinstance(max_docs, int | float)
    ):
        raise _cast(max_docs, "java.lang.Number")
    return QueryBody(
        search=search_part(body),
        max_docs=None if max_docs is None else _max_docs(int(max_docs)),
        script=found_script,
        conflicts=None if conflicts is None else _conflicts(conflicts),
    )


def script_text(script: Mapping[str, Any] | None) -> str:
    """`Script.toString` for a task description (` updated with Script{...}`)."""
    if not script:
        return ""
    stored = "id" in script
    code = script.get("id") if stored else script.get("source", script.get("inline", ""))
    lang = None if stored else script.get("lang", "painless")
    params = script.get("params") or {}
    return (
        f" updated with Script{{type={'stored' if stored else 'inline'}, lang={_quoted(lang)}, "
        f"idOrCode='{code}', options={{}}, params={_java_text(params)}}}"
    )


def _quoted(value: Any) -> str:
    return "null" if value is None else f"'{value}'"
