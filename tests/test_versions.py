"""The version table: parsing, refusals, each behaviour row at its boundaries, `GET /` builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.rest.app import App
from fake_tasks.rest.checks import RAW_HEADERS
from fake_tasks.versions import (
    DEFAULT_VERSION,
    FEATURES,
    MINORS,
    RELEASES,
    EsVersion,
    UnsupportedVersion,
    parse_version,
)
from fake_tasks.versions.doc import markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "versions.md"


@pytest.mark.parametrize(
    ("text", "number"),
    [("7.17", "7.17.0"), ("7.17.29", "7.17.29"), ("8.0", "8.0.0"), ("8.19.3", "8.19.3"),
     ("9.5", "9.5.0"), (" 9.0.1 ", "9.0.1")],
)  # fmt: skip
def test_emulated_versions_parse(text: str, number: str) -> None:
    assert parse_version(text).number == number


@pytest.mark.parametrize("text", ["6.8.0", "7.16.3", "8.20.0", "9.6.0", "10.0.0"])
def test_versions_outside_the_emulated_lines_are_refused_naming_the_range(text: str) -> None:
    with pytest.raises(UnsupportedVersion) as raised:
        parse_version(text)
    assert str(raised.value) == (
        f"Elasticsearch {text} is not emulated: fake-tasks emulates 7.17, 8.0 to 8.19 and "
        f"9.0 to 9.5 (default {DEFAULT_VERSION})"
    )


@pytest.mark.parametrize("text", ["", "9", "9.x", "9.1.0-SNAPSHOT", "v9.1.0", "9.1.0.1"])
def test_malformed_versions_are_refused(text: str) -> None:
    with pytest.raises(UnsupportedVersion, match="is not an Elasticsearch version"):
        parse_version(text)


def test_the_default_is_the_newest_emulated_line() -> None:
    assert parse_version(DEFAULT_VERSION).line == max(MINORS) == (9, 5)


def test_a_cluster_refuses_an_unsupported_version() -> None:
    with pytest.raises(UnsupportedVersion):
        FakeTasks(Settings(version="6.8.0"))


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.key)
def test_each_behaviour_row_holds_exactly_from_since_until_until(feature: object) -> None:
    assert hasattr(feature, "key")
    row = next(f for f in FEATURES if f is feature)
    for line in MINORS:
        version = EsVersion(*line, 0)
        expected = (row.since is None or line >= row.since) and (
            row.until is None or line < row.until
        )
        assert version.has(row.key) is expected, (row.key, line)
    if row.since is not None and row.since in MINORS:
        before = [m for m in MINORS if m < row.since]
        assert before, "a row starting at the oldest line is no difference"
        assert not EsVersion(*before[-1], 0).has(row.key)
        assert EsVersion(*row.since, 0).has(row.key)


def test_an_unknown_behaviour_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="no version feature 'timeout_492'"):
        parse_version("9.1").has("timeout_492")


def test_docs_versions_md_is_generated_from_the_tables() -> None:
    assert DOC.read_text() == markdown(), (
        "regenerate: python -m fake_tasks.versions > docs/versions.md"
    )


def _root(version: str) -> tuple[dict[str, object], str]:
    client = Client(App(FakeTasks(Settings(version=version))))
    response = client.get("/")
    return response.get_json(), response.headers["content-type"]


@pytest.mark.parametrize("release", RELEASES, ids=lambda r: r.version)
def test_root_reports_the_release_build_values(release: object) -> None:
    row = next(r for r in RELEASES if r is release)
    body, _ = _root(row.version)
    version = body["version"]
    assert isinstance(version, dict)
    assert version["number"] == row.version
    if row.build_hash is not None:
        assert version["build_hash"] == row.build_hash
        assert version["build_date"] == row.build_date
    else:
        assert version["build_date"] == "1970-01-01T00:00:00.000Z"
    if row.lucene is not None:
        assert version["lucene_version"] == row.lucene


def test_root_of_8_15_is_the_real_8_15_0_build() -> None:
    body, content_type = _root("8.15")
    assert body["version"] == {
        "number": "8.15.0",
        "build_flavor": "default",
        "build_type": "docker",
        "build_hash": "1a77947f34deddb41af25e6f0ddb8e830159c179",
        "build_date": "2024-08-05T10:05:34.233336849Z",
        "build_snapshot": False,
        "lucene_version": "9.11.1",
        "minimum_wire_compatibility_version": "7.17.0",
        "minimum_index_compatibility_version": "7.0.0",
    }
    assert content_type == "application/json"


def test_root_of_9_5_0_is_the_captured_real_answer() -> None:
    # a real 9.5.0 node's `GET /` (docker image), search index id 60074584882
    body, _ = _root("9.5.0")
    assert body["version"] == {
        "number": "9.5.0",
        "build_flavor": "default",
        "build_type": "docker",
        "build_hash": "8d4246a64bc255212407b1b313fe402391299c88",
        "build_date": "2026-07-29T23:38:48.847847767Z",
        "build_snapshot": False,
        "lucene_version": "10.5.0",
        "minimum_wire_compatibility_version": "8.19.0",
        "minimum_index_compatibility_version": "8.0.0",
    }


@pytest.mark.parametrize(
    ("version", "build_hash", "build_date", "lucene", "wire"),
    [
        ("7.17.29", "580aff1a0064ce4c93293aaab6fcc55e22c10d1c",
         "2025-06-19T01:37:57.847711500Z", "8.11.3", "6.8.0"),
        ("8.18.0", "04e979aa50b657bebd4a0937389308de82c2bdad",
         "2025-04-10T10:09:16.444104780Z", "9.12.1", "7.17.0"),
        ("8.19.0", "93788a8c2882eb5b606510680fac214cff1c7a22",
         "2025-07-23T22:10:18.138212839Z", "9.12.2", "7.17.0"),
        ("9.0.0", "112859b85d50de2a7e63f73c8fc70b99eea24291",
         "2025-04-08T15:13:46.049795831Z", "10.1.0", "8.18.0"),
        ("9.2.0", "25d88452371273dd27356c98598287b669a03eae",
         "2025-10-21T10:06:21.288851013Z", "10.3.1", "8.19.0"),
        ("9.2.4", "dfc5c38614c29a598e132c035b66160d3d350894",
         "2026-01-08T22:07:25.170027027Z", "10.3.2", "8.19.0"),
        ("9.3.0", "17b451d8979a29e31935fe1eb901310350b30e62",
         "2026-01-29T10:05:46.708397977Z", "10.3.2", "8.19.0"),
        ("9.4.2", "c402c2b36d90eae29c0182f86bd9050fd0b746cc",
         "2026-05-25T22:10:36.017759931Z", "10.4.0", "8.19.0"),
    ],
)  # fmt: skip
def test_root_matches_captured_answers_of_real_nodes(
    version: str, build_hash: str, build_date: str, lucene: str, wire: str
) -> None:
    body, _ = _root(version)
    got = body["version"]
    assert isinstance(got, dict)
    assert (got["build_hash"], got["build_date"], got["lucene_version"]) == (
        build_hash,
        build_date,
        lucene,
    )
    assert got["minimum_wire_compatibility_version"] == wire


def test_7_17_answers_json_with_the_charset_and_8_0_without() -> None:
    assert _root("7.17.0")[1] == "application/json; charset=UTF-8"
    assert _root("8.0.0")[1] == "application/json"
    client = Client(App(FakeTasks(Settings(version="7.17"))))
    response = client.get("/_tasks/nonode:1")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json; charset=UTF-8"


@pytest.mark.parametrize(("version", "full"), [("8.7.1", False), ("8.8.0", True), ("7.17", False)])
def test_duplicate_opaque_ids_get_the_simple_body_before_8_8(version: str, full: bool) -> None:
    client = Client(App(FakeTasks(Settings(version=version))))
    lines = [("X-Opaque-Id", "a"), ("X-Opaque-Id", "b")]  # as the socket hosts pass them
    response = client.get("/_tasks", headers=lines[:1], environ_overrides={RAW_HEADERS: lines})
    assert response.status_code == 400
    message = "multiple values for single-valued header [X-Opaque-Id]."
    if full:
        assert response.get_json()["error"]["type"] == "illegal_argument_exception"
        assert response.get_json()["error"]["reason"] == message
    else:
        assert response.get_json() == {"error": message, "status": 400}


def test_warning_header_names_the_version_and_its_build() -> None:
    header = parse_version("9.0.0").warning_header('say "hi"')
    assert header == (
        '299 Elasticsearch-9.0.0-112859b85d50de2a7e63f73c8fc70b99eea24291 "say \\"hi\\""'
    )


def test_warning_header_percent_encodes_what_a_quoted_string_cannot_hold() -> None:
    # HeaderWarning.encode: `%`, controls and characters above U+00FF become %XX of their
    # UTF-8 bytes; Latin-1 letters stay; no date is appended (formatWarning)
    header = parse_version("9.0.0").warning_header("100% ü € tab\there\nend")
    assert header == (
        "299 Elasticsearch-9.0.0-112859b85d50de2a7e63f73c8fc70b99eea24291 "
        '"100%25 ü %E2%82%AC tab\there%0Aend"'
    )


@pytest.mark.parametrize(("version", "status"), [("8.17.0", 500), ("8.18.0", 502), ("9.5", 502)])
def test_a_disconnected_node_answers_502_from_8_18(version: str, status: int) -> None:
    fake = FakeTasks(Settings(version=version))
    client = Client(App(fake))
    node = list(fake.cluster.nodes)[1]
    task = fake.add_task("indices:data/read/search", node=node)
    fake.fail_node(node)
    assert client.get(f"/_tasks/{task.task_id}").status_code == status


def test_7_17_reports_cancelled_and_grants_cancels_to_cancel_task() -> None:
    fake = FakeTasks(Settings(version="7.17.29", security=True))
    client = Client(App(fake))
    fake.security.add_role("canceller", cluster=["cancel_task"])
    fake.security.add_user("c", "pw", ["canceller"])
    task = fake.add_task("indices:data/write/reindex", cancel_delay=None)
    auth = {"Authorization": "Basic Yzpwdw=="}  # c:pw
    body = client.post(f"/_tasks/{task.task_id}/_cancel", headers=auth).get_json()
    assert body["nodes"][task.node]["tasks"][str(task.task_id)]["cancelled"] is True
