"""`fake-tasks record URL -o scenario.yaml`: a live cluster's running tasks as a scenario.

Read-only: `GET /`, `GET /_nodes` and `GET /_tasks?detailed&group_by=parents`; with `indices`,
`GET /*` too (the open indices' mappings and aliases) and `GET /_cat/indices` (their document
counts, when the cluster serves it). Trees, actions, descriptions, statuses and headers are
kept; times become relative to now (`running_for`), and tasks run on until a script ends them.
`anonymize` replaces index names, node names, hosts and header values with stable stand-ins.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from fake_tasks.contract.live import Send, request_headers, urllib_sender

__all__ = ["OPAQUE_ID", "Anonymizer", "RecordError", "main_record", "record", "to_yaml"]

OPAQUE_ID: Final = "fake-tasks-record"
"""Sent as `X-Opaque-Id`: the recorder's own list tasks carry it and are left out."""

_INDEX_TOKEN: Final = re.compile(r"\[([^\[\]]*)\]")
_INDEX_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9._*+-]*$")
_CAT_INDICES: Final = "/_cat/indices?format=json&h=index,docs.count&expand_wildcards=open"


class RecordError(Exception):
    """The cluster did not answer a request the recording needs."""


@dataclass
class Anonymizer:
    """Stable stand-ins: the same real value always gets the same replacement."""

    indices: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    def index(self, name: str) -> str:
        return self.indices.setdefault(name, f"index-{len(self.indices) + 1}")

    def node_name(self, name: str) -> str:
        return self.names.setdefault(name, f"node-{len(self.names) + 1}")

    def host(self, host: str) -> str:
        return self.hosts.setdefault(host, f"10.0.0.{len(self.hosts) + 1}")

    def header(self, value: str) -> str:
        return self.values.setdefault(value, f"redacted-{len(self.values) + 1}")

    def description(self, text: str) -> str:
        """Index names inside `[...]` (`reindex from [a] to [b]`, `indices[a, b]`,
        `shardId[[a][0]]`) and any name seen in the index listing."""

        def one(match: re.Match[str]) -> str:
            pieces = re.split(r"(\s*,\s*)", match.group(1))  # names, with their separators
            names = pieces[::2]
            if not all(_INDEX_NAME.match(n) and not n.isdigit() for n in names):
                return match.group(0)
            pieces[::2] = [self.index(n) for n in names]
            return "[" + "".join(pieces) + "]"

        text = _INDEX_TOKEN.sub(one, text)
        for real in sorted(self.indices, key=len, reverse=True):
            text = re.sub(rf"(?<![\w.-]){re.escape(real)}(?![\w.-])", self.indices[real], text)
        return text


def record(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    verify_tls: bool = True,
    ca_certs: str | None = None,
    anonymize: bool = False,
    indices: bool = False,
    send: Send | None = None,
) -> dict[str, Any]:
    """The scenario of what runs at `url` now (a mapping; `to_yaml` writes it)."""
    base = url.rstrip("/")
    sender = send or urllib_sender(timeout, verify_tls, ca_certs)
    sent = {"Accept": "application/json", "X-Opaque-Id": OPAQUE_ID, **(headers or {})}

    def get(path: str) -> Any:
        try:
            status, raw = sender("GET", base + path, sent)
        except OSError as error:
            raise RecordError(f"GET {path}: no answer from {base}: {error}") from None
        if status != 200:
            raise RecordError(
                f"GET {path} answered {status}: {raw[:200].decode('utf-8', 'replace')}"
            )
        try:
            return json.loads(raw)
        except ValueError as error:
            raise RecordError(f"GET {path}: the answer is not JSON ({error})") from None

    def counts() -> dict[str, int]:
        """Document counts from `_cat/indices`, if the cluster serves it (the fake does not)."""
        try:
            status, raw = sender("GET", base + _CAT_INDICES, sent)
        except OSError:
            return {}
        rows = json.loads(raw) if status == 200 else []
        return {str(r["index"]): int(r.get("docs.count") or 0) for r in rows}

    hide = Anonymizer() if anonymize else None
    catalog = get("/*?expand_wildcards=open") if indices else {}
    if hide is not None:
        for name in catalog:
            hide.index(str(name))
    info = get("/")
    nodes = get("/_nodes")["nodes"]
    listing = get("/_tasks?detailed=true&group_by=parents")
    document: dict[str, Any] = {"scenario": 1, "cluster": _cluster(info, hide)}
    document["nodes"] = [_node(node_id, node, hide) for node_id, node in nodes.items()]
    if catalog:
        docs = counts()
        document["indices"] = [
            _index(name, value, docs.get(name, 0), hide) for name, value in catalog.items()
        ]
    tasks = [t for t in listing.get("tasks", {}).values() if not _own(t)]
    document["tasks"] = [_task(t, hide, top=True) for t in tasks]
    failures = listing.get("node_failures") or []
    failed = [_failed(f, hide) for f in failures if isinstance(f, Mapping)]
    if failed:
        document["failed_nodes"] = [f for f in failed if f is not None]
    return document


def _cluster(info: Mapping[str, Any], hide: Anonymizer | None) -> dict[str, Any]:
    name = str(info.get("cluster_name", "recorded-cluster"))
    uuid = str(info.get("cluster_uuid", ""))
    out: dict[str, Any] = {"version": str(info.get("version", {}).get("number", "9.1.0"))}
    if hide is not None:
        digest = hashlib.sha256(f"{name}/{uuid}".encode()).hexdigest()[:22]
        name, uuid = "recorded-cluster", digest
    out["name"] = name
    if uuid and uuid != "_na_":
        out["uuid"] = uuid
    return out


def _node(node_id: str, node: Mapping[str, Any], hide: Anonymizer | None) -> dict[str, Any]:
    name = str(node.get("name", node_id))
    host = str(node.get("host", node.get("ip", "127.0.0.1")))
    ip = str(node.get("ip", host))
    port = _port(str(node.get("transport_address", "")))
    out: dict[str, Any] = {"id": node_id, "name": name, "host": host, "ip": ip}
    if hide is not None:
        out.update(name=hide.node_name(name), host=hide.host(host), ip=hide.host(ip))
    if port is not None:
        out["port"] = port
    out["roles"] = [str(r) for r in node.get("roles", [])]
    if hide is None and node.get("attributes"):
        out["attributes"] = {str(k): str(v) for k, v in node["attributes"].items()}
    return out


def _index(
    name: str, value: Mapping[str, Any], docs: int, hide: Anonymizer | None
) -> dict[str, Any]:
    rename: Callable[[str], str] = hide.index if hide is not None else str
    out: dict[str, Any] = {"name": rename(name)}
    if docs:
        out["docs"] = docs
    if value.get("mappings"):
        out["mappings"] = value["mappings"]
    aliases = value.get("aliases") or {}
    if aliases:
        out["aliases"] = {rename(str(alias)): dict(spec) for alias, spec in aliases.items()}
    return out


def _port(address: str) -> int | None:
    tail = address.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() and 0 < int(tail) < 65536 else None


def _own(task: Mapping[str, Any]) -> bool:
    headers = task.get("headers") or {}
    return bool(headers.get("X-Opaque-Id") == OPAQUE_ID)


def _task(task: Mapping[str, Any], hide: Anonymizer | None, *, top: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"action": task["action"], "node": task["node"], "id": task["id"]}
    if task.get("type", "transport") != "transport":
        out["type"] = task["type"]
    description = task.get("description")
    if description:
        out["description"] = hide.description(description) if hide is not None else description
    if not task.get("cancellable", True):
        out["cancellable"] = False
    if task.get("cancelled"):
        out["cancelled"] = True
        out["cancel_delay"] = None  # still running after the cancel: it honours it when ended
    headers = task.get("headers") or {}
    if headers:
        change: Callable[[str], str] = hide.header if hide is not None else str
        out["headers"] = {str(k): change(str(v)) for k, v in headers.items()}
    if task.get("status") is not None:
        out["status"] = task["status"]
    out["running_for"] = f"{int(task.get('running_time_in_nanos', 0))}nanos"
    if top and task.get("parent_task_id"):
        out["parent"] = task["parent_task_id"]  # its parent is not visible (e.g. a failed node)
    children = [c for c in task.get("children", []) if not _own(c)]
    if children:
        out["children"] = [_task(c, hide, top=False) for c in children]
    return out


def _failed(failure: Mapping[str, Any], hide: Anonymizer | None) -> dict[str, Any] | None:
    node = failure.get("node_id")
    if not isinstance(node, str):
        return None
    caused = failure.get("caused_by") or {}
    cause = "timeout" if "timeout" in str(caused.get("type", "")) else "disconnected"
    return {"node": node, "cause": cause}


def to_yaml(document: Mapping[str, Any], *, comment: str | None = None) -> str:
    """The scenario as YAML, keys in the order written, with an optional heading comment."""
    import yaml

    text = yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=100)
    heading = "".join(f"# {line}\n" for line in (comment or "").splitlines())
    return heading + text


def main_record(
    url: str,
    *,
    output: str | None = None,
    header: Sequence[str] = (),
    user: str | None = None,
    timeout: float = 30.0,
    insecure: bool = False,
    ca_certs: str | None = None,
    anonymize: bool = False,
    indices: bool = False,
) -> int:
    """The `fake-tasks record` command: 0 when written, 1 if the cluster failed, 2 on usage."""
    try:
        headers = request_headers(header, user)
    except ValueError as error:
        print(f"fake-tasks record: {error}", file=sys.stderr)
        return 2
    try:
        document = record(
            url,
            headers=headers,
            timeout=timeout,
            verify_tls=not insecure,
            ca_certs=ca_certs,
            anonymize=anonymize,
            indices=indices,
        )
    except RecordError as error:
        print(f"fake-tasks record: {error}", file=sys.stderr)
        return 1
    source = "an anonymized cluster" if anonymize else url
    comment = (
        f"Recorded by fake-tasks record from {source}.\nReplay: fake-tasks serve --scenario FILE"
    )
    text = to_yaml(document, comment=comment)
    if output is None:
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
        count = _count(document.get("tasks", []))
        print(f"fake-tasks record: {count} task(s) written to {output}", file=sys.stderr)
    return 0


def _count(tasks: Sequence[Mapping[str, Any]]) -> int:
    return sum(1 + _count(t.get("children", [])) for t in tasks)
