"""What tests script about the bulk-by-scroll requests the APIs start: outcomes and remotes."""

from __future__ import annotations

from dataclasses import dataclass, field

from fake_tasks.errors import EsError

__all__ = ["BulkScript", "Outcome"]


@dataclass(frozen=True)
class Outcome:
    """What happens to the documents: scripted, the same for every run.

    The first `version_conflicts` documents conflict, the next `noops` are left alone by the
    script, the next `existing` (reindex) overwrite documents already in the destination. A
    `bulk_failure` fails one document of batch `failure_batch`; a `search_failure` fails the
    scroll that would fetch it. Either ends the request, as a conflict does with
    `conflicts=abort`.
    """

    version_conflicts: int = 0
    noops: int = 0
    existing: int = 0
    bulk_retries: int = 0
    search_retries: int = 0
    bulk_failure: EsError | None = None
    search_failure: EsError | None = None
    failure_batch: int = 0


@dataclass
class BulkScript:
    """What a test scripted for the bulk-by-scroll requests the APIs start.

    `outcomes`: (index pattern, outcome, matching documents or None for all) rules, the first
    whose pattern matches a source index wins. `remotes`: `host:port` patterns reindex may read
    from (`reindex.remote.whitelist`), with the documents the remote holds.
    """

    outcomes: list[tuple[str, Outcome, int | None]] = field(default_factory=list)
    remotes: dict[str, int] = field(default_factory=dict)
    docs_per_second: int = 10_000
    merge_ns_per_shard: int = 1_000_000_000
