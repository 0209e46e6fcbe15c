"""`fake-tasks tree URL`: any cluster's running tasks as a tree, once or redrawn (`--watch`)."""

from __future__ import annotations

import json
import shutil
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

from fake_tasks.contract.live import Send, error_reason, request_headers, urllib_sender
from fake_tasks.scripting.tree import TaskTree, from_list_response, render_tree, summary

__all__ = ["TreeError", "fetch_tree", "main_tree", "tree_lines"]

OPAQUE_ID = "fake-tasks-tree"
"""Sent as `X-Opaque-Id`: the tree leaves out the tasks of its own requests by it."""

CLEAR = "\x1b[H\x1b[2J"
"""Cursor home and erase the screen: each `--watch` frame replaces the last on a terminal."""


class TreeError(Exception):
    """The cluster gave no task list: no answer, an error status, or a body that is not one."""


def fetch_tree(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    actions: str | None = None,
    timeout: float = 30.0,
    verify_tls: bool = True,
    send: Send | None = None,
) -> TaskTree:
    """`GET /_tasks?detailed=true` (grouped by node, for node names) as a `TaskTree`."""
    sender = send or urllib_sender(timeout, verify_tls)
    path = "/_tasks?detailed=true"
    if actions:
        path += f"&actions={quote(actions, safe=':/*,')}"
    sent = {"Accept": "application/json", "X-Opaque-Id": OPAQUE_ID, **(headers or {})}
    try:
        status, raw = sender("GET", url.rstrip("/") + path, sent)
    except OSError as error:
        raise TreeError(f"no answer from {url}: {error}") from error
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise TreeError(f"GET {path} -> {status}: the body is not JSON") from error
    if status != 200 or not isinstance(body, Mapping):
        raise TreeError(f"GET {path} -> {status}: {error_reason(body) or str(body)[:200]}")
    return from_list_response(body, hide_opaque_id=sent["X-Opaque-Id"])


def tree_lines(url: str, tree: TaskTree, *, limit: int | None = None) -> list[str]:
    """A heading naming the cluster and what it runs, then the tree."""
    return [f"{url.rstrip('/')}: {summary(tree)}", *render_tree(tree, limit=limit)]


def main_tree(
    url: str,
    *,
    header: Sequence[str] = (),
    user: str | None = None,
    timeout: float = 30.0,
    insecure: bool = False,
    ca_certs: str | None = None,
    actions: str | None = None,
    limit: int | None = None,
    watch: bool = False,
    interval: float = 2.0,
    count: int | None = None,
    out: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    send: Send | None = None,
) -> int:
    """The `fake-tasks tree` command. Once: 0, or 1 without a task list. With `watch`: redraw
    every `interval` seconds until interrupted (or `count` frames, or `stop`), showing errors
    as frames; 0."""
    headers = request_headers(header, user)
    sender = send or urllib_sender(timeout, not insecure, ca_certs)
    stop = stop or threading.Event()
    terminal = watch and sys.stdout.isatty()
    frames = 0
    while True:
        try:
            tree = fetch_tree(url, headers=headers, actions=actions, send=sender)
            lines = tree_lines(url, tree, limit=limit)
            failed = False
        except TreeError as error:
            lines = [f"fake-tasks tree: {error}"]
            failed = True
        if terminal:
            width = shutil.get_terminal_size().columns
            lines.append(f"(every {interval:g}s; Ctrl-C stops)")
            out(CLEAR + "\n".join(line[:width] for line in lines))
        else:
            out("\n".join(lines))
        frames += 1
        if not watch:
            return 1 if failed else 0
        if (count is not None and frames >= count) or stop.wait(interval):
            return 0
        if not terminal:
            out("")
