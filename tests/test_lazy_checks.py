"""Fast schema checks are generated per file on first use, and agree with the full build."""

from __future__ import annotations

from fake_tasks.contract import schemas
from fake_tasks.contract.fastcheck import Generator, LazyChecks

INFO = {
    "name": "n",
    "cluster_name": "c",
    "cluster_uuid": "u",
    "version": {"number": "9.1.0"},
    "tagline": "You Know, for Search",
}


def loaded() -> dict[str, dict[str, object]]:
    return {name: schemas.load_schema(name) for name in schemas.schema_names()}


def test_only_the_file_asked_for_is_generated() -> None:
    checks = LazyChecks(loaded())
    assert checks.source == ""
    first = checks["cluster_info.json"]
    assert checks["cluster_info.json"] is first
    assert checks.source.count("def ") < 10
    assert "cluster_info.json" in checks
    assert checks.get("nope.json") is None
    assert len(checks) == len(schemas.schema_names())


def test_lazy_checks_agree_with_the_full_build() -> None:
    files = loaded()
    full, _ = Generator(files).build()
    lazy = LazyChecks(files)
    samples: list[object] = [INFO, {}, [], None, {"nodes": {}}, {"error": "x", "status": 400}]
    for name in files:
        for body in samples:
            assert lazy[name](body) == full[name](body), (name, body)
    assert sum(full[name](INFO) for name in files) >= 1
