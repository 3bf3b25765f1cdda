"""Run checkov on synthesized Terraform JSON and apply the reviewed skips of policy/checkov-skips.yaml.

checkov's ``terraform_json`` runner has no inline suppression (``checkov:skip`` comments are only
read for HCL), and ``--skip-check`` would silence a check for every resource. So checkov runs
unfiltered, offline (``--skip-download``), and a failed check becomes "skipped" only when an entry
of the skip file names its check id and matches ``<stack>/<resource name>``. Entries that match
nothing are reported as stale so the file cannot rot.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SKIP_FILE = REPO / "policy" / "checkov-skips.yaml"


@dataclass(frozen=True)
class Skip:
    check: str
    where: tuple[str, ...]
    reason: str

    def matches(self, finding: Finding) -> bool:
        return finding.check_id == self.check and any(fnmatch.fnmatchcase(finding.location, pattern) for pattern in self.where)


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    stack: str  # directory under stacks/ (the stack name)
    resource: str  # resource name inside the stack (its Terraform local name)
    file: str

    @property
    def location(self) -> str:
        return f"{self.stack}/{self.resource}"


@dataclass
class CheckovResults:
    passed: int = 0
    failed: list[Finding] = field(default_factory=list)  # not covered by the skip file
    skipped: list[tuple[Finding, Skip]] = field(default_factory=list)  # covered, with the reason
    unused_skips: list[Skip] = field(default_factory=list)
    parsing_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.parsing_errors


def load_skips(path: Path = SKIP_FILE, framework: str = "terraform_json") -> list[Skip]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    skips = []
    for entry in data.get(framework, []):
        reason = str(entry.get("reason", "")).strip()
        if not reason:
            raise ValueError(f"{path}: skip {entry.get('check')} has no reason")
        skips.append(Skip(str(entry["check"]), tuple(entry["where"]), reason))
    return skips


def checkov_binary() -> str:
    bin_dir = os.environ.get("GOLDENPATH_POLICY_BIN")
    return str(Path(bin_dir) / "checkov") if bin_dir else str(REPO / ".venv-policy" / "bin" / "checkov")


def _terraform_finding(raw: dict[str, Any]) -> Finding:
    file_path = raw.get("file_path", "")
    parts = [p for p in file_path.split("/") if p]
    stack = parts[-2] if len(parts) >= 2 else ""
    # Python checks name resources "<type>.<name>", graph checks sometimes "resource.<name>".
    return Finding(raw["check_id"], raw.get("check_name", ""), stack, raw["resource"].split(".")[-1], file_path)


def _kubernetes_finding(raw: dict[str, Any]) -> Finding:
    # checkov names Kubernetes resources "<Kind>.<namespace>.<name>"; the env is the first path part.
    file_path = raw.get("file_path", "")
    env = next((p for p in file_path.split("/") if p), "")
    return Finding(raw["check_id"], raw.get("check_name", ""), env, raw["resource"], file_path)


@dataclass
class Started:
    """A checkov run under way (:func:`start_checkov_terraform`, :func:`start_checkov_kubernetes`):
    several run at once (checkov's start alone is ~3 s of CPU), :meth:`results` waits for one."""

    framework: str
    proc: subprocess.Popen[str]
    skip_file: Path
    to_finding: Callable[[dict[str, Any]], Finding]
    _read: CheckovResults | None = field(default=None, init=False, repr=False)  # results() once read

    def results(self) -> CheckovResults:
        """The run's results (waited for once; later calls return the same)."""
        if self._read is None:
            self._read = self._results()
        return self._read

    def _results(self) -> CheckovResults:
        stdout, stderr = self.proc.communicate()
        if self.proc.returncode not in (0, 1) or not stdout.strip():
            raise RuntimeError(f"checkov failed (exit {self.proc.returncode}): {stderr.strip()[-2000:]}")
        report = json.loads(stdout)
        reports = report if isinstance(report, list) else [report]
        skips = load_skips(self.skip_file, self.framework)
        used: set[Skip] = set()
        results = CheckovResults()
        for item in reports:
            if not item.get("results") and "summary" not in item:
                continue  # "no files to scan" answers are a bare summary
            results.passed += int(item.get("summary", {}).get("passed", 0))
            results.parsing_errors += list(item.get("results", {}).get("parsing_errors", []))
            for raw in item.get("results", {}).get("failed_checks", []):
                finding = self.to_finding(raw)
                skip = next((s for s in skips if s.matches(finding)), None)
                if skip is None:
                    results.failed.append(finding)
                else:
                    used.add(skip)
                    results.skipped.append((finding, skip))
        results.failed.sort(key=lambda f: (f.location, f.check_id))
        results.skipped.sort(key=lambda pair: (pair[0].location, pair[0].check_id))
        results.unused_skips = [s for s in skips if s not in used]
        return results


def _start(framework: str, root: Path, skip_file: Path, to_finding: Callable[[dict[str, Any]], Finding]) -> Started:
    # Run inside the tree so reported paths are tree-relative ("/dev/apps/...", "/dev-cluster/cdk.tf.json").
    cmd = [checkov_binary(), "--framework", framework, "--skip-download", "--quiet", "--compact", "-o", "json", "-d", "."]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false", "LOG_LEVEL": "ERROR"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=root)
    return Started(framework, proc, skip_file, to_finding)


def start_checkov_terraform(directory: Path | str, *, skip_file: Path = SKIP_FILE) -> Started:
    """checkov on every ``cdk.tf.json`` below ``directory`` (``cdktf.out`` or its ``stacks/``)."""
    root = Path(directory)
    if (root / "stacks").is_dir():
        root = root / "stacks"
    return _start("terraform_json", root, skip_file, _terraform_finding)


def start_checkov_kubernetes(directory: Path | str, *, skip_file: Path = SKIP_FILE) -> Started:
    """checkov on the rendered manifests below ``directory`` (``dist/gitops``); skips match
    ``<env>/<Kind>.<namespace>.<name>``."""
    return _start("kubernetes", Path(directory), skip_file, _kubernetes_finding)


def run_checkov_terraform(directory: Path | str, *, skip_file: Path = SKIP_FILE) -> CheckovResults:
    """:func:`start_checkov_terraform` and its results."""
    return start_checkov_terraform(directory, skip_file=skip_file).results()
