"""goldenpath.verify.engine: the rules run in a forked child on large trees (schema, PromQL,
object size) report exactly what the sequential run reports, and their failures reach the caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from goldenpath.verify import engine
from goldenpath.verify.registry import RULES, Rule
from goldenpath.verify.report import UnusableInput
from tests.goldenpath.verify.test_consistency import CASES

BAD = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_Name\nspec:\n  bogus: 1\n"  # schema + namespace-name


def _run(artifacts: Path) -> list[object]:
    return engine.run(artifacts / "cdktf.out", artifacts / "gitops", layers=("schema", "consistency"))


def test_forked_rules_report_what_the_sequential_run_reports(artifact_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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


GITOPS_ONLY_WITH_CASES = sorted(engine.GITOPS_ONLY_RULES & set(CASES))


def test_the_gitops_only_rules_are_registered_and_have_violating_cases() -> None:
    engine.all_rules()
    assert set(RULES) >= engine.GITOPS_ONLY_RULES
    # every one of them is attacked below (the schema and the rest through their CASES fixture)
    assert set(GITOPS_ONLY_WITH_CASES) == set(engine.GITOPS_ONLY_RULES)


@pytest.mark.parametrize("rule_id", GITOPS_ONLY_WITH_CASES)
def test_a_gitops_only_rule_reads_nothing_of_terraform_and_finds_the_same(rule_id: str, artifact_copy: Path) -> None:
    """On its violating fixture, the rule runs on a GitOps-only load (where any read of a stack
    raises TerraformNotLoaded) and finds there exactly what it finds with both halves."""
    from goldenpath.verify.artifacts import load

    CASES[rule_id](artifact_copy)
    engine.all_rules()
    alone = load(None, artifact_copy / "gitops")
    both = load(artifact_copy / "cdktf.out", artifact_copy / "gitops")
    from goldenpath.config import load_config

    alone.config = both.config = load_config(Path("config"))
    found = sorted(RULES[rule_id].check(alone))
    assert found and found == sorted(RULES[rule_id].check(both))


def test_a_gitops_only_load_refuses_every_read_of_terraform(synthesized: Path) -> None:
    from goldenpath.verify.artifacts import TerraformNotLoaded, load

    alone = load(None, synthesized / "gitops")
    for read in (lambda: list(alone.stacks.values()), lambda: alone.stacks["dev-cluster"], lambda: len(alone.stacks),
                 lambda: "dev-cluster" in alone.stacks, lambda: list(alone.blocks("aws_eks_cluster")), alone.terraform_dir):
        with pytest.raises(TerraformNotLoaded):
            read()
    # a rule that reads Terraform (chart-render: the env's Kubernetes version) is not prechecked
    engine.all_rules()
    with pytest.raises(TerraformNotLoaded):
        list(RULES["chart-render"].check(alone))


def test_a_precheck_gives_the_run_exactly_its_own_findings(artifact_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (artifact_copy / "gitops/dev/platform/namespaces/namespace-bad.yaml").write_text(BAD)  # schema + namespace-name
    CASES["ingress-dns"](artifact_copy)  # a rule that reads Terraform too
    layers = ("schema", "consistency", "charts")
    whole = engine.run(artifact_copy / "cdktf.out", artifact_copy / "gitops", layers=layers)
    prechecked = engine.precheck(artifact_copy / "gitops", layers=layers)
    assert prechecked.rules == engine.GITOPS_ONLY_RULES
    assert {v.rule for v in prechecked.violations} == {"schema", "namespace-name"}
    ran: list[str] = []
    checked = engine._check

    def spy(rules, artifacts, freeze, done=None):  # type: ignore[no-untyped-def]
        if done is None:  # the run's own checks, not a precheck's
            ran.extend(r.id for r in rules)
        return checked(rules, artifacts, freeze, done)

    monkeypatch.setattr(engine, "_check", spy)
    assert engine.run(artifact_copy / "cdktf.out", artifact_copy / "gitops", layers=layers, prechecked=prechecked) == whole
    assert not set(ran) & engine.GITOPS_ONLY_RULES and "ingress-dns" in ran
    # a precheck of other layers, or of another tree, is ignored: everything runs again
    ran.clear()
    other = engine.precheck(artifact_copy / "gitops", layers=("schema",))
    assert engine.run(artifact_copy / "cdktf.out", artifact_copy / "gitops", layers=layers, prechecked=other) == whole
    assert "schema" in ran


def test_a_prechecked_rule_that_reads_terraform_is_left_to_the_run_with_nothing_kept(synthesized: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenpath.verify.report import Violation

    def half_then_terraform(artifacts):  # type: ignore[no-untyped-def]
        yield Violation("f", "ref", "schema", "found before reading Terraform")
        list(artifacts.blocks("aws_eks_cluster"))

    engine.all_rules()
    monkeypatch.setitem(RULES, "schema", Rule("schema", "schema", half_then_terraform))
    prechecked = engine.precheck(synthesized / "gitops", layers=("schema", "consistency"))
    assert "schema" not in prechecked.rules and "namespace-name" in prechecked.rules
    assert [v for v in prechecked.violations if v.rule == "schema"] == []
