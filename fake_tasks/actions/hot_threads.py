"""`TransportNodesHotThreadsAction` on the model: a thread report per node, from its running tasks.

Each running task (other than the listing machinery) keeps a pool thread busy on its node: a
write thread for bulk-by-scroll workers, a search thread for searches, a `force_merge` thread
for merges, a management thread for the rest. The report has the server's text layout
(`HotThreads.innerDetect`); the percentages come from the task ids, so a report is repeatable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fake_tasks.cluster.matching import cluster_nodes
from fake_tasks.cluster.model import Cluster, Node, Task
from fake_tasks.cluster.timevalue import human
from fake_tasks.errors import IllegalArgumentError

__all__ = ["HotThreadsRequest", "hot_threads", "node_description"]

_TYPES = ("cpu", "wait", "block", "mem")
_SORTS = ("total", "cpu")
_ROLE_LETTERS = {
    "data": "d",
    "data_cold": "c",
    "data_content": "s",
    "data_frozen": "f",
    "data_hot": "h",
    "data_warm": "w",
    "index": "I",
    "ingest": "i",
    "master": "m",
    "ml": "l",
    "remote_cluster_client": "r",
    "search": "S",
    "transform": "t",
    "voting_only": "v",
}
_POOLS = (
    ("indices:data/write/", "write"),
    ("indices:data/read/", "search"),
    ("indices:admin/forcemerge", "force_merge"),
)
_FRAMES = {
    "write": (
        "org.elasticsearch.index.engine.InternalEngine.index(InternalEngine.java:1102)",
        "org.elasticsearch.action.bulk.TransportShardBulkAction.executeBulkItemRequest"
        "(TransportShardBulkAction.java:341)",
    ),
    "search": (
        "org.apache.lucene.search.IndexSearcher.search(IndexSearcher.java:713)",
        "org.elasticsearch.search.query.QueryPhase.executeQuery(QueryPhase.java:156)",
    ),
    "force_merge": (
        "org.apache.lucene.index.IndexWriter.forceMerge(IndexWriter.java:2183)",
        "org.elasticsearch.index.engine.InternalEngine.forceMerge(InternalEngine.java:2470)",
    ),
    "management": (
        "org.elasticsearch.tasks.TaskManager.register(TaskManager.java:152)",
        "org.elasticsearch.action.support.TransportAction.execute(TransportAction.java:87)",
    ),
}
_COMMON_FRAMES = (
    "org.elasticsearch.common.util.concurrent.ThreadContext$ContextPreservingAbstractRunnable"
    ".doRun(ThreadContext.java:1034)",
    "org.elasticsearch.common.util.concurrent.AbstractRunnable.run(AbstractRunnable.java:27)",
    "java.base@21.0.5/java.util.concurrent.ThreadPoolExecutor.runWorker"
    "(ThreadPoolExecutor.java:1144)",
    "java.base@21.0.5/java.util.concurrent.ThreadPoolExecutor$Worker.run"
    "(ThreadPoolExecutor.java:642)",
    "java.base@21.0.5/java.lang.Thread.runWith(Thread.java:1596)",
    "java.base@21.0.5/java.lang.Thread.run(Thread.java:1583)",
)
_IDLE = ("transport_worker", "scheduler")


@dataclass(frozen=True)
class HotThreadsRequest:
    nodes: tuple[str, ...] = ()
    threads: int = 3
    ignore_idle_threads: bool = True
    type: str = "cpu"
    sort: str = "total"
    interval_ns: int = 500_000_000
    snapshots: int = 10

    def validate(self) -> None:
        """`ReportType.of` and `SortOrder.of`, as the REST handler calls them."""
        if self.type not in _TYPES:
            raise IllegalArgumentError(f"type not supported [{self.type}]")
        if self.sort not in _SORTS:
            raise IllegalArgumentError(f"sort order not supported [{self.sort}]")


def node_description(node: Node, version: str) -> str:
    """`DiscoveryNode.toString`: name, id, ephemeral id, host, address, roles, versions."""
    ephemeral = hashlib.sha256(node.id.encode()).hexdigest()[:22]
    letters = "".join(sorted(_ROLE_LETTERS.get(role, "") for role in node.roles))
    out = f"{{{node.name}}}{{{node.id}}}{{{ephemeral}}}{{{node.host}}}{{{node.transport_address}}}"
    if node.roles:
        out += f"{{{letters}}}"
    out += f"{{{version}}}{{8000099-{_index_version(version)}}}"
    if node.attributes:
        out += "{" + ", ".join(f"{k}={v}" for k, v in node.attributes.items()) + "}"
    return out


def _index_version(version: str) -> str:
    major, minor, *_ = (int(p) if p.isdigit() else 0 for p in (*version.split("."), "0", "0"))
    return f"{major}{minor:03d}0{'00' if major >= 9 else '99'}"


def hot_threads(cluster: Cluster, request: HotThreadsRequest) -> str:
    """The whole answer: one `::: node` section per selected node, in cluster order."""
    request.validate()
    with cluster.lock:
        cluster.settle()
        chosen = cluster_nodes(cluster, request.nodes)
        now = cluster.now_ns()
        by_node: dict[str, list[Task]] = {node_id: [] for node_id in chosen}
        for task in cluster.tasks():
            if task.node in by_node and not task.action.startswith("cluster:monitor/"):
                by_node[task.node].append(task)
        out = []
        for node_id in chosen:
            node = cluster.nodes[node_id]
            report = _report(node, by_node[node_id], request, now)
            out.append(f"::: {node_description(node, cluster.version)}\n")
            out.extend(f"   {line}\n" for line in report.splitlines())  # Strings.spaceify
            out.append("\n")
        return "".join(out)


def _stamp(now_ns: int) -> str:
    moment = datetime.fromtimestamp(now_ns // 1_000_000_000, tz=UTC)
    fraction = f"{now_ns % 1_000_000_000:09d}".rstrip("0").ljust(3, "0")
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction}"


def _pool(action: str) -> str:
    return next((pool for prefix, pool in _POOLS if action.startswith(prefix)), "management")


def _share(seed: str, low: int, high: int) -> int:
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big")
    return low + digest % (high - low + 1)


@dataclass(frozen=True)
class _Thread:
    name: str
    pool: str
    cpu_ns: int
    other_ns: int
    idle: bool


def _threads(node: Node, tasks: Sequence[Task], interval_ns: int) -> list[_Thread]:
    numbers: dict[str, int] = {}
    out = []
    for task in tasks:
        pool = _pool(task.action)
        numbers[pool] = numbers.get(pool, 0) + 1
        cpu = interval_ns * _share(str(task.task_id), 20, 95) // 100
        other = (interval_ns - cpu) * _share(f"{task.task_id}/o", 0, 30) // 100
        name = f"elasticsearch[{node.name}][{pool}][T#{numbers[pool]}]"
        out.append(_Thread(name, pool, cpu, other, idle=False))
    for pool in _IDLE:
        out.append(_Thread(f"elasticsearch[{node.name}][{pool}][T#1]", pool, 0, 0, idle=True))
    return out


def _report(node: Node, tasks: Sequence[Task], request: HotThreadsRequest, now_ns: int) -> str:
    interval = human(request.interval_ns)
    idle = str(request.ignore_idle_threads).lower()
    lines = [
        f"Hot threads at {_stamp(now_ns)}, interval={interval}, "
        f"busiestThreads={request.threads}, ignoreIdleThreads={idle}:"
    ]
    threads = sorted(
        _threads(node, tasks, request.interval_ns),
        key=lambda t: (t.cpu_ns + t.other_ns, t.cpu_ns) if request.sort == "total" else (t.cpu_ns,),
        reverse=True,
    )[: max(request.threads, 0)]
    for thread in threads:
        if thread.idle and request.ignore_idle_threads:
            continue
        lines.append("")
        lines.append(_headline(thread, request, interval))
        frames: tuple[str, ...] = (
            _COMMON_FRAMES[-4:]
            if thread.idle
            else (*_FRAMES.get(thread.pool, _FRAMES["management"]), *_COMMON_FRAMES)
        )
        lines.append(
            f"  {request.snapshots}/{request.snapshots} snapshots sharing following "
            f"{len(frames)} elements"
        )
        lines.extend(f"    {frame}" for frame in frames)
    return "\n".join(lines) + "\n"


def _headline(thread: _Thread, request: HotThreadsRequest, interval: str) -> str:
    def percent(ns: int) -> float:
        return ns / request.interval_ns * 100 if request.interval_ns else 0.0

    if request.type == "mem":
        allocated = _share(thread.name, 1, 900) * (1024 if thread.idle else 1024 * 1024)
        return f"{_bytes(allocated)} memory allocated by thread '{thread.name}'"
    if request.type == "cpu":
        total = thread.cpu_ns + thread.other_ns
        return (
            f"{percent(total):4.1f}% [cpu={percent(thread.cpu_ns):.1f}%, "
            f"other={percent(thread.other_ns):.1f}%] ({human(total)} out of {interval}) "
            f"cpu usage by thread '{thread.name}'"
        )
    waited = request.interval_ns - thread.cpu_ns if request.type == "wait" else 0
    return (
        f"{percent(waited):4.1f}% ({human(waited)} out of {interval}) "
        f"{request.type} usage by thread '{thread.name}'"
    )


def _bytes(count: int) -> str:
    """`ByteSizeValue.toString`: the largest unit, one decimal, `.0` dropped."""
    for unit, size in (("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10)):
        if count >= size:
            text = f"{count / size:.1f}".removesuffix(".0")
            return f"{text}{unit}"
    return f"{count}b"
