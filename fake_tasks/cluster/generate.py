"""Synthetic clusters and task trees from a seed: nodes, actions, descriptions, headers."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

from fake_tasks.cluster.bulkstart import BulkRequest, start_bulk
from fake_tasks.cluster.clock import DEFAULT_EPOCH_NS, Clock, VirtualClock
from fake_tasks.cluster.gcpause import gc_paused
from fake_tasks.cluster.ids import node_id
from fake_tasks.cluster.model import ES_VERSION, Cluster, Node, Task
from fake_tasks.cluster.words import FakerWords, faker_words

_ROLE_SETS = (
    ("data_content", "data_hot", "ingest", "master", "ml", "remote_cluster_client", "transform"),
    ("data_content", "data_hot", "ingest", "master", "remote_cluster_client", "transform"),
    ("data_content", "data_hot", "ingest", "master", "ml", "remote_cluster_client"),
    ("data_warm", "remote_cluster_client"),
    ("data_cold", "remote_cluster_client"),
    ("ml", "remote_cluster_client"),
)


class _Builder:
    """Holds the seeded random sources while one cluster's task trees are drawn."""

    def __init__(
        self, cluster: Cluster, rng: random.Random, words: Sequence[str], seed: int = 0
    ) -> None:
        self.cluster = cluster
        self.seed = seed
        self.rng = rng
        self.words = words
        self.node_ids = list(cluster.nodes)
        self.allocation = rng.randint(3, 40)
        self.singletons: set[str] = set()  # persistent tasks with a fixed id run once per cluster

    @staticmethod
    def channel(node: str, coordinator: str) -> str:
        """A child's task type: `direct` on the node that sent it (the local channel)."""
        return "direct" if node == coordinator else "transport"

    def other_node(self, node: str) -> str:
        others = [n for n in self.node_ids if n != node] or [node]
        return self.rng.choice(others)

    def index(self) -> str:
        return f"{self.word().lower()}-2026.01.{self.rng.randint(1, 28):02d}"

    def ensure_index(self, name: str, docs: int | None = None) -> None:
        """Put an index a task description names into the catalog (sizes from their own rng):
        created when the catalog is first read, the largest size it was given."""
        self.cluster.indices.plan(name, _SEEDED_MAPPING, docs=docs, seed=self.seed)

    # Drawn from `rng` rather than through faker's providers, which cost 10-60 us a value: the
    # generator makes tens of thousands of them for a large cluster.
    def word(self) -> str:
        return self.rng.choice(self.words)

    def uuid4(self) -> str:
        """`str(uuid.UUID(int=rng.getrandbits(128), version=4))`, without building a UUID."""
        bits = self.rng.getrandbits(128) & ~(0xC000 << 48) | (0x8000 << 48)  # RFC 4122 variant
        h = f"{bits & ~(0xF000 << 64) | (4 << 76):032x}"  # version 4
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex32(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def headers(self) -> dict[str, str]:
        roll = self.rng.random()
        if roll < 0.35:
            return {"X-Opaque-Id": self.uuid4()}
        if roll < 0.55:
            return {
                "X-Opaque-Id": f"kibana:application:{self.word()}:{self.uuid4()}",
                "X-elastic-product-origin": "kibana",
                "trace.id": self.hex32(),
            }
        if roll < 0.7:
            return {"trace.id": self.hex32()}
        return {}

    def ago(self, low: float, high: float) -> float:
        return round(self.rng.uniform(low, high), 9)

    def start(self, action: str, **kwargs: Any) -> Task:
        return self.cluster.start_task(action, **kwargs)

    # -- trees: each returns how many tasks it started --------------------------------------

    def reindex(self, budget: int) -> int:
        node = self.rng.choice(self.node_ids)
        slices = min(self.rng.choice((1, 2, 3, 4)), budget - 1) if budget > 1 else 1
        slices = max(slices, 1)
        total = self.rng.randint(20, 900) * 1000
        duration = self.rng.randint(600, 7200)
        ago = self.ago(1, duration * 0.8)
        headers = self.headers()
        source, dest = self.index(), self.index() + "-reindexed"
        self.ensure_index(source, total)
        self.ensure_index(dest, 0)
        cancel_delay = self.ago(0.5, 3)
        per_slice = -(-total // slices)
        batches = -(-per_slice // 1000)
        start_bulk(
            self.cluster,
            BulkRequest(
                "reindex",
                f"reindex from [{source}] to [{dest}]",
                total=total,
                index=dest,
                batch_ns=duration * 1_000_000_000 // batches,
                slices=slices,
                store_result=True,
                cancel_delay_ns=round(cancel_delay * 1e9),
                node=node,
                headers=headers,
                started_ago_ns=round(ago * 1e9),
            ),
        )
        return 1 + slices if slices > 1 else 1

    def by_query(self, budget: int) -> int:
        kind = self.rng.choice(("update_by_query", "delete_by_query"))
        label = "delete-by-query" if kind == "delete_by_query" else "update-by-query"
        total = self.rng.randint(5, 400) * 1000
        duration = self.rng.randint(600, 5400)
        node = self.rng.choice(self.node_ids)
        index = self.index()
        self.ensure_index(index, total)
        headers = self.headers()
        start_bulk(
            self.cluster,
            BulkRequest(
                kind,
                f"{label} [{index}]",
                total=total,
                index=index,
                batch_ns=duration * 1_000_000_000 // -(-total // 1000),
                store_result=True,
                node=node,
                headers=headers,
                started_ago_ns=round(self.ago(1, duration * 0.8) * 1e9),
            ),
        )
        return 1

    def search(self, budget: int) -> int:
        node = self.rng.choice(self.node_ids)
        shards = max(0, min(self.rng.randint(1, 4), budget - 1))
        index = self.index()
        self.ensure_index(index)
        pattern = index.split("-")[0] + "-*"
        term = self.word()
        # json.dumps({"size": 10, "query": {"match": {"message": {"query": term}}}}), compact
        source = '{"size":10,"query":{"match":{"message":{"query":' + json.dumps(term) + "}}}}"
        headers = self.headers()
        duration = self.rng.randint(600, 3600)
        ago = self.ago(0.5, 300)
        parent = self.start(
            "indices:data/read/search",
            node=node,
            description=f"indices[{pattern}], search_type[QUERY_THEN_FETCH], source[{source}]",
            headers=headers,
            duration=duration,
            started_ago=ago,
        )
        for shard in range(shards):
            target = self.other_node(node) if shard % 2 == 0 else node
            self.start(
                "indices:data/read/search[phase/query]",
                node=target,
                type=self.channel(target, node),
                description=f"shardId[[{index}][{shard}]]",
                parent=parent,
                headers=headers,
                duration=duration,
                started_ago=ago - 0.002 * (shard + 1),
            )
        return 1 + shards

    def nodes_stats(self, budget: int) -> int:
        fan_out = self.node_ids[: max(0, budget - 1)]
        node = self.node_ids[0]
        duration = self.rng.randint(600, 1800)
        ago = self.ago(0.1, 30)
        headers = self.headers()
        parent = self.start(
            "cluster:monitor/nodes/stats",
            node=node,
            headers=headers,
            duration=duration,
            started_ago=ago,
        )
        for i, target in enumerate(fan_out):
            self.start(
                "cluster:monitor/nodes/stats[n]",
                node=target,
                type=self.channel(target, node),
                parent=parent,
                headers=headers,
                duration=duration,
                started_ago=ago - 0.001 * (i + 1),
            )
        return 1 + len(fan_out)

    def bulk(self, budget: int) -> int:
        node = self.rng.choice(self.node_ids)
        primary = self.other_node(node)
        index = self.index()
        self.ensure_index(index)
        duration = self.rng.randint(600, 1200)
        ago = self.ago(0.01, 5)
        headers = self.headers()
        parent = self.start(
            "indices:data/write/bulk",
            node=node,
            description=f"requests[{self.rng.randint(10, 5000)}], indices[{index}]",
            cancellable=False,
            headers=headers,
            duration=duration,
            started_ago=ago,
        )
        if budget < 3:
            return 1
        shard = self.start(
            "indices:data/write/bulk[s]",
            node=primary,
            type=self.channel(primary, node),
            description=f"requests[{self.rng.randint(1, 500)}], index[{index}][0]",
            cancellable=False,
            parent=parent,
            headers=headers,
            duration=duration,
            started_ago=ago - 0.001,
        )
        self.start(
            "indices:data/write/bulk[s][p]",
            node=primary,
            type="direct",
            description=f"requests[{self.rng.randint(1, 500)}], index[{index}][0]",
            cancellable=False,
            parent=shard,
            headers=headers,
            duration=duration,
            started_ago=ago - 0.002,
        )
        return 3

    def persistent(self, budget: int) -> int:
        self.allocation += self.rng.randint(1, 7)
        choices = [
            ("health-node[c]", "id=health-node"),
            ("geoip-downloader[c]", "id=geoip-downloader"),
            ("xpack/ml/job[c]", f"job-{self.word()}-{self.word()}"),
            ("data_frame/transforms[c]", f"data_frame_{self.word()}"),
        ]
        # `health-node` and `geoip-downloader` are persistent tasks with a fixed id: one each
        pick = self.rng.choice(choices)
        if pick[0] in self.singletons:
            pick = self.rng.choice(choices[2:])
        action, description = pick
        if action in ("health-node[c]", "geoip-downloader[c]"):
            self.singletons.add(action)
        self.start(
            action,
            node=self.rng.choice(self.node_ids),
            type="persistent",
            description=description,
            parent=f"cluster:{self.allocation}",
            started_ago=self.ago(3600, 86400 * 3),
        )
        return 1


_TREES: tuple[tuple[Callable[[_Builder, int], int], int], ...] = (
    (_Builder.reindex, 3),
    (_Builder.by_query, 2),
    (_Builder.search, 4),
    (_Builder.nodes_stats, 1),
    (_Builder.bulk, 2),
    (_Builder.persistent, 2),
)


# The mapping of the indices seeded clusters name in their tasks.
_SEEDED_MAPPING: dict[str, Any] = {
    "properties": {
        "@timestamp": {"type": "date"},
        "message": {"type": "text"},
        "status": {"type": "keyword"},
        "value": {"type": "long"},
    }
}


def make_nodes(rng: random.Random, fake: FakerWords, count: int) -> list[Node]:
    """`count` nodes with ES-style ids, private addresses and tiered roles."""
    nodes = []
    prefix = fake.word()
    for i in range(count):
        ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
        roles = _ROLE_SETS[i] if i < len(_ROLE_SETS) else _ROLE_SETS[rng.randint(3, 5)]
        attributes = {
            "ml.allocated_processors": str(rng.choice((2, 4, 8))),
            "ml.machine_memory": str(rng.choice((8, 16, 32)) * 1024**3),
            "xpack.installed": "true",
            "ml.max_jvm_size": str(rng.choice((4, 8, 16)) * 1024**3 // 2),
        }
        nodes.append(
            Node(
                id=node_id(rng),
                name=f"{prefix}-es-{i + 1}",
                host=ip,
                ip=ip,
                port=9300,
                roles=roles,
                attributes=attributes,
            )
        )
    return nodes


def generate_cluster(
    seed: int = 0,
    *,
    nodes: int = 3,
    tasks: int = 30,
    clock: Clock | None = None,
    version: str = ES_VERSION,
) -> Cluster:
    """A cluster of `nodes` nodes running exactly `tasks` tasks, the same for the same seed.

    The cluster is drawn at one frozen instant (the clock's time when generation starts) and
    the clock is attached afterwards, so no task ends while it is being drawn, whatever the
    clock and the size: realtime and virtual clocks give the same cluster.
    """
    if nodes < 1:
        raise ValueError(f"nodes must be at least 1, got {nodes}")
    if tasks < 0:
        raise ValueError(f"tasks must not be negative, got {tasks}")
    rng = random.Random(seed)
    fake = FakerWords(seed)  # what `Faker().seed_instance(seed)` draws, without importing faker
    members = make_nodes(rng, fake, nodes)
    instant = clock.now_ns() if clock is not None else DEFAULT_EPOCH_NS
    cluster = Cluster(
        members,
        clock=VirtualClock(instant, tick=0),
        name=f"{fake.word()}-cluster",
        uuid=node_id(rng),
        version=version,
        first_task_id={node.id: rng.randint(100, 90_000) for node in members},
    )
    builder = _Builder(cluster, rng, faker_words(), seed)
    kinds = [kind for kind, _ in _TREES]
    cumulative = list(itertools.accumulate(weight for _, weight in _TREES))  # as choices() sums
    remaining = tasks
    with gc_paused():
        while remaining > 0:
            kind = rng.choices(kinds, cum_weights=cumulative)[0]
            remaining -= kind(builder, remaining)
    cluster.attach_clock(clock if clock is not None else VirtualClock(instant))
    return cluster
