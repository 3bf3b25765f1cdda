"""Policy layer: clean on the real artifacts; each tool's finding surfaces as its rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from goldenpath.verify import engine
from tests.goldenpath.verify.test_consistency import edit_stack, edit_yaml


def _rules(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for v in engine.run(root / "cdktf.out", root / "gitops", layers=("policy",)):
        found.setdefault(v.rule, []).append(str(v))
    return found


def _unencrypted_rds(doc: dict) -> None:  # type: ignore[type-arg]
    doc["resource"]["aws_db_instance"]["postgres"]["storage_encrypted"] = False


def _privileged(obj: dict) -> None:  # type: ignore[type-arg]
    obj["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = True


def _no_ignore_differences(obj: dict) -> None:  # type: ignore[type-arg]
    del obj["spec"]["ignoreDifferences"]


CASES = {
    "checkov-terraform": lambda r: edit_stack(r, "prod-database", _unencrypted_rds),
    "checkov-kubernetes": lambda r: edit_yaml(r, "dev/workloads/hello-goldenpath-idp/deployment-hello-goldenpath-idp.yaml", _privileged),
    "argocd-source-lint": lambda r: edit_yaml(r, "dev/apps/application-dev-orders.yaml", _no_ignore_differences),
}


@pytest.mark.slow
def test_default_platform_passes_policy(synthesized: Path) -> None:
    assert _rules(synthesized) == {}


def test_every_policy_rule_has_a_mutation() -> None:
    assert {r.id for r in engine.all_rules() if r.layer == "policy"} == set(CASES)


@pytest.mark.slow
def test_each_mutation_breaks_exactly_its_rule_and_a_stale_skip_is_reported(artifact_copy: Path) -> None:
    """One policy run over the three mutations at once (each in another tool's files: every tool
    run costs seconds) plus the stale skip: each rule reports only what its own mutation did."""
    # GIVEN each tool's mutation, and dev and staging switched to Multi-AZ: the reviewed
    # CKV_AWS_157 skip entry for both then matches nothing
    for mutate in CASES.values():
        mutate(artifact_copy)
    for env in ("dev", "staging"):
        edit_stack(artifact_copy, f"{env}-database", lambda doc: doc["resource"]["aws_db_instance"]["postgres"].update(multi_az=True))
    found = _rules(artifact_copy)
    # THEN every rule reports, each about its own mutation only
    assert set(found) == set(CASES), found
    terraform = found["checkov-terraform"]
    assert 'policy/checkov-skips.yaml: CKV_AWS_157: checkov-terraform: stale skip: matches nothing in this tree (dev-database/postgres, staging-database/postgres)' in terraform
    assert all("prod-database" in v or "stale skip" in v for v in terraform), terraform
    assert any("prod-database/postgres" in v and "CKV_AWS_16" in v for v in terraform), terraform
    assert all("hello-goldenpath-idp" in v for v in found["checkov-kubernetes"]), found["checkov-kubernetes"]
    assert all("orders" in v for v in found["argocd-source-lint"]), found["argocd-source-lint"]


def test_the_three_tools_start_together_and_each_rule_reads_its_own(synthesized: Path) -> None:
    from goldenpath.verify import policy
    from goldenpath.verify.artifacts import load

    artifacts = load(synthesized / "cdktf.out", synthesized / "gitops")
    # WHEN the first policy rule asks for its tool
    tools = policy._started(artifacts)
    # THEN every tool of the layer is already running (or done), once, before any is read
    assert set(tools) == {r.id for r in engine.all_rules() if r.layer == "policy"}
    assert all(tool.proc is not None and tool.proc.pid > 0 for tool in tools.values())
    assert policy._started(artifacts) is tools
    assert [v for rule in (policy.checkov_terraform, policy.checkov_kubernetes, policy.argocd_source_lint) for v in rule(artifacts)] == []
    assert all(tool.proc.returncode is not None for tool in tools.values())
    assert not tools["argocd-source-lint"].repo.exists()  # its scratch repository is gone once read
