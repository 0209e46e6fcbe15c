"""`filter_path`: ES response filtering (`*`, `**`, `-` exclusions) applied to JSON values."""

from __future__ import annotations

from typing import Any

from fake_tasks.cluster.matching import simple_match

Path = tuple[str, ...]
_DROP = object()


def parse(filter_path: str) -> tuple[list[Path], list[Path]]:
    """Split `a.b,-c.*` into include and exclude paths."""
    includes: list[Path] = []
    excludes: list[Path] = []
    for raw in filter_path.split(","):
        expression = raw.strip()
        if not expression:
            continue
        target = excludes if expression.startswith("-") else includes
        target.append(tuple(expression.lstrip("-").split(".")))
    return includes, excludes


def apply(body: Any, filter_path: str) -> Any:
    """Filter a response body the way `filter_path` does; no match leaves `{}`."""
    includes, excludes = parse(filter_path)
    result = body
    if includes:
        matched, result = _include(body, includes)
        if not matched:
            return {}
    if excludes:
        kept = _exclude(result, excludes)
        result = {} if kept is _DROP else kept
    return result


def _advance(path: Path, key: str) -> list[Path]:
    if not path:
        return [()]
    head, rest = path[0], path[1:]
    if head == "**":
        return [path, *(_advance(rest, key) if rest else [()])]
    return [rest] if simple_match(head, key) else []


def _step(paths: list[Path], key: str) -> list[Path]:
    """The paths left to match below `key`, each once: `**` keeps itself and moves on, so
    without removing duplicates twenty `**` segments make a million copies of the same path."""
    return list(dict.fromkeys(q for p in paths for q in _advance(p, key)))


def _include(value: Any, paths: list[Path]) -> tuple[bool, Any]:
    if any(not p for p in paths):
        return True, value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            sub = _step(paths, key)
            if sub:
                matched, kept = _include(item, sub)
                if matched:
                    out[key] = kept
        return bool(out), out
    if isinstance(value, list):
        kept_items = [kept for matched, kept in (_include(v, paths) for v in value) if matched]
        return bool(kept_items), kept_items
    return False, value


def _exclude(value: Any, paths: list[Path]) -> Any:
    if any(not p for p in paths):
        return _DROP
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            sub = _step(paths, key)
            kept = _exclude(item, sub) if sub else item
            if kept is not _DROP:
                out[key] = kept
        return out
    if isinstance(value, list):
        return [kept for kept in (_exclude(v, paths) for v in value) if kept is not _DROP]
    return value
