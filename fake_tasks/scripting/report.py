"""What a failed test's report shows of the fake: its task tree and the journal's last exchanges."""

from __future__ import annotations

import re

from fake_tasks.cluster.clock import VirtualClock
from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.scripting.journal import Exchange
from fake_tasks.scripting.tree import from_cluster, render_tree, summary

__all__ = ["EXCERPT_WIDTH", "TREE_LIMIT", "excerpt", "exchange_line", "failure_report"]

EXCERPT_WIDTH = 100
"""Characters of a body shown per exchange."""

TREE_LIMIT = 60
"""Task lines shown before the tree is cut (a large generated cluster has thousands)."""

_SPACE = re.compile(rb"\s+")


def excerpt(body: bytes, width: int = EXCERPT_WIDTH) -> str:
    """A body on one line: whitespace runs collapsed, cut to `width` characters with `...`."""
    text = _SPACE.sub(b" ", body).strip().decode("utf-8", "replace")
    return text if len(text) <= width else text[: width - 3] + "..."


def exchange_line(exchange: Exchange) -> list[str]:
    """`12. GET /_tasks/n:1 -> 404  {"error":...}`, and the request body on a second line."""
    lines = [f"{exchange.seq:>3}. {exchange}"]
    if exchange.response_body:
        lines[0] += f"  {excerpt(exchange.response_body)}"
    if exchange.request_body:
        lines.append(f"     request body: {excerpt(exchange.request_body)}")
    return lines


def failure_report(fake: FakeTasks, *, exchanges: int = 10, limit: int = TREE_LIMIT) -> str:
    """The cluster's tasks at this moment as a tree, the fault rules and how often each was
    used, then the last `exchanges` of the journal."""
    tree = from_cluster(fake.cluster)
    clock = fake.cluster.clock
    kind = "virtual" if isinstance(clock, VirtualClock) else "realtime"
    lines = [
        f"Cluster at {fake.url or '(not served)'}, Elasticsearch {fake.cluster.version}, "
        f"{kind} clock: {summary(tree)}",
        *render_tree(tree, limit=limit),
        "",
    ]
    rules = fake.faults.rules
    if rules:
        lines.append(f"Faults: {len(rules)} rule(s):")
        for rule in rules:
            cap = "" if rule.times is None else f" of {rule.times}"
            lines.append(f"  {rule!r}: used {fake.faults.hits(rule)}{cap}")
        lines.append("")
    entries = fake.journal.exchanges
    if not entries:
        lines.append("Journal: no requests were made.")
    else:
        shown = entries[-exchanges:] if exchanges > 0 else []
        cut = f", the last {len(shown)}" if len(shown) < len(entries) else ""
        lines.append(f"Journal: {len(entries)} request(s){cut}:")
        for exchange in shown:
            lines.extend(exchange_line(exchange))
    return "\n".join(lines)
