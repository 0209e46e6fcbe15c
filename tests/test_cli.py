"""The `fake-tasks` command: in-process and as a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request

import pytest
from serving import serving

from fake_tasks.cli import build_parser, main, serve


def fetch(url: str) -> tuple[int, dict[str, object], dict[str, str]]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read()), dict(response.headers)


def test_serve_in_process_answers_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["serve", "--port", "0", "--seed", "42", "--tasks", "5"])
    ready, stop = threading.Event(), threading.Event()
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(serve(args, ready=ready, stop=stop)))
    thread.start()
    assert ready.wait(5)
    url = capsys.readouterr().out.strip()
    status, body, headers = fetch(url + "/_tasks?group_by=none")
    assert status == 200
    assert headers["X-elastic-product"] == "Elasticsearch"
    tasks = body["tasks"]
    assert isinstance(tasks, list)
    assert len([t for t in tasks if not t["action"].startswith("cluster:monitor/tasks")]) == 5
    stop.set()
    thread.join(5)
    assert codes == [0]


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_serve_subprocess_prints_its_url_and_exits_on_sigint() -> None:
    command = [sys.executable, "-m", "fake_tasks", "serve", "--port", "0", "--seed", "42"]
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            status, body, _ = fetch(url + "/")
            assert status == 200
            assert body["tagline"] == "You Know, for Search"
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=5) == 0
        finally:
            process.kill()


@pytest.mark.parametrize(("extra", "logged"), [([], True), (["--quiet"], False)])
def test_serve_logs_each_request_unless_quiet(
    capsys: pytest.CaptureFixture[str], extra: list[str], logged: bool
) -> None:
    with serving(capsys, ["--tasks", "0", *extra]) as lines:
        fetch(lines[0] + "/_tasks")
    err = capsys.readouterr().err
    if logged:
        assert "fake-tasks: GET /_tasks -> 200 (tasks.list)\n" in err
        assert err.endswith("fake-tasks: stopped\n")
    else:
        assert err == ""  # no banner, no request lines, no stop line
