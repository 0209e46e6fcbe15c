"""Cluster members as `DiscoveryNode` describes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Node"]


@dataclass(frozen=True)
class Node:
    """A cluster member as `DiscoveryNode` describes it."""

    id: str
    name: str
    host: str
    ip: str
    port: int = 9300
    roles: tuple[str, ...] = ("data", "ingest", "master")
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __deepcopy__(self, memo: dict[int, object]) -> Node:
        return self  # immutable: copies of a cluster share it

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", tuple(sorted(self.roles)))

    @property
    def transport_address(self) -> str:
        return f"{self.ip}:{self.port}"
