"""goldenpath.verify.engine: the rules run in a forked child on large trees (schema, PromQL,
object size) report exactly what the sequential run reports, and their failures reach the caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from goldenpath.verify import engine
from goldenpath.verify.registry import RULES, Rule
from goldenpath.verify.report import UnusableInput

BAD = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_Name\nspec:\n  bogus: 1\n"  # schema + namespace-name


def _run(artifacts: Path) -> list[object]:
    return engine.run(artifacts / "cdktf.out", artifacts / "gitops", layers=("schema", "consistency"))


def test_forked_rules_report_what_the_sequential_run_reports(artifact_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.goldenpath.verify.test_consistency import CASES

    (artifact_copy / "gitops/dev/platform/namespaces/namespace-bad.yaml").write_text(BAD)
    CASES["promql-parse"](artifact_copy)  # a forked rule beside schema, and one of the PromQL group
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
    assert {v.rule for v in forked} >= {"schema", "namespace-name", "promql-parse"}
    assert {f"rule:{r}" for r in engine.FORKED_RULES} | {"rule:namespace-name"} <= set(profile)


def test_a_failure_in_the_forked_rule_reaches_the_caller(artifact_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_FROM_MANIFESTS", 0)

    def broken(_artifacts: object) -> list[object]:
        raise UnusableInput("the schema rule could not read something")

    monkeypatch.setitem(RULES, "schema", Rule("schema", "schema", broken))
    with pytest.raises(UnusableInput, match="could not read something"):
        _run(artifact_copy)


def test_a_run_unfreezes_only_what_it_froze_itself(synthesized: Path) -> None:
    import gc

    # GIVEN nothing frozen WHEN verifying THEN nothing is left frozen
    assert gc.get_freeze_count() == 0
    assert engine.run(synthesized / "cdktf.out", synthesized / "gitops", layers=("consistency",)) == []
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    # GIVEN a caller's own frozen objects (the synth freezes what it keeps) THEN they stay frozen
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert engine.run(synthesized / "cdktf.out", synthesized / "gitops", layers=("consistency",)) == []
        assert gc.get_freeze_count() >= frozen > 0 and gc.isenabled()
    finally:
        gc.unfreeze()
