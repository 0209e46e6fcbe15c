"""Every code block of the documentation site runs: Python, JavaScript, Go and command lines."""

from __future__ import annotations

import ast
import linecache
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from types import CodeType

import pytest
from _pytest.assertion.rewrite import rewrite_asserts
from docexamples import DOCS, Block, blocks, pages, python_blocks
from test_readme import collect_earlier_garbage

import fake_tasks
from fake_tasks import FakeTasks, FakeTasksServer, Settings
from fake_tasks.cli import build_parser

PYTHON = python_blocks()
SHELL = [b for b in blocks() if b.lang in ("bash", "console", "sh", "shell")]
FOREIGN = [b for b in blocks() if b.lang in ("javascript", "go")]
GA_WARNING = "ignore::elasticsearch.exceptions.GeneralAvailabilityWarning"


def ids(found: list[Block]) -> list[str]:
    return [block.name for block in found]


def test_the_site_has_pages_and_examples() -> None:
    assert len(pages()) >= 12
    assert len(PYTHON) >= 30


def compiled(block: Block) -> CodeType:
    """The block as code whose tracebacks show its lines and whose asserts explain themselves."""
    linecache.cache[block.name] = (len(block.source), None, block.source.splitlines(True), "")
    tree = ast.parse(block.source, block.name)
    rewrite_asserts(tree, block.source.encode(), block.name)
    return compile(tree, block.name, "exec")


@pytest.mark.parametrize("block", PYTHON, ids=ids(PYTHON))
def test_python_example(block: Block, pytester: pytest.Pytester) -> None:
    if block.tests:
        pytester.makepyfile(block.source)
        collect_earlier_garbage()
        # the examples assume the tutorial's one-line filter for the client's warning
        result = pytester.runpytest_inprocess(
            "-p", "no:cacheprovider", "-W", "error", "-W", GA_WARNING
        )
        outcomes = result.parseoutcomes()
        assert outcomes.get("passed", 0) >= block.tests  # parametrized tests count more
        assert set(outcomes) <= {"passed", "warning", "warnings"}, outcomes
    else:
        exec(compiled(block), {"__name__": "__docs__"})


RUNNERS = {
    "javascript": ("node", "example.mjs", ["node", "example.mjs"]),
    "go": ("go", "main.go", ["go", "run", "main.go"]),
}


@pytest.mark.parametrize("block", FOREIGN, ids=ids(FOREIGN))
def test_other_language_example(block: Block, tmp_path: Path) -> None:
    tool, filename, command = RUNNERS[block.lang]
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (.ci/run installs it)")
    (tmp_path / filename).write_text(block.source)
    with FakeTasksServer(FakeTasks(Settings(seed=2))) as server:  # the page's `--seed 2`
        assert server.fake.tasks("indices:data/write/reindex"), "the examples cancel a reindex"
        env = {
            **os.environ,
            "ES_URL": server.url,
            "GOCACHE": str(tmp_path / "gocache"),
            "GOPATH": str(tmp_path / "gopath"),
            "GO111MODULE": "off",
        }
        done = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert server.fake.journal.count() > 0


SHELL_OPERATORS = {"&", "&&", "|", "||", ";"}


def commands(block: Block) -> list[list[str]]:
    found = []
    for line in block.source.splitlines():
        line = line.removeprefix("$ ").strip()
        if line.startswith("fake-tasks "):
            words = shlex.split(line, comments=True)
            # `--` starts serve's child command, which `main` splits off before parsing
            ends = [
                i
                for i, word in enumerate(words)
                if word in SHELL_OPERATORS or word[0] in "<>" or word == "--"
            ]
            found.append(words[1 : ends[0] if ends else len(words)])
    return found


@pytest.mark.parametrize("block", SHELL, ids=ids(SHELL))
def test_command_lines_parse(block: Block) -> None:
    for argv in commands(block):
        build_parser().parse_args(argv)  # SystemExit on a line the CLI does not accept


REFERENCE = re.compile(r"^::: fake_tasks\.(\w+)\s*$", re.MULTILINE)


def reference_sections() -> dict[str, str]:
    """Each `::: fake_tasks.Name` directive of the reference pages, with its text up to the next."""
    found: dict[str, str] = {}
    for page in sorted((DOCS / "reference").glob("*.md")):
        text = page.read_text()
        marks = list(REFERENCE.finditer(text))
        for mark, after in zip(marks, [*marks[1:], None], strict=False):
            found[mark.group(1)] = text[mark.end() : after.start() if after else len(text)]
    return found


def test_the_reference_documents_every_public_name_with_an_example() -> None:
    sections = reference_sections()
    assert sorted(sections) == sorted(fake_tasks.__all__)
    without = [name for name, text in sections.items() if "```python" not in text]
    assert without == []


def test_the_warning_one_liner_silences_the_client(pytester: pytest.Pytester) -> None:
    (toml,) = [b for b in blocks([DOCS / "tutorial.md"]) if b.lang == "toml"]
    assert GA_WARNING in toml.source
    pytester.makepyfile(
        """
from elasticsearch import Elasticsearch

def test_list(fake_tasks):
    Elasticsearch(fake_tasks.url).tasks.list()
"""
    )
    # subprocesses: an in-process run would inherit this project's own filter
    noisy = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    noisy.assert_outcomes(passed=1, warnings=1)
    pytester.makefile(".toml", pyproject=toml.source)
    quiet = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    quiet.assert_outcomes(passed=1, warnings=0)


TOML = [b for b in blocks() if b.lang == "toml"]


@pytest.mark.parametrize("block", TOML, ids=ids(TOML))
def test_configuration_examples_parse(block: Block, pytester: pytest.Pytester) -> None:
    options = tomllib.loads(block.source)["tool"]["pytest"]["ini_options"]
    pytester.makefile(".toml", pyproject=block.source)
    config = pytester.parseconfig()
    for name in options:
        config.getini(name)  # ValueError for an option no plugin declares


def test_the_cli_reference_names_every_option() -> None:
    text = (DOCS / "reference" / "cli.md").read_text()
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    for name, sub in commands.choices.items():  # type: ignore[union-attr]
        assert f"## fake-tasks {name}" in text
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}" in text, f"fake-tasks {name} {flag}"


def test_the_plugin_reference_names_every_option_and_marker_argument(
    pytestconfig: pytest.Config,
) -> None:
    from fake_tasks.plugin import CHECK_KEYS, LOAD_KEYS, MARKER_KEYS

    text = (DOCS / "reference" / "plugin.md").read_text()
    for key in (*MARKER_KEYS, *CHECK_KEYS, *LOAD_KEYS):
        assert f"| `{key}` |" in text
    group = pytestconfig._parser.getgroup("fake-tasks")
    for option in group.options:
        assert f"`{option.names()[0]}" in text
    assert "`fake_tasks_report" in text
