"""Choosing the emulated version from the marker and from `serve`; unsupported ones refused."""

from __future__ import annotations

import pytest

from fake_tasks.cli import main


def test_marker_version_is_emulated_and_an_unsupported_one_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import json
import urllib.request

import pytest
from elasticsearch import BadRequestError, Elasticsearch


@pytest.mark.fake_tasks(version="8.15")
def test_emulated(fake_tasks):
    with urllib.request.urlopen(fake_tasks.url, timeout=5) as response:
        assert json.loads(response.read())["version"]["number"] == "8.15.0"
    with pytest.raises(BadRequestError) as raised:  # a 9.x client against 8.x
        Elasticsearch(fake_tasks.url).info()
    assert raised.value.body["error"]["caused_by"]["reason"].startswith(
        "Accept version must be either version 8 or 7, but found 9."
    )


def test_default(fake_tasks):
    assert Elasticsearch(fake_tasks.url).info()["version"]["number"] == "9.5.0"


@pytest.mark.fake_tasks(version="6.8.0")
def test_too_old(fake_tasks):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.fake_tasks(version=...): Elasticsearch 6.8.0 is not emulated:"
            " fake-tasks emulates 7.17, 8.0 to 8.19 and 9.0 to 9.5 (default 9.5.0)*"
        ]
    )


def test_serve_refuses_an_unsupported_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "0", "--es-version", "10.0"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --es-version: Elasticsearch 10.0.0 is not emulated" in err


def test_versions_command_lists_the_lines_and_describes_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["versions"]) == 0
    assert capsys.readouterr().out.strip() == (
        "emulated: 7.17, " + ", ".join(f"8.{n}" for n in range(20)) + ", "
        + ", ".join(f"9.{n}" for n in range(6)) + " (default 9.5.0)"
    )  # fmt: skip
    assert main(["versions", "8.14"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Elasticsearch 8.14.0: build 8d96bbe3bf5fed931f3119733895458eab75dca9 of "
        "2024-06-03T10:05:49.073003402Z, Lucene 9.10.0"
    )
    cancellable = "  yes list_tasks_cancellable: the list request's own tasks are cancellable"
    assert any(line.startswith(cancellable) for line in lines)
    assert any(line.startswith("  no  www_authenticate_comma: ") for line in lines)
    assert main(["versions", "9.5"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "Elasticsearch 9.5.0: build 8d4246a64bc255212407b1b313fe402391299c88 of "
        "2026-07-29T23:38:48.847847767Z, Lucene 10.5.0"
    )
    assert main(["versions", "9.4"]) == 0  # the 9.4.0 build was found nowhere
    assert capsys.readouterr().out.splitlines()[0].endswith("(build: placeholders, not verified)")
