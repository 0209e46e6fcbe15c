"""Handlers of the rollup job APIs; from 9.0 every answer of theirs carries the deprecation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from fake_tasks.actions import rollup as actions
from fake_tasks.errors import EsError, ParseError
from fake_tasks.rest import render_rollup as render
from fake_tasks.rest.rollup_body import parse_config
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS"]


def _transport(call: Call, act: Callable[[], Reply]) -> Run:
    """Run a transport action: its answer, error or not, carries the `Warning` it logged."""

    def run() -> Reply:
        headers = render.warning_headers(call.cluster)
        try:
            reply = act()
        except EsError as error:
            error.response_headers.update(headers)
            raise
        return Reply(reply.status, reply.body, headers={**reply.headers, **headers})

    return run


def prepare_put(call: Call) -> Run:
    job_id = call.params.string("id") or ""
    config = parse_config(call.body, job_id) if call.body.strip() else None

    def act() -> Reply:
        if config is None:
            raise ParseError("request body is required")
        actions.put_job(call.cluster, config)
        return Reply(200, {"acknowledged": True})

    return _transport(call, act) if config is not None else act


def prepare_get(call: Call) -> Run:
    job_id = call.params.string("id") or ""
    return _transport(call, lambda: Reply(200, render.jobs(actions.get_jobs(call.cluster, job_id))))


def prepare_start(call: Call) -> Run:
    job_id = call.params.string("id") or ""

    def act() -> Reply:
        actions.start_job(call.cluster, job_id)
        return Reply(200, {"started": True})

    return _transport(call, act)


def prepare_stop(call: Call) -> Run:
    p = call.params
    job_id = p.string("id") or ""
    timeout = p.get("timeout") or "30s"
    timeout_ns = p.time_ns("timeout")
    wait = p.boolean("wait_for_completion")

    def act() -> Reply:
        actions.stop_job(
            call.cluster,
            job_id,
            wait=wait,
            timeout_ns=timeout_ns if timeout_ns is not None else 30_000_000_000,
            timeout=timeout,
        )
        return Reply(200, {"stopped": True})

    return _transport(call, act)


def prepare_delete(call: Call) -> Run:
    job_id = call.params.string("id") or ""

    def act() -> Reply:
        result = actions.delete_job(call.cluster, job_id)
        status = 200 if not result.task_failures else 500
        return Reply(status, render.deleted(result))

    return _transport(call, act)


def prepare_caps(call: Call) -> Run:
    pattern = call.params.string("id") or "_all"
    return _transport(
        call, lambda: Reply(200, render.caps(actions.rollup_caps(call.cluster, pattern)))
    )


def prepare_index_caps(call: Call) -> Run:
    expressions = call.params.strings("index")

    def act() -> Reply:
        return Reply(200, render.caps(actions.rollup_index_caps(call.cluster, expressions)))

    return _transport(call, act)


HANDLERS: Final[Mapping[str, Prepare]] = {
    "rollup.put_job": prepare_put,
    "rollup.get_jobs": prepare_get,
    "rollup.start_job": prepare_start,
    "rollup.stop_job": prepare_stop,
    "rollup.delete_job": prepare_delete,
    "rollup.get_rollup_caps": prepare_caps,
    "rollup.get_rollup_index_caps": prepare_index_caps,
}
