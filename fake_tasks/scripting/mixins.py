"""`FakeTasks.load_scenario`, mixed in from here so the facade module stays small."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fake_tasks.scripting.scenario import Loaded, load
from fake_tasks.scripting.scriptable import Scriptable

__all__ = ["StubsAndScenarios"]


class StubsAndScenarios(Scriptable):
    """Stubs (`stub`), nodes (`use_nodes`) and scenarios (`load_scenario`) of `FakeTasks`."""

    def load_scenario(self, source: str | Path | Mapping[str, Any]) -> Loaded:
        """Start over from a scenario: a file path (YAML or JSON), its text, or a parsed mapping.

        Resets the fake, then builds what the scenario describes; a `ScenarioError` names the
        line, the JSON pointer and the schema rule of each problem.
        """
        return load(self, source)
