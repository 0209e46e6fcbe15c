"""Handler of `POST /_forcemerge` and `POST /{index}/_forcemerge` (`RestForceMergeAction`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fake_tasks.actions import forcemerge as actions
from fake_tasks.cluster.merge import MergeProgress
from fake_tasks.cluster.model import Task
from fake_tasks.rest.handling import indices_options, task_or_wait
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS"]


def prepare_forcemerge(call: Call) -> Run:
    p = call.params
    indices = p.strings("index")
    options = indices_options(p)
    segments = p.integer("max_num_segments")
    request = actions.ForceMergeRequest(
        indices=indices,
        options=options,
        max_num_segments=-1 if segments is None else segments,
        only_expunge_deletes=p.boolean("only_expunge_deletes"),
        flush=p.boolean("flush"),
        store_result=not p.boolean("wait_for_completion"),
        headers=call.task_headers,
    )
    return task_or_wait(call, request, lambda: actions.start(call.cluster, request), _merged)


def _merged(task: Task) -> Reply:
    assert isinstance(task.progress, MergeProgress)
    body: dict[str, Any] = task.progress.response(task)
    return Reply(200, body)


HANDLERS: Final[Mapping[str, Prepare]] = {"indices.forcemerge": prepare_forcemerge}
