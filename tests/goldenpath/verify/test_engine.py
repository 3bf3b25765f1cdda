"""goldenpath.verify.engine: the schema rule run in a forked child on large trees reports exactly
what the sequential run reports, and its failures reach the caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from goldenpath.verify import engine
from goldenpath.verify.registry import RULES, Rule
from goldenpath.verify.report import UnusableInput

BAD = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_Name\nspec:\n  bogus: 1\n"  # schema + namespace-name


def _run(artifacts: Path) -> list[object]:
    return engine.run(artifacts / "cdktf.out", artifacts / "gitops", layers=("schema", "consistency"))


def test_forked_schema_rule_reports_what_the_sequential_run_reports(artifact_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (artifact_copy / "gitops/dev/platform/namespaces/namespace-bad.yaml").write_text(BAD)
    monkeypatch.setattr(engine, "PARALLEL_FROM_MANIFESTS", 10**9)
    sequential = _run(artifact_copy)
    monkeypatch.setattr(engine, "PARALLEL_FROM_MANIFESTS", 0)
    forks: list[object] = []
    original = engine.forking.Child

    def child(work):  # type: ignore[no-untyped-def]
        forks.append(work)
        return original(work)

    monkeypatch.setattr(engine.forking, "Child", child)
    profile: dict[str, float] = {}
    forked = engine.run(artifact_copy / "cdktf.out", artifact_copy / "gitops", layers=("schema", "consistency"), profile=profile)
    assert len(forks) == 1
    assert forked == sequential
    assert {v.rule for v in forked} >= {"schema", "namespace-name"}
    assert "rule:schema" in profile and "rule:namespace-name" in profile


def test_a_failure_in_the_forked_rule_reaches_the_caller(artifact_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_FROM_MANIFESTS", 0)

    def broken(_artifacts: object) -> list[object]:
        raise UnusableInput("the schema rule could not read something")

    monkeypatch.setitem(RULES, "schema", Rule("schema", "schema", broken))
    with pytest.raises(UnusableInput, match="could not read something"):
        _run(artifact_copy)
