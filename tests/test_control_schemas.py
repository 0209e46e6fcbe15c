"""The control API's schema files: valid Draft 2020-12, every definition used, and each one
refusing a broken value (so a check that cannot fail would show)."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
from jsonschema import Draft202012Validator

from fake_tasks.contract.control import CONTROL_SCHEMAS, control_schema, problems
from fake_tasks.rest.control.routes import CONTROL_ROUTES


@pytest.mark.parametrize("name", CONTROL_SCHEMAS)
def test_each_file_is_valid_draft_2020_12(name: str) -> None:
    Draft202012Validator.check_schema(control_schema(name))


def test_the_folder_holds_exactly_the_known_files() -> None:
    folder = files("fake_tasks") / "schemas" / "control"
    assert sorted(e.name for e in folder.iterdir() if e.name.endswith(".json")) == sorted(
        CONTROL_SCHEMAS
    )


def test_every_request_and_answer_definition_is_used() -> None:
    bodies = {r.body for r in CONTROL_ROUTES if r.body is not None}
    answers = {r.answer for r in CONTROL_ROUTES} | {"error"}
    requests = set(control_schema("requests.json")["$defs"])
    responses = control_schema("responses.json")["$defs"]
    parts = {"clock", "task_view", "rule_view", "task_failure_view", "node_view", "stub_view"}
    parts |= {"match", "header_list", "exchange", "index_view"}
    assert bodies == requests
    assert answers | parts == set(responses)


@pytest.mark.parametrize(
    ("target", "good", "bad", "rule"),
    [
        (
            "responses.json#/$defs/ok",
            {"acknowledged": True},
            {"acknowledged": False},
            "$defs/ok/properties/acknowledged/const",
        ),
        (
            "responses.json#/$defs/error",
            {"error": {"type": "unknown_control_route", "reason": "x"}, "status": 404},
            {"error": {"type": "other", "reason": "x"}, "status": 404},
            "$defs/error/properties/error/properties/type/enum",
        ),
        (
            "responses.json#/$defs/journal",
            {"total": 0, "from": 0, "size": 0, "exchanges": []},
            {"total": -1, "from": 0, "size": 0, "exchanges": []},
            "$defs/journal/properties/total/minimum",
        ),
        (
            "requests.json#/$defs/advance",
            {"by": "30s"},
            {"by": "30 s"},
            "$defs/duration/oneOf/1/pattern",
        ),
        (
            "requests.json#/$defs/stub",
            {"path": "/x", "json": None},
            {"path": "x"},
            "$defs/path/pattern",
        ),
        ("scenario.json", {"scenario": 1}, {"scenario": 1, "extra": 1}, "additionalProperties"),
    ],
)
def test_a_good_value_passes_and_a_broken_one_fails(
    target: str, good: object, bad: object, rule: str
) -> None:
    assert problems(target, good) == []
    found = problems(target, bad)
    assert found
    assert found[0].rule == rule


def test_the_schemas_are_plain_json_any_language_can_load() -> None:
    folder = files("fake_tasks") / "schemas" / "control"
    for name in CONTROL_SCHEMAS:
        loaded = json.loads((folder / name).read_text())
        assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
