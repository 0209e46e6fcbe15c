"""What changed between the emulated versions: one row per behaviour, with its source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["FEATURES", "Feature", "Minor"]

Minor = tuple[int, int]
"""A `(major, minor)` release line, e.g. `(8, 15)`."""


@dataclass(frozen=True)
class Feature:
    """A behaviour present from `since` (included) until `until` (excluded; None: still there).

    `what` says what the server does where the behaviour is present, `otherwise` what it does
    before (or after) it, and `source` where in Elasticsearch this was verified.
    """

    key: str
    since: Minor | None
    until: Minor | None
    what: str
    otherwise: str
    source: str

    def present_in(self, minor: Minor) -> bool:
        if self.since is not None and minor < self.since:
            return False
        return self.until is None or minor < self.until


FEATURES: Final = (
    Feature(
        "json_charset",
        None,
        (8, 0),
        "JSON responses are sent as `application/json; charset=UTF-8`",
        "`application/json` (no charset)",
        "`XContentType.JSON.mediaType()` in 7.x (libs/x-content); 8.0 answers the media type "
        "without parameters",
    ),
    Feature(
        "cancelled_flag",
        (7, 14),
        None,
        "task info has `cancelled` after `cancellable` (only for cancellable tasks)",
        "no `cancelled` field",
        "PR #72931 (7.14), `TaskInfo.toXContent`",
    ),
    Feature(
        "cancel_task_privilege",
        (7, 12),
        None,
        "the `cancel_task` cluster privilege grants `cluster:admin/tasks/cancel*`",
        "only `manage` and `all` grant a cancel",
        "PR #68679 (7.12), `ClusterPrivilegeResolver.CANCEL_TASK`",
    ),
    Feature(
        "rollup_upgraded_doc_id",
        None,
        (8, 0),
        "a rollup job's status carries `upgraded_doc_id: true`",
        "no `upgraded_doc_id`",
        "`RollupJobStatus.toXContent` (reference §10.2: 7.x also emitted it)",
    ),
    Feature(
        "rollup_restart_acknowledged",
        (8, 0),
        None,
        'starting a started or indexing rollup job answers `{"started": true}`',
        "7.x refuses to start a job that is not stopped",
        "`RollupJobTask.start` 8.x (reference §10.2)",
    ),
    Feature(
        "effective_roles",
        (8, 5),
        None,
        "a 403 names the user's roles as `with effective roles [a,b]` (sorted; unknown roles "
        "listed as `(assigned roles [x] were not found)`)",
        "`with roles [a,b]` (the assigned roles, in assignment order)",
        "PR #89680 (merged 2022-09, 8.5), `AuthorizationDenialMessages.rolesDescription`",
    ),
    Feature(
        "opaque_id_full_error",
        (8, 8),
        None,
        "two different `X-Opaque-Id` headers get a full JSON 400 (`illegal_argument_exception`)",
        'the simple body `{"error":"multiple values ...","status":400}`',
        "check moved from `RestController.copyRestHeaders` to "
        "`ActionModule.copyRequestHeadersToThreadContext` (docs/es-facts.md §7)",
    ),
    Feature(
        "http_layer_authentication",
        (8, 9),
        None,
        "with security on, a request is authenticated in the HTTP layer before anything else "
        "(a bad path or media type without credentials is a 401)",
        "`SecurityRestFilter` authenticates inside the matched handler: routing, OPTIONS, media "
        "type and Content-Type errors come first",
        "PR #95112 (security authentication as the Netty header validator, changelog "
        '"Header validator with Security"): reviewed into May 2023 and absent from the 8.8.0 '
        "release notes, so 8.9; `SecurityRestFilter.handleRequest` before (docs/es-facts.md, "
        "Security). 7.17.11 got it too (backport #96703), which the 7.17 line does not emulate",
    ),
    Feature(
        "node_tasks_cancellable",
        (8, 4),
        None,
        "a tasks request's node-level `[n]` tasks are cancellable (a cancel with no filter "
        "cancels its own `cancel[n]` tasks)",
        "`cancellable: false`",
        "PR #88621 (merged 2022-07-19, 8.4): `NodeTaskRequest.createTask` returns a "
        "`CancellableTask`",
    ),
    Feature(
        "list_tasks_cancellable",
        (8, 9),
        None,
        "the list request's own tasks are cancellable (`cancellable: true, cancelled: false`)",
        "`cancellable: false`",
        "PR #96283 and #96248 (8.9)",
    ),
    Feature(
        "list_infos_after_wait",
        (8, 9),
        None,
        "a waiting list takes its task infos after the wait (tasks that ended meanwhile show "
        "their whole running time)",
        "the infos are taken before the wait",
        "`TransportListTasksAction.processTasks` hands the collected tasks to `taskOperation` once "
        "they are removed (9.x) where it built each info before waiting (8.x); the rework came "
        "with PRs #96248 and #96279, opened 2023-05-22/23 as 8.8.0 shipped, so 8.9 (by date)",
    ),
    Feature(
        "www_authenticate_comma",
        (8, 15),
        None,
        '401s carry `WWW-Authenticate: Basic realm="security", charset="UTF-8"`',
        '`Basic realm="security" charset="UTF-8"` (no comma)',
        "PR #110906, backported to 8.15 as #111144",
    ),
    Feature(
        "rollup_put_restricted",
        (8, 15),
        None,
        "`PUT _rollup/job/<id>` fails (400) in a cluster without rollup jobs or rollup indices",
        "any cluster may create rollup jobs",
        "issue #108381; `TransportPutRollupJobAction` (new rollup jobs are not allowed in "
        "clusters that don't have any rollup usage)",
    ),
    Feature(
        "connect_transport_502",
        (8, 18),
        None,
        "a `node_disconnected_exception` (a `ConnectTransportException`) has status 502",
        "status 500",
        "PR #118681 (merged 2024-12: 9.0 and 8.18)",
    ),
    Feature(
        "timeout_429",
        (9, 0),
        None,
        "a wait that times out (`timeout_exception`) answers 429",
        "500",
        "PR #116026 (merged 2024-11 into 9.0), `ElasticsearchTimeoutException.status()`",
    ),
    Feature(
        "rollup_deprecation_warning",
        (9, 0),
        None,
        "every rollup API answer carries the deprecation `Warning: 299 Elasticsearch-<version>-"
        '<hash> "The rollup functionality will be removed in Elasticsearch 10.0. See docs for '
        'more information."`',
        "no warning header (rollup is deprecated in the docs only, since 8.11)",
        "PR #112807 (main, 2024-09); the 8.15 backport #113042 was reverted (#113076) and the "
        "8.x backport #113040 closed unmerged",
    ),
    Feature(
        "rollup_version_meta_empty",
        (9, 0),
        None,
        'a new rollup index gets `_meta.rollup-version: ""`; existing rollup metadata is not '
        "version-checked",
        "`rollup-version` is the node's version, and an existing rollup index without one fails: "
        "`Could not determine version of existing rollup metadata for index [x]`",
        "`TransportPutRollupJobAction` 8.x and 9.x (docs/es-facts.md §14)",
    ),
    Feature(
        "follow_relocations",
        (9, 5),
        None,
        "`GET _tasks/<id>` reads `follow_relocations` (default true); earlier versions refuse "
        "it as an unrecognized parameter",
        "400 unrecognized parameter",
        "`GetTaskRequest` transport version `get_task_follow_relocations` = 9354000: above the "
        "9.4 upper bound (9327000), below 9.5's (9421000) "
        "(server/src/main/resources/transport/)",
    ),
    Feature(
        "reindex_relocation",
        (9, 5),
        None,
        "a running reindex moves to another node when its node shuts down: the source stores a "
        "`task_relocated_exception`, the destination task carries `original_task_id`, gets follow "
        "the relocation, lists de-duplicate by original task id",
        "a reindex dies with its node",
        "`TransportGetTaskAction.followReindexRelocationIfNeeded`, "
        "`TransportListTasksAction.deduplicateAndMerge`, `TaskRelocatedException` (same "
        "transport version as `follow_relocations`)",
    ),
)
"""Every behaviour that differs between the emulated versions, oldest first."""
