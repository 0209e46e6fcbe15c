"""The official JavaScript client (`@elastic/elasticsearch` 9) against `fake-tasks serve`.

`.ci/run` installs the client into `tests/node/node_modules` (`INSTALL` below) and sets
FAKE_TASKS_REQUIRE_NODE=1, so there a missing Node or client fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NODE_TESTS = Path(__file__).resolve().parent / "node"
CLIENT = NODE_TESTS / "node_modules" / "@elastic" / "elasticsearch" / "package.json"
INSTALL = "npm install --prefix tests/node --no-package-lock"


def test_the_javascript_client_scripted_over_the_control_api() -> None:
    node = shutil.which("node")
    if node is None or not CLIENT.exists():
        if os.environ.get("FAKE_TASKS_REQUIRE_NODE") == "1":
            pytest.fail(f"node ({node}) or {CLIENT} is missing; run {INSTALL}")
        pytest.skip(f"node or @elastic/elasticsearch is not installed ({INSTALL})")
    command = [sys.executable, "-m", "fake_tasks", "serve", "--port", "0", "-q", "--"]
    command += [node, "--test", str(NODE_TESTS / "control.test.mjs")]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, cwd=NODE_TESTS
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# pass 1" in done.stdout
    assert "# fail 0" in done.stdout
