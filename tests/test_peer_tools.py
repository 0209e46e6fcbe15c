"""Real consumers of the task API against the fixture: Curator 9's reindex waiter and esrally's
force-merge runner in polling mode, each run from its own virtualenv (their clients clash with
ours: Curator uses `elasticsearch9`, esrally pins `elasticsearch` 8.6).

`.ci/run` makes the two environments and names their interpreters in `FAKE_TASKS_CURATOR_PYTHON`
and `FAKE_TASKS_ESRALLY_PYTHON`; without them the tests that run the tools are skipped. The
request and poll sequences they send are also replayed with the official client below, so they
are tested everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from fake_tasks import FakeTasks, Fault

pytestmark = pytest.mark.fake_tasks(seed=1, nodes=3, tasks=0)

RUN_TIMEOUT = 180  # seconds: the tools import slowly; the fake itself answers at once

CURATOR = """
import json, sys
from elasticsearch9 import Elasticsearch
from curator import IndexList
from curator.actions.reindex import Reindex

client = Elasticsearch(sys.argv[1], request_timeout=10)
started = {}
send = client.reindex


def reindex(**kwargs):
    response = send(**kwargs)
    started["task"] = response["task"]
    return response


client.reindex = reindex
index_list = IndexList.__new__(IndexList)  # skip the index statistics Curator gathers
index_list.client, index_list.indices = client, ["logs"]
action = Reindex(
    index_list,
    {"source": {"index": "logs"}, "dest": {"index": "logs-copy"}},
    wait_interval=0,
    max_wait=120,
)
action.do_action()  # POST /_reindex?...wait_for_completion=false; wait_for_it; checks
processed = action.get_processed_items(started["task"])
print(json.dumps({"task": started["task"], "processed": processed}))
"""

ESRALLY = """
import asyncio, sys
from urllib.parse import urlsplit
from esrally.client.factory import EsClientFactory
from esrally.driver.runner import ForceMerge

url = urlsplit(sys.argv[1])

async def main():
    factory = EsClientFactory([{"host": url.hostname, "port": url.port}], {"timeout": 10})
    es = factory.create_async(client_id=0)
    es.init_request_context()
    try:
        params = {"index": "logs", "max-num-segments": 1, "mode": "polling", "poll-period": 0}
        await ForceMerge()(es, params)
    finally:
        await es.close()

asyncio.run(main())
print("merged")
"""


def interpreter(variable: str) -> str:
    path = os.environ.get(variable)
    if not path:
        pytest.skip(f"{variable} is not set (.ci/run makes that virtualenv)")
    if not Path(path).exists():
        pytest.fail(f"{variable} names {path}, which does not exist")
    return path


def run(python: str, script: str, url: str, tmp_path: Path) -> str:
    source = tmp_path / "peer.py"
    source.write_text(script)
    done = subprocess.run(
        [python, str(source), url],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def logs(fake_tasks: FakeTasks) -> str:
    fake_tasks.add_index("logs", docs=40_000, settings={"number_of_shards": 2})
    return "logs"


def test_curator_reindex_action_and_its_waiter(
    fake_tasks: FakeTasks, logs: str, tmp_path: Path
) -> None:
    python = interpreter("FAKE_TASKS_CURATOR_PYTHON")
    assert fake_tasks.url is not None
    # after the wait Curator checks the destination as an alias too, an API the fake lacks
    missing = Fault.error("aliases_not_found_exception", "aliases [logs-copy] missing", 404)
    fake_tasks.inject(missing, path="/_alias/*")
    out = json.loads(run(python, CURATOR, fake_tasks.url, tmp_path).splitlines()[-1])
    assert out["processed"] == 40_000
    requests = [(e.method, e.path, dict(e.params)) for e in fake_tasks.journal]
    method, path, params = requests[0]
    assert (method, path) == ("POST", "/_reindex")
    assert params == {
        "refresh": "true",
        "requests_per_second": "-1",
        "slices": "1",
        "timeout": "60s",
        "wait_for_active_shards": "1",
        "wait_for_completion": "false",
    }
    polls = [r for r in requests if r[1] == f"/_tasks/{out['task']}"]
    assert len(polls) >= 4  # a second of work per poll: 40,000 documents at 10,000/s
    assert fake_tasks.index("logs-copy").docs_count == 40_000


def test_esrally_force_merge_runner_in_polling_mode(
    fake_tasks: FakeTasks, logs: str, tmp_path: Path
) -> None:
    python = interpreter("FAKE_TASKS_ESRALLY_PYTHON")
    assert fake_tasks.url is not None
    assert run(python, ESRALLY, fake_tasks.url, tmp_path).strip().endswith("merged")
    requests = [(e.method, e.path, dict(e.params)) for e in fake_tasks.journal]
    assert requests[0][:2] == ("GET", "/")
    assert requests[1] == (
        "POST",
        "/logs/_forcemerge",
        {"index": "logs", "max_num_segments": "1", "wait_for_completion": "false"},
    )
    polls = requests[2:]
    assert polls
    assert all(method == "GET" and path.startswith("/_tasks/") for method, path, _ in polls)


# --- the same sequences with the official client, everywhere --------------------------------


def test_curators_request_and_polls_with_the_official_client(
    fake_tasks: FakeTasks, logs: str
) -> None:
    assert fake_tasks.url is not None
    es = Elasticsearch(fake_tasks.url, request_timeout=5)
    response = es.reindex(
        source={"index": logs},
        dest={"index": "logs-copy"},
        refresh=True,
        requests_per_second=-1,
        slices=1,
        timeout="60s",
        wait_for_active_shards=1,
        wait_for_completion=False,
    )
    for _ in range(20):  # task_check: completed, and a reindex response without failures
        data = es.tasks.get(task_id=response["task"]).body
        if data["completed"]:
            break
    assert data["completed"] is True
    assert data["response"]["failures"] == []
    assert data["response"]["total"] == 40_000
    assert data["task"]["running_time_in_nanos"] > 0
    assert data["task"]["description"] == "reindex from [logs] to [logs-copy]"


def test_esrallys_merge_and_polls_with_the_official_client(
    fake_tasks: FakeTasks, logs: str
) -> None:
    assert fake_tasks.url is not None
    es = Elasticsearch(fake_tasks.url, request_timeout=5)
    number = es.info()["version"]["number"]
    assert tuple(int(p) for p in number.split(".")[:2]) >= (8, 1)  # esrally then polls a task
    task = es.indices.forcemerge(index=logs, max_num_segments=1, wait_for_completion=False)
    for _ in range(20):
        if es.tasks.get(task_id=task["task"]).get("completed", False):
            break
    else:
        raise AssertionError("the merge never completed")
