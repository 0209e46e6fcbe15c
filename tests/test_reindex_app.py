"""Reindex, update by query, delete by query, rethrottle and force merge through the WSGI app.

The first part follows the task scenarios of Elasticsearch's YAML REST tests
(`reindex/80_slices.yml`, `reindex/70_throttle.yml`, `delete_by_query/70_throttle.yml`,
`update_by_query/60_throttle.yml`, `*/20_validation.yml`), written anew for the fake; the second
is the table of refusals with the server's exact messages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from fake_tasks import FakeTasks, Settings


@pytest.fixture
def fake() -> FakeTasks:
    fake = FakeTasks(Settings(seed=4, nodes=3, tasks=0))
    fake.add_index("source", docs=4)
    return fake


def post(client: Client, url: str, body: Any = None) -> TestResponse:
    if body is None:
        return client.post(url)
    data = json.dumps(body, separators=(",", ":"))  # positions in errors count on this text
    return client.post(url, data=data, content_type="application/json")


def ok(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


COPY = {"source": {"index": "source"}, "dest": {"index": "dest"}}


def test_multiple_slices_answer_each_slice(client: Client) -> None:
    body = ok(post(client, "/_reindex?slices=5", COPY))
    assert (body["created"], body["updated"], body["version_conflicts"]) == (4, 0, 0)
    assert (body["failures"], body["throttled_millis"], body["deleted"]) == ([], 0, 0)
    assert "task" not in body
    assert [s["slice_id"] for s in body["slices"]] == [0, 1, 2, 3, 4]
    assert all(s["updated"] == 0 and s["throttled_millis"] == 0 for s in body["slices"])


def test_multiple_slices_without_waiting_store_only_the_parent(
    client: Client, fake: FakeTasks
) -> None:
    started = ok(post(client, "/_reindex?slices=5&wait_for_completion=false", COPY))
    assert list(started) == ["task"]
    children = [t.task_id for t in fake.cluster.children(fake.task(started["task"]))]
    assert len(children) == 5
    body = ok(client.get(f"/_tasks/{started['task']}?wait_for_completion=true"))
    response, status = body["response"], body["task"]["status"]
    assert (response["total"], response["created"], response["updated"]) == (4, 4, 0)
    assert len(response["slices"]) == 5
    assert (status["total"], status["created"], len(status["slices"])) == (4, 4, 5)
    assert all(fake.cluster.stored_result(child) is None for child in children)


def test_multiple_slices_with_rethrottle(client: Client, fake: FakeTasks) -> None:
    fake.set_docs("source", 6)
    started = ok(
        post(
            client, "/_reindex?slices=2&wait_for_completion=false&requests_per_second=0.0001", COPY
        )
    )
    post(client, f"/_reindex/{started['task']}/_rethrottle?requests_per_second=-1")
    body = ok(client.get(f"/_tasks/{started['task']}?wait_for_completion=true"))
    assert (body["response"]["total"], body["response"]["created"]) == (6, 6)
    assert body["response"]["throttled_millis"] == 0  # one batch per slice: no sleep at all
    assert len(body["task"]["status"]["slices"]) == 2


def test_auto_slices_follow_the_shard_count(client: Client, fake: FakeTasks) -> None:
    fake.add_index("sharded", docs=4, settings={"number_of_shards": 3})
    body = ok(post(client, "/_reindex?slices=auto", {**COPY, "source": {"index": "sharded"}}))
    assert (body["created"], len(body["slices"])) == (4, 3)


@pytest.mark.parametrize("kind", ["_delete_by_query", "_update_by_query", "_reindex"])
def test_throttle_sleeps_between_batches(client: Client, fake: FakeTasks, kind: str) -> None:
    fake.set_docs("source", 3)
    if kind == "_reindex":
        body = ok(
            post(
                client,
                "/_reindex?requests_per_second=1",
                {**COPY, "source": {"index": "source", "size": 1}},
            )
        )
    else:
        body = ok(post(client, f"/source/{kind}?scroll_size=1&requests_per_second=1&q=*"))
    assert body["batches"] == 3
    assert 1000 < body["throttled_millis"] < 4000
    unthrottled = ok(post(client, "/_reindex?requests_per_second=-1", COPY))
    assert unthrottled["throttled_millis"] == 0


@pytest.mark.parametrize("rps", ["-1", "1"])
def test_rethrottle_lets_a_crawling_request_finish(
    client: Client, fake: FakeTasks, rps: str
) -> None:
    fake.set_docs("source", 3)
    started = ok(
        post(
            client,
            "/source/_delete_by_query?requests_per_second=.00000001&wait_for_completion=false"
            "&scroll_size=1&q=*",
        )
    )
    answer = ok(
        post(client, f"/_delete_by_query/{started['task']}/_rethrottle?requests_per_second={rps}")
    )
    (node,) = answer["nodes"].values()
    assert node["tasks"][started["task"]]["status"]["requests_per_second"] == float(rps)
    done = ok(client.get(f"/_tasks/{started['task']}?wait_for_completion=true"))
    assert done["response"]["deleted"] == 3
    assert fake.index("source").docs_count == 0


def test_rethrottling_a_sliced_leader_shows_every_slice(client: Client, fake: FakeTasks) -> None:
    fake.set_docs("source", 3000)
    small = {**COPY, "source": {"index": "source", "size": 100}}  # 10 batches per slice
    started = ok(
        post(client, "/_reindex?slices=3&wait_for_completion=false&requests_per_second=3", small)
    )
    status = ok(client.get(f"/_tasks/{started['task']}"))["task"]["status"]
    assert status["slices"] == [None, None, None]
    assert status["requests_per_second"] == 0.0  # no slice finished: nothing merged yet
    answer = ok(
        post(
            client, f"/_reindex/{started['task']}/_rethrottle?requests_per_second=30&group_by=none"
        )
    )
    (info,) = answer["tasks"]
    assert [s["requests_per_second"] for s in info["status"]["slices"]] == [10.0, 10.0, 10.0]


def test_cancel_ends_the_request_at_its_next_batch(client: Client, fake: FakeTasks) -> None:
    fake.set_docs("source", 100_000)
    started = ok(post(client, "/source/_update_by_query?wait_for_completion=false", None))
    cancelled = ok(client.post(f"/_tasks/{started['task']}/_cancel"))
    (node,) = cancelled["nodes"].values()
    assert node["tasks"][started["task"]]["cancelled"] is True
    done = ok(client.get(f"/_tasks/{started['task']}?wait_for_completion=true"))
    assert done["response"]["canceled"] == "by user request"
    assert 0 < done["response"]["updated"] < 100_000
    assert done["task"]["cancelled"] is False  # stored without it, read back as false


def test_missing_source_is_a_404_or_a_stored_error(client: Client) -> None:
    missing = {"source": {"index": "nope"}, "dest": {"index": "dest"}}
    answer = post(client, "/_reindex", missing)
    assert answer.status_code == 404
    assert answer.json["error"]["type"] == "index_not_found_exception"  # type: ignore[index]
    started = ok(post(client, "/_reindex?wait_for_completion=false", missing))
    stored = ok(client.get(f"/_tasks/{started['task']}"))
    assert stored["completed"] is True
    assert stored["error"]["reason"] == "no such index [nope]"


def test_remote_reindex_needs_the_whitelist(client: Client, fake: FakeTasks) -> None:
    remote = {
        "source": {"index": "r", "remote": {"host": "http://other:9200"}},
        "dest": {"index": "d"},
    }
    refused = post(client, "/_reindex", remote)
    assert refused.status_code == 400
    assert refused.json["error"]["reason"] == (  # type: ignore[index]
        "[other:9200] not whitelisted in reindex.remote.whitelist"
    )
    fake.allow_remote_reindex("other:*", docs=25)
    body = ok(post(client, "/_reindex", remote))
    assert body["created"] == 25


def test_remote_reindex_description_is_remote_info_to_string(
    client: Client, fake: FakeTasks
) -> None:
    # RemoteInfo.toString: scheme unless http, pathPrefix when the URI has a path, the user,
    # and the password masked
    fake.allow_remote_reindex("other:*", docs=25)
    remote = {
        "host": "https://other:9201/proxy/",
        "username": "ann",
        "password": "secret",
    }
    body = {"source": {"index": "r", "remote": remote}, "dest": {"index": "d"}}
    started = ok(post(client, "/_reindex?wait_for_completion=false", body))
    task = ok(client.get(f"/_tasks/{started['task']}"))["task"]
    query = '{\n  "match_all" : {\n    "boost" : 1.0\n  }\n}'  # queryForRemote pretty-prints
    assert task["description"] == (
        "reindex from [scheme=https host=other port=9201 pathPrefix=/proxy/ "
        f"query={query} username=ann password=<<>>][r] to [d]"
    )


def test_force_merge_answers_shards_or_a_task(client: Client, fake: FakeTasks) -> None:
    fake.add_index("logs", docs=10, settings={"number_of_shards": 2, "number_of_replicas": 1})
    assert ok(post(client, "/logs/_forcemerge"))["_shards"] == {
        "total": 4,
        "successful": 4,
        "failed": 0,
    }
    started = ok(post(client, "/logs/_forcemerge?wait_for_completion=false"))
    task = fake.task(started["task"])
    assert (task.action, task.cancellable) == ("indices:admin/forcemerge", False)
    assert {c.action for c in fake.cluster.children(task)} == {"indices:admin/forcemerge[n]"}
    stored = ok(client.get(f"/_tasks/{started['task']}?wait_for_completion=true"))
    assert stored["response"]["_shards"]["successful"] == 4


# --- refusals -------------------------------------------------------------------------------------

RPS = "[requests_per_second] must be a float greater than 0. Use -1 to disable throttling."
SLICES = '[slices] must be a positive integer or the string "auto", but was [{}]'

REFUSALS: list[tuple[str, Any, int, str, str]] = [
    ("/_reindex", None, 400, "parse_exception", "request body is required"),
    ("/_reindex", {"dest": {"index": "d"}}, 400, "action_request_validation_exception",
     "Validation Failed: 1: use _all if you really want to copy from all existing indexes;"),
    ("/_reindex", {"source": {"index": "source"}}, 400, "action_request_validation_exception",
     "Validation Failed: 1: index must be specified;"),
    ("/_reindex", {**COPY, "size": 1}, 400, "x_content_parse_exception",
     "[1:54] [reindex] unknown field [size]"),
    ("/_reindex", {**COPY, "conflicts": "cat"}, 400, "x_content_parse_exception",
     "[1:66] [reindex] failed to parse field [conflicts]"),
    ("/_reindex?requests_per_second=0", COPY, 400, "illegal_argument_exception", RPS),
    ("/_reindex?requests_per_second=cat", COPY, 400, "illegal_argument_exception", RPS),
    ("/_reindex?slices=0", COPY, 400, "illegal_argument_exception", SLICES.format(0)),
    ("/_reindex?slices=cat", COPY, 400, "illegal_argument_exception", SLICES.format("cat")),
    ("/_reindex?pipeline=p", COPY, 400, "illegal_argument_exception",
     "_reindex doesn't support [pipeline] as a query parameter. Specify it in the [dest] object "
     "instead."),
    ("/_reindex?max_docs=4", {**COPY, "max_docs": 3}, 400, "illegal_argument_exception",
     "[max_docs] set to two different values [3] and [4]"),
    ("/_reindex", {"source": {"index": "source"}, "dest": {"index": "source"}}, 400,
     "action_request_validation_exception",
     "Validation Failed: 1: reindex cannot write into an index its reading from [source];"),
    ("/source/_delete_by_query", None, 400, "action_request_validation_exception",
     "Validation Failed: 1: query is missing;"),
    ("/source/_update_by_query?size=3", None, 400, "illegal_argument_exception",
     "invalid parameter [size], use [max_docs] instead"),
    ("/source/_update_by_query?from=1", None, 400, "action_request_validation_exception",
     "Validation Failed: 1: from is not supported in this context;"),
    ("/source/_update_by_query?conflicts=cat", None, 400, "illegal_argument_exception",
     'conflicts may only be "proceed" or "abort" but was [cat]'),
    ("/source/_update_by_query", {"query": "x"}, 400, "parsing_exception",
     "Unknown key for a VALUE_STRING in [query]."),
    ("/_reindex/n:1/_rethrottle", None, 400, "illegal_argument_exception",
     "requests_per_second is a required parameter"),
    ("/_reindex/nope/_rethrottle?requests_per_second=1", None, 400, "illegal_argument_exception",
     "malformed task id nope"),
    ("/_forcemerge?only_expunge_deletes&max_num_segments=1", None, 400,
     "action_request_validation_exception",
     "Validation Failed: 1: cannot set only_expunge_deletes and max_num_segments at the same "
     "time, those two parameters are mutually exclusive;"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "body", "status", "kind", "reason"), REFUSALS)
def test_refusals_carry_the_servers_messages(
    client: Client, url: str, body: Any, status: int, kind: str, reason: str
) -> None:
    answer = post(client, url, body)
    assert answer.status_code == status, answer.get_data(as_text=True)
    error = answer.json["error"]  # type: ignore[index]
    assert (error["type"], error["reason"]) == (kind, reason)


def test_nested_body_errors_keep_their_cause(client: Client) -> None:
    answer = post(client, "/_reindex", {"source": {"index": "a"}, "dest": {"index": "d", "x": 1}})
    assert answer.json == {
        "error": {
            "root_cause": [
                {
                    "type": "x_content_parse_exception",
                    "reason": "[1:45] [reindex] failed to parse field [dest]",
                }
            ],
            "type": "x_content_parse_exception",
            "reason": "[1:45] [reindex] failed to parse field [dest]",
            "caused_by": {
                "type": "x_content_parse_exception",
                "reason": "[1:45] [dest] unknown field [x]",
            },
        },
        "status": 400,
    }


def test_rethrottle_of_a_missing_task_is_a_node_failure(client: Client, fake: FakeTasks) -> None:
    node = next(iter(fake.cluster.nodes))
    body = ok(post(client, f"/_reindex/{node}:99999/_rethrottle?requests_per_second=2"))
    assert body == {
        "node_failures": [
            {
                "type": "failed_node_exception",
                "reason": f"Failed node [{node}]",
                "node_id": node,
                "caused_by": {
                    "type": "resource_not_found_exception",
                    "reason": f"task [{node}:99999] is missing",
                },
            }
        ],
        "nodes": {},
    }


def test_human_shows_the_throttle_times_of_a_running_status(
    client: Client, fake: FakeTasks
) -> None:
    fake.set_docs("source", 3)
    started = ok(
        post(
            client,
            "/source/_update_by_query?wait_for_completion=false&scroll_size=1&requests_per_second=0.5",
        )
    )
    plain = ok(client.get(f"/_tasks/{started['task']}"))["task"]["status"]
    assert "throttled" not in plain
    assert "throttled_until" not in plain
    human = ok(client.get(f"/_tasks/{started['task']}?human"))["task"]["status"]
    assert list(human)[8:10] == ["throttled", "throttled_millis"]
    assert human["throttled_until"].endswith("s")


def test_stand_ins_of_known_actions_store_their_shapes(client: Client, fake: FakeTasks) -> None:
    merge = fake.add_task("indices:admin/forcemerge", store_result=True, cancellable=False)
    reindex = fake.add_task("indices:data/write/reindex", store_result=True)
    fake.finish(merge)
    fake.finish(reindex)
    assert ok(client.get(f"/_tasks/{merge.task_id}"))["response"] == {
        "_shards": {"total": 0, "successful": 0, "failed": 0}
    }
    response = ok(client.get(f"/_tasks/{reindex.task_id}"))["response"]
    assert (response["failures"], response["total"], response["throttled"]) == ([], 0, "0s")


def test_too_many_slices_and_negative_batches_are_refused(client: Client) -> None:
    answer = post(client, "/_reindex?slices=5000", COPY)
    assert answer.status_code == 400
    assert answer.json["error"]["reason"].startswith(  # type: ignore[index]
        "The number of slices [5000] is too large. It must be less than [1024]."
    )
    started = ok(post(client, "/_reindex?slices=5000&wait_for_completion=false", COPY))
    assert ok(client.get(f"/_tasks/{started['task']}"))["error"]["type"] == (
        "illegal_argument_exception"
    )
    negative = post(client, "/source/_update_by_query?scroll_size=-5")
    assert negative.json["error"]["reason"] == (  # type: ignore[index]
        "[size] parameter cannot be negative, found [-5]"
    )
    in_body = post(client, "/_reindex", {**COPY, "source": {"index": "source", "size": -2}})
    assert in_body.json["error"]["caused_by"]["reason"] == (  # type: ignore[index]
        "[size] parameter cannot be negative, found [-2]"
    )


def test_a_crawling_synchronous_request_does_not_fling_the_clock(
    client: Client, fake: FakeTasks
) -> None:
    before = fake.clock.now_ns()
    answer = post(client, "/source/_delete_by_query?q=*&scroll_size=1&requests_per_second=1e-20")
    assert answer.status_code == 504
    assert answer.json["error"]["type"] == "timeout_exception"  # type: ignore[index]
    assert fake.clock.now_ns() - before < 365 * 86_400 * 10**9
    assert client.get("/_cat/tasks?v").status_code == 200  # times still render
