"""Steps several handlers take alike: index options, shard counts, and task-starting requests.

A request that starts a task (reindex, by-query, force merge) answers in one of two ways, as
`AbstractBaseReindexRestHandler` and `RestForceMergeAction` do: `wait_for_completion=false`
validates the request before forking and answers `{"task": "<node>:<id>"}` (the task stores its
result); otherwise the handler waits for the task's end and answers its response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fake_tasks.actions.indices import IndicesOptions, parse_expand_wildcards
from fake_tasks.actions.reindex import await_task
from fake_tasks.cluster.model import Task
from fake_tasks.errors import EsError, IllegalArgumentError, NumberFormatError
from fake_tasks.rest.params import Params
from fake_tasks.rest.routing import Call, Reply, Run

__all__ = ["StartsTask", "indices_options", "parse_active_shards", "task_or_wait"]


def indices_options(p: Params, *, default_expand: tuple[str, ...] = ("open",)) -> IndicesOptions:
    """`IndicesOptions.fromRequest`, in its order: `expand_wildcards` and the two flags."""
    expand, hidden = parse_expand_wildcards(p.strings("expand_wildcards") or default_expand)
    return IndicesOptions(
        ignore_unavailable=p.boolean("ignore_unavailable"),
        allow_no_indices=p.boolean("allow_no_indices"),
        expand_wildcards=expand,
        expand_hidden=hidden,
    )


def parse_active_shards(value: str | None) -> str | None:
    """`ActiveShardCount.parseString`: `all`, `index-setting` (None) or a count of at least 0."""
    if value is None or value in ("all", "index-setting"):
        return None if value == "index-setting" else value
    try:
        count = int(value)
    except ValueError:
        raise NumberFormatError(f'For input string: "{value}"') from None
    if count < 0:
        raise IllegalArgumentError("shard count cannot be a negative value")
    return value


class StartsTask(Protocol):
    """A request that starts a task: it stores its result when not waited for."""

    @property
    def store_result(self) -> bool: ...

    def validate(self) -> None: ...


def task_or_wait(
    call: Call,
    request: StartsTask,
    start: Callable[[], Task],
    answer: Callable[[Task], Reply],
) -> Run:
    """Answer the started task's id (`store_result`), or wait for its end and `answer` it."""
    if request.store_result:
        request.validate()  # "validate before forking so the user gets some error"

        def started() -> Reply:
            return Reply(200, {"task": str(start().task_id)})

        return started

    def waited() -> Reply:
        task = start()
        if not await_task(call.cluster, task):
            raise EsError.custom(
                "timeout_exception",
                f"fake-tasks: [{task.action}] did not end within the fake's max_wait; "
                "run it with wait_for_completion=false",
                504,
            )
        return answer(task)

    return waited
