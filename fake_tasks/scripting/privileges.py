"""Cluster and index privileges as Elasticsearch resolves them: which actions each one grants.

The named privileges cover the APIs the fake serves (`ClusterPrivilegeResolver`,
`IndexPrivilege`); they are listed from least to most privileged, the order of the "this action
is granted by the ... privileges [...]" part of a 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from fake_tasks.cluster.matching import match_any
from fake_tasks.errors import FakeTasksError

__all__ = [
    "CLUSTER_PRIVILEGES",
    "INDEX_PRIVILEGES",
    "Privilege",
    "cluster_grants",
    "granting_cluster_privileges",
    "granting_index_privileges",
    "index_grants",
    "is_cluster_action",
]


@dataclass(frozen=True)
class Privilege:
    """A named privilege: the action patterns it grants, less those it excludes."""

    name: str
    patterns: tuple[str, ...]
    excluded: tuple[str, ...] = ()

    def grants(self, action: str) -> bool:
        return match_any(self.patterns, action) and not match_any(self.excluded, action)


_ALL_CLUSTER = ("cluster:*", "indices:admin/template/*", "indices:admin/index_template/*")
_TEMPLATE_READS = (
    "indices:admin/template/get",
    "indices:admin/index_template/get",
    "cluster:admin/component_template/get",
)

# Least to most privileged (`ClusterPrivilegeResolver.sortByAccessLevel`: how many other
# privileges each one implies, then the name).
CLUSTER_PRIVILEGES: Final = {
    p.name: p
    for p in (
        Privilege("none", ()),
        Privilege("cancel_task", ("cluster:admin/tasks/cancel*",)),
        Privilege("monitor_rollup", ("cluster:monitor/xpack/rollup/*",)),
        Privilege(
            "manage_rollup", ("cluster:admin/xpack/rollup/*", "cluster:monitor/xpack/rollup/*")
        ),
        Privilege("manage_security", ("cluster:admin/xpack/security/*",)),
        Privilege("monitor", ("cluster:monitor/*", *_TEMPLATE_READS)),
        Privilege("manage", _ALL_CLUSTER, ("cluster:admin/xpack/security/*",)),
        Privilege("all", _ALL_CLUSTER),
    )
}

_ROLLUP_INDEX_CAPS = "indices:data/read/xpack/rollup/get/index/caps*"

# `IndexPrivilege` (data selector), least to most privileged as `sortByAccessLevel` orders them.
INDEX_PRIVILEGES: Final = {
    p.name: p
    for p in (
        Privilege("none", ()),
        Privilege("create_index", ("indices:admin/create", "indices:admin/auto_create")),
        Privilege("delete", ("indices:data/write/delete*", "indices:data/write/bulk*")),
        Privilege("delete_index", ("indices:admin/delete",)),
        Privilege(
            "maintenance",
            (
                "indices:admin/refresh*",
                "indices:admin/flush*",
                "indices:admin/synced_flush",
                "indices:admin/forcemerge*",
            ),
        ),
        Privilege("read", ("indices:data/read/*", "indices:admin/resolve/index")),
        Privilege(
            "view_index_metadata",
            (
                "indices:admin/aliases/get",
                "indices:admin/get",
                "indices:admin/mappings/fields/get*",
                "indices:admin/mappings/get",
                "indices:monitor/settings/get",
                _ROLLUP_INDEX_CAPS,
            ),
        ),
        Privilege(
            "index",
            ("indices:data/write/index*", "indices:data/write/update*", "indices:data/write/bulk*"),
        ),
        Privilege("write", ("indices:data/write/*",)),
        Privilege("manage", ("indices:admin/*", "indices:monitor/*", _ROLLUP_INDEX_CAPS)),
        Privilege("all", ("indices:*",)),
    )
}


def is_cluster_action(action: str) -> bool:
    """`ClusterPrivilegeResolver.isClusterAction`."""
    return match_any(_ALL_CLUSTER, action)


def _resolve(name: str, table: dict[str, Privilege], kind: str) -> Privilege:
    """A named privilege, or a raw action name granting that action (`name*`)."""
    lowered = name.lower()
    if kind == "cluster" and is_cluster_action(lowered):
        return Privilege(lowered, (f"{lowered}*",))
    if kind == "index" and lowered.startswith("indices:"):
        return Privilege(lowered, (f"{lowered}*",))
    found = table.get(lowered)
    if found is None:
        raise FakeTasksError(
            f"unknown {kind} privilege [{name}]; the fake knows {sorted(table)} and raw "
            f"{'cluster:' if kind == 'cluster' else 'indices:'}... action names"
        )
    return found


def check_names(names: Iterable[str], kind: str) -> None:
    table = CLUSTER_PRIVILEGES if kind == "cluster" else INDEX_PRIVILEGES
    for name in names:
        _resolve(name, table, kind)


def cluster_grants(names: Iterable[str], action: str) -> bool:
    return any(_resolve(n, CLUSTER_PRIVILEGES, "cluster").grants(action) for n in names)


def index_grants(names: Iterable[str], action: str) -> bool:
    return any(_resolve(n, INDEX_PRIVILEGES, "index").grants(action) for n in names)


def index_grants_on(
    grants: Iterable[tuple[Iterable[str], Iterable[str]]], action: str, index: str
) -> bool:
    """Whether any `(index patterns, privileges)` grant allows `action` on the index `index`."""
    return any(
        match_any(tuple(names), index) and index_grants(privileges, action)
        for names, privileges in grants
    )


def granting_cluster_privileges(action: str) -> list[str]:
    return [p.name for p in CLUSTER_PRIVILEGES.values() if p.grants(action)]


def granting_index_privileges(action: str) -> list[str]:
    return [p.name for p in INDEX_PRIVILEGES.values() if p.grants(action)]
