"""Security in the REST flow: who a request is (401) and whether it may run its action (403)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.scripting.security import Subject

__all__ = ["API_ACTIONS", "authenticate", "authorize"]

API_ACTIONS: Final[Mapping[str, str]] = {
    "info": "cluster:monitor/main",
    "nodes.info": "cluster:monitor/nodes/info",
    "tasks.list": "cluster:monitor/tasks/lists",
    "tasks.get": "cluster:monitor/task/get",
    "tasks.cancel": "cluster:admin/tasks/cancel",
    "rollup.put_job": "cluster:admin/xpack/rollup/put",
    "rollup.start_job": "cluster:admin/xpack/rollup/start",
    "rollup.stop_job": "cluster:admin/xpack/rollup/stop",
    "rollup.delete_job": "cluster:admin/xpack/rollup/delete",
    "rollup.get_jobs": "cluster:monitor/xpack/rollup/get",
    "rollup.get_rollup_caps": "cluster:monitor/xpack/rollup/get/caps",
    "reindex": "indices:data/write/reindex",
    "update_by_query": "indices:data/write/update/byquery",
    "delete_by_query": "indices:data/write/delete/byquery",
    "reindex_rethrottle": "cluster:admin/reindex/rethrottle",
    "update_by_query_rethrottle": "cluster:admin/update_by_query/rethrottle",
    "delete_by_query_rethrottle": "cluster:admin/delete_by_query/rethrottle",
    "indices.create": "indices:admin/create",
    "indices.get": "indices:admin/get",
    "indices.exists": "indices:admin/get",
    "indices.delete": "indices:admin/delete",
    "indices.get_mapping": "indices:admin/mappings/get",
    "rollup.get_rollup_index_caps": "indices:data/read/xpack/rollup/get/index/caps",
    "cat.tasks": "cluster:monitor/tasks/lists",
    "cluster.health": "cluster:monitor/health",
    "nodes.hot_threads": "cluster:monitor/nodes/hot_threads",
    "indices.forcemerge": "indices:admin/forcemerge",
}
"""The transport action each API runs, which roles must grant (`RestXAction` → `XAction.NAME`)."""

# Authorized as "the same user" for everyone authenticated.
_SELF_APIS: Final = frozenset({"security.authenticate"})


def authenticate(
    fake: FakeTasks, authorization: str | None, uri: str, method: str = "GET"
) -> Subject | None:
    """The request's subject; None when security is off. Raises the 401 `EsError`.

    OPTIONS is never authenticated ("CORS - allow for preflight unauthenticated OPTIONS
    request", `SecurityRestFilter`).
    """
    if not fake.security.enabled or method == "OPTIONS":
        return None
    return fake.security.authenticate(authorization, uri, fake.cluster.es_version)


def authorize(fake: FakeTasks, subject: Subject | None, api: str, index: str | None = None) -> None:
    """Raise the 403 `EsError` if `subject` may not run `api`'s action (on `index`, the
    request's comma-separated index expression, for index actions).

    An API this table does not know is not checked (documented in the README).
    """
    if subject is None or api in _SELF_APIS:
        return
    action = API_ACTIONS.get(api)
    if action is not None:
        indices = [i.strip() for i in index.split(",") if i.strip()] if index else []
        fake.security.authorize(subject, action, fake.cluster.es_version, indices)
