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
    """No finding outside the reviewed skips, no parse error, no stale skip, and the scans really
    checked the platform (hundreds of checks each, read from the runs the rules read)."""
    from goldenpath.verify import policy
    from goldenpath.verify.artifacts import load

    # GIVEN the synthesized default platform WHEN the policy layer's rules run
    artifacts = load(synthesized / "cdktf.out", synthesized / "gitops")
    found = {r.id: [str(v) for v in r.check(artifacts)] for r in engine.all_rules() if r.layer == "policy"}
    # THEN none reports anything
    assert found == {rule_id: [] for rule_id in CASES}
    tools = policy._started(artifacts)
    assert tools.terraform.results().passed > 400 and tools.kubernetes.results().passed > 400
    print(f"checkov: terraform_json passed={tools.terraform.results().passed}, kubernetes passed={tools.kubernetes.results().passed}")


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


EMPTY_CHECKOV = """#!/bin/sh
echo '{"check_type": "x", "results": {"failed_checks": []}, "summary": {"passed": 0, "failed": 0}}'
"""


def test_a_checkov_scan_that_checked_nothing_is_a_finding(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a checkov that reports no checks at all (a wrong directory, a framework that found no files)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "checkov").write_text(EMPTY_CHECKOV)
    (bin_dir / "checkov").chmod(0o755)
    (bin_dir / "argocd-source-lint").write_text("#!/bin/sh\necho '{\"findings\": []}'\n")
    (bin_dir / "argocd-source-lint").chmod(0o755)
    monkeypatch.setenv("GOLDENPATH_POLICY_BIN", str(bin_dir))
    # WHEN the policy layer runs THEN both checkov rules say so instead of reading as clean
    found = _rules(synthesized)
    assert "stacks: -: checkov-terraform: checkov checked nothing in this tree" in found["checkov-terraform"], found
    assert ".: -: checkov-kubernetes: checkov checked nothing in this tree" in found["checkov-kubernetes"], found
    assert "argocd-source-lint" not in found


FAKE_TOOL = """#!/bin/sh
# Marks its start, then answers only once all three tools of the layer have started: run one
# after the other, the first would wait for the others forever (here: 60 s, then fail).
touch "$MARKERS/$(basename "$0")-$$"
i=0
while [ "$(ls "$MARKERS" | wc -l)" -lt 3 ]; do
  i=$((i + 1)); [ "$i" -gt 600 ] && exit 9
  sleep 0.1
done
case "$(basename "$0")" in
  checkov) echo '{"check_type": "x", "results": {"failed_checks": []}, "summary": {"passed": 1}}' ;;
  *) echo '{"findings": []}' ;;
esac
"""


def test_the_three_tools_run_at_once_and_each_rule_reads_its_own(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenpath.verify import policy

    # GIVEN fake tools that answer only when all three run at the same time
    bin_dir, markers = tmp_path / "bin", tmp_path / "markers"
    bin_dir.mkdir()
    markers.mkdir()
    for name in ("checkov", "argocd-source-lint"):
        (bin_dir / name).write_text(FAKE_TOOL)
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("GOLDENPATH_POLICY_BIN", str(bin_dir))
    monkeypatch.setenv("MARKERS", str(markers))
    # WHEN the policy layer runs THEN it completes (two checkovs and the lint were started
    # together), and the fakes' empty answers leave only the reviewed skips unmatched
    found = _rules(synthesized)
    assert set(found) <= {"checkov-terraform", "checkov-kubernetes"}
    assert found and all("stale skip: matches nothing" in v for violations in found.values() for v in violations), found
    assert sorted(p.name.split("-")[0] for p in markers.iterdir()) == ["argocd", "checkov", "checkov"]
    # AND the tools are started once per load and shared by the rules
    from goldenpath.verify.artifacts import load

    artifacts = load(synthesized / "cdktf.out", synthesized / "gitops")
    for marker in markers.iterdir():
        marker.unlink()
    tools = policy._started(artifacts)
    assert policy._started(artifacts) is tools
    assert all(tool.proc is not None and tool.proc.pid > 0 for tool in (tools.terraform, tools.kubernetes, tools.lint))  # one per rule
    assert list(policy.argocd_source_lint(artifacts)) == []  # read first: the others still running
    assert all("stale skip" in v.message for rule in (policy.checkov_terraform, policy.checkov_kubernetes) for v in rule(artifacts))
    assert len(list(markers.iterdir())) == 3
    assert tools.lint.repo is not None and not tools.lint.repo.exists()  # its scratch repository is gone once read
