"""Policy layer: checkov on both halves and argocd-source-lint on the Applications.

Skips live in one reviewed file (policy/checkov-skips.yaml), each with its reason; a skip that no
longer matches anything is itself reported, so the file cannot rot. The tools run offline from
the policy venv (.venv-policy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from goldenpath.policy import CheckovResults, checkov_binary, run_checkov_kubernetes, run_checkov_terraform
from goldenpath.verify.artifacts import Artifacts
from goldenpath.verify.index import Index
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

SKIP_FILE_DISPLAY = "policy/checkov-skips.yaml"


def _checkov_violations(results: CheckovResults, rule_id: str, prefix: str) -> Iterator[Violation]:
    for finding in results.failed:
        yield Violation(f"{prefix}{finding.file.lstrip('/')}", finding.location, rule_id, f"{finding.check_id}: {finding.check_name}")
    for error in results.parsing_errors:
        yield Violation(f"{prefix}{str(error).lstrip('/')}", "-", rule_id, "checkov could not parse this file")
    for skip in results.unused_skips:
        yield Violation(SKIP_FILE_DISPLAY, skip.check, rule_id, f"stale skip: matches nothing in this tree ({', '.join(skip.where)})")


@rule("checkov-terraform", "policy")
def checkov_terraform(a: Artifacts) -> Iterator[Violation]:
    """checkov's terraform_json checks on every stack (encryption, logging, public access...)."""
    yield from _checkov_violations(run_checkov_terraform(a.terraform_root), "checkov-terraform", "stacks/")


@rule("checkov-kubernetes", "policy")
def checkov_kubernetes(a: Artifacts) -> Iterator[Violation]:
    """checkov's kubernetes checks on every rendered manifest (security contexts, probes, limits...)."""
    yield from _checkov_violations(run_checkov_kubernetes(a.gitops_root), "checkov-kubernetes", "")


def _lint_binary() -> str:
    return str(Path(checkov_binary()).with_name("argocd-source-lint"))


@rule("argocd-source-lint", "policy")
def argocd_source_lint(a: Artifacts) -> Iterator[Violation]:
    """argocd-source-lint's multi-source checks (broken $values refs, phantom targets, revision
    mismatches, missing ignoreDifferences) on a scratch git repository laid out like the real
    one: the tree at the root Application's path, origin = its repoURL, every env branch present."""
    roots = Index(a).root_apps
    if not roots:
        yield Violation("-", "-", "argocd-source-lint", "no root Application in the Terraform bootstrap values; cannot lay out the repository")
        return
    first = next(iter(roots.values()))
    with tempfile.TemporaryDirectory(prefix="goldenpath-lint-") as tmp:
        repo = Path(tmp)
        shutil.copytree(a.gitops_root, repo / first.tree_prefix, dirs_exist_ok=True)
        git = ["git", "-c", "user.name=goldenpath", "-c", "user.email=verify@goldenpath.invalid", "-c", "commit.gpgsign=false"]
        env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
        branches = sorted({r.branch for r in roots.values()})
        steps = [
            ["init", "-q", "-b", branches[0]],
            ["remote", "add", "origin", first.repo_url],
            ["add", "-A"],
            ["commit", "-q", "-m", "rendered tree"],
            *(["branch", b] for b in branches[1:]),
        ]
        for step in steps:
            subprocess.run([*git, *step], cwd=repo, env=env, check=True, capture_output=True)
        proc = subprocess.run([_lint_binary(), "-f", "json", "."], cwd=repo, env=env, capture_output=True, text=True, check=False)
        try:
            findings = json.loads(proc.stdout).get("findings", [])
        except ValueError:
            yield Violation("-", "-", "argocd-source-lint", f"argocd-source-lint failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
            return
    for finding in findings:
        file = str(finding.get("file", "-")).removeprefix(first.tree_prefix)
        yield Violation(file, f"Application/{finding.get('application', '-')}", "argocd-source-lint", f"{finding.get('rule_id')}: {finding.get('message')}")
