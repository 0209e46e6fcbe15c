"""ES pattern matching: `Regex.simpleMatch` and `DiscoveryNodes.resolveNodes` node specs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from fake_tasks.cluster.model import Cluster, Node
from fake_tasks.cluster.patterns import simple_match as simple_match
from fake_tasks.errors import IllegalArgumentError

DATA_ROLES = frozenset(
    {"data", "data_content", "data_hot", "data_warm", "data_cold", "data_frozen"}
)
BUILTIN_ROLES = DATA_ROLES | {
    "master",
    "ingest",
    "ml",
    "remote_cluster_client",
    "transform",
    "voting_only",
    "index",
    "search",
}


def match_any(patterns: Iterable[str], value: str) -> bool:
    return any(simple_match(p, value) for p in patterns)


def parse_boolean(value: str | None, default: bool) -> bool:
    """`Booleans.parseBoolean(value, default)`: blank is the default, else strictly true/false."""
    if value is None or not value.strip():
        return default
    if value == "true":
        return True
    if value == "false":
        return False
    raise IllegalArgumentError(
        f"Failed to parse value [{value}] as only [true] or [false] are allowed."
    )


def split_commas(value: str | None) -> list[str]:
    """`Strings.splitStringByCommaToArray`: no trimming; trailing empty items dropped."""
    if not value:
        return []
    parts = value.split(",")
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def resolve_nodes(
    nodes: Mapping[str, Node], specs: Sequence[str], *, local: str, master: str | None
) -> list[str]:
    """The node ids a `nodes` parameter selects, in cluster order; empty specs select all."""
    if not specs:
        return list(nodes)
    chosen: set[str] = set()
    for spec in specs:
        if spec == "_local":
            chosen.add(local)
        elif spec == "_master":
            if master is not None:
                chosen.add(master)
        elif spec in nodes:
            chosen.add(spec)
        else:
            for node in nodes.values():
                if (
                    spec == "_all"
                    or simple_match(spec, node.name)
                    or simple_match(spec, node.ip)
                    or simple_match(spec, node.host)
                ):
                    chosen.add(node.id)
            if ":" in spec:
                _apply_attribute_spec(nodes, spec, chosen)
    return [node_id for node_id in nodes if node_id in chosen]


def cluster_nodes(cluster: Cluster, specs: Sequence[str]) -> list[str]:
    """`resolve_nodes` over the cluster's nodes, `_local` and `_master` being its own."""
    return resolve_nodes(
        cluster.nodes, specs, local=cluster.local_node_id, master=cluster.master_node_id
    )


def data_nodes(nodes: Mapping[str, Node]) -> list[str]:
    """The ids of the nodes with a data role, in cluster order."""
    return [n.id for n in nodes.values() if any(r in DATA_ROLES for r in n.roles)]


def _apply_attribute_spec(nodes: Mapping[str, Node], spec: str, chosen: set[str]) -> None:
    name, _, value = spec.partition(":")
    if name in BUILTIN_ROLES:
        selected = [n for n in nodes.values() if _has_role(n, name)]
        _add_or_remove(chosen, selected, parse_boolean(value, True))
    elif name == "coordinating_only":
        selected = [n for n in nodes.values() if not n.roles]
        _add_or_remove(chosen, selected, parse_boolean(value, True))
    else:
        custom = [n for n in nodes.values() if name in set(n.roles) - BUILTIN_ROLES]
        if custom:
            _add_or_remove(chosen, custom, parse_boolean(value, True))
        for node in nodes.values():
            if any(
                simple_match(name, k) and simple_match(value, v) for k, v in node.attributes.items()
            ):
                chosen.add(node.id)


def _has_role(node: Node, role: str) -> bool:
    if role == "data":
        return any(r in DATA_ROLES for r in node.roles)
    if role in DATA_ROLES:
        return role in node.roles or "data" in node.roles
    return role in node.roles


def _add_or_remove(chosen: set[str], selected: Iterable[Node], add: bool) -> None:
    for node in selected:
        if add:
            chosen.add(node.id)
        else:
            chosen.discard(node.id)
