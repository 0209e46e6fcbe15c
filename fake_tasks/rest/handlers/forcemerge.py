"""Handler of `POST /_forcemerge` and `POST /{index}/_forcemerge` (`RestForceMergeAction`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fake_tasks.actions import forcemerge as actions
from fake_tasks.actions.indices import IndicesOptions, parse_expand_wildcards
from fake_tasks.actions.reindex import await_task
from fake_tasks.cluster.merge import MergeProgress
from fake_tasks.errors import EsError
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS"]


def prepare_forcemerge(call: Call) -> Run:
    p = call.params
    indices = p.strings("index")
    expand, hidden = parse_expand_wildcards(p.strings("expand_wildcards") or ("open",))
    options = IndicesOptions(
        ignore_unavailable=p.boolean("ignore_unavailable"),
        allow_no_indices=p.boolean("allow_no_indices"),
        expand_wildcards=expand,
        expand_hidden=hidden,
    )
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
    if request.store_result:
        request.validate()  # before forking, as the handler does

        def started() -> Reply:
            task = actions.start(call.cluster, request)
            return Reply(200, {"task": str(task.task_id)})

        return started

    def merged() -> Reply:
        task = actions.start(call.cluster, request)
        if not await_task(call.cluster, task):
            raise EsError.custom(
                "timeout_exception",
                "fake-tasks: [indices:admin/forcemerge] did not end within the fake's max_wait; "
                "run it with wait_for_completion=false",
                504,
            )
        assert isinstance(task.progress, MergeProgress)
        body: dict[str, Any] = task.progress.response(task)
        return Reply(200, body)

    return merged


HANDLERS: Final[Mapping[str, Prepare]] = {"indices.forcemerge": prepare_forcemerge}
