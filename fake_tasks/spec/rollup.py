"""The rollup job APIs: put, get, start, stop, delete and the rollup capabilities."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Deviation, Param

__all__ = ["APIS", "DEVIATIONS"]

_ID: Final = Param("id", "string", in_path=True)

APIS: Final = (
    # RestPutRollupJobAction: the id, then the body (required)
    ApiSpec("rollup.put_job", (("PUT", "/_rollup/job/{id}"),), (_ID,), body="required"),
    # RestGetRollupJobsAction: no id, `_all` and `*` mean every job
    ApiSpec(
        "rollup.get_jobs",
        (("GET", "/_rollup/job/{id}"), ("GET", "/_rollup/job")),
        (Param("id", "string", default="_all", in_path=True),),
    ),
    ApiSpec("rollup.start_job", (("POST", "/_rollup/job/{id}/_start"),), (_ID,)),
    # RestStopRollupJobAction: timeout (StopRollupJobAction.DEFAULT_TIMEOUT), then the flag
    ApiSpec(
        "rollup.stop_job",
        (("POST", "/_rollup/job/{id}/_stop"),),
        (
            _ID,
            Param("timeout", "time", default="30s"),
            Param("wait_for_completion", "boolean", default="false"),
        ),
    ),
    ApiSpec("rollup.delete_job", (("DELETE", "/_rollup/job/{id}"),), (_ID,)),
    # RestGetRollupCapsAction: the index pattern whose capabilities to list
    ApiSpec(
        "rollup.get_rollup_caps",
        (("GET", "/_rollup/data/{id}"), ("GET", "/_rollup/data")),
        (Param("id", "string", default="_all", in_path=True),),
    ),
    # RestGetRollupIndexCapsAction: the rollup indices (names, wildcards, `_all`)
    ApiSpec(
        "rollup.get_rollup_index_caps",
        (("GET", "/{index}/_rollup/data"),),
        (Param("index", "list", in_path=True),),
    ),
)

DEVIATIONS: Final[tuple[Deviation, ...]] = ()
