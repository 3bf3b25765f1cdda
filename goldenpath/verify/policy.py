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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from goldenpath.policy import CheckovResults, Started, checkov_binary, start_checkov_kubernetes, start_checkov_terraform
from goldenpath.verify.artifacts import Artifacts
from goldenpath.verify.index import Index
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

SKIP_FILE_DISPLAY = "policy/checkov-skips.yaml"


def _checkov_violations(results: CheckovResults, rule_id: str, prefix: str) -> Iterator[Violation]:
    if not (results.passed or results.failed or results.skipped or results.parsing_errors):
        # a scan that checked nothing proves nothing (a wrong directory, a framework that found
        # no files): it must not read as clean
        yield Violation(prefix.rstrip("/") or ".", "-", rule_id, "checkov checked nothing in this tree")
    for finding in results.failed:
        yield Violation(f"{prefix}{finding.file.lstrip('/')}", finding.location, rule_id, f"{finding.check_id}: {finding.check_name}")
    for error in results.parsing_errors:
        yield Violation(f"{prefix}{str(error).lstrip('/')}", "-", rule_id, "checkov could not parse this file")
    for skip in results.unused_skips:
        yield Violation(SKIP_FILE_DISPLAY, skip.check, rule_id, f"stale skip: matches nothing in this tree ({', '.join(skip.where)})")


@dataclass
class _Lint:
    """argocd-source-lint under way in its scratch repository (removed when it is read)."""

    prefix: str = ""
    repo: Path | None = None
    proc: subprocess.Popen[str] | None = None
    problem: str = ""  # reported instead of findings

    def findings(self) -> tuple[list[dict[str, Any]], str]:
        if self.proc is None:
            return [], self.problem
        try:
            stdout, stderr = self.proc.communicate()
        finally:
            if self.repo is not None:
                shutil.rmtree(self.repo, ignore_errors=True)
        try:
            return list(json.loads(stdout).get("findings", [])), ""
        except ValueError:
            return [], f"argocd-source-lint failed (exit {self.proc.returncode}): {stderr.strip()[-500:]}"


@dataclass
class _Tools:
    terraform: Started
    kubernetes: Started
    lint: _Lint


def _started(a: Artifacts) -> _Tools:
    """The layer's three tools, started together by the first of its rules to run and read by
    each rule in turn: they are independent processes (checkov alone takes ~3 s of CPU to start),
    so the layer takes about as long as its slowest tool instead of the sum (on two cores)."""
    if "policy-tools" not in a.cache:
        a.cache["policy-tools"] = _Tools(start_checkov_terraform(a.terraform_dir()), start_checkov_kubernetes(a.gitops_root), _start_lint(a))
    return cast(_Tools, a.cache["policy-tools"])


@rule("checkov-terraform", "policy")
def checkov_terraform(a: Artifacts) -> Iterator[Violation]:
    """checkov's terraform_json checks on every stack (encryption, logging, public access...)."""
    yield from _checkov_violations(_started(a).terraform.results(), "checkov-terraform", "stacks/")


@rule("checkov-kubernetes", "policy")
def checkov_kubernetes(a: Artifacts) -> Iterator[Violation]:
    """checkov's kubernetes checks on every rendered manifest (security contexts, probes, limits...)."""
    yield from _checkov_violations(_started(a).kubernetes.results(), "checkov-kubernetes", "")


def _lint_binary() -> str:
    return str(Path(checkov_binary()).with_name("argocd-source-lint"))


def _start_lint(a: Artifacts) -> _Lint:
    """The lint started in its scratch repository (laid out as :func:`argocd_source_lint` says)."""
    roots = Index(a).root_apps
    if not roots:
        return _Lint(problem="no root Application in the Terraform bootstrap values; cannot lay out the repository")
    first = next(iter(roots.values()))
    repo = Path(tempfile.mkdtemp(prefix="goldenpath-lint-"))
    try:
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
        proc = subprocess.Popen([_lint_binary(), "-f", "json", "."], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except BaseException:
        shutil.rmtree(repo, ignore_errors=True)
        raise
    return _Lint(first.tree_prefix, repo, proc)


@rule("argocd-source-lint", "policy")
def argocd_source_lint(a: Artifacts) -> Iterator[Violation]:
    """argocd-source-lint's multi-source checks (broken $values refs, phantom targets, revision
    mismatches, missing ignoreDifferences) on a scratch git repository laid out like the real
    one: the tree at the root Application's path, origin = its repoURL, every env branch present."""
    lint = _started(a).lint
    findings, problem = lint.findings()
    if problem:
        yield Violation("-", "-", "argocd-source-lint", problem)
        return
    for finding in findings:
        file = str(finding.get("file", "-")).removeprefix(lint.prefix)
        yield Violation(file, f"Application/{finding.get('application', '-')}", "argocd-source-lint", f"{finding.get('rule_id')}: {finding.get('message')}")
