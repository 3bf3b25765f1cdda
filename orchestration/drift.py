"""Drift layer: a fresh render of config/ must equal the committed GitOps tree byte for byte.

Argo CD syncs what is committed; if someone edits dist/gitops/ by hand or forgets to commit a
render, the cluster and the config disagree silently. This re-renders into a temporary
directory and reports every file that differs, is missing, or should not be there.
"""

from __future__ import annotations

import difflib
import tempfile
from pathlib import Path

from goldenpath.config import load_config
from goldenpath.verify.report import UnusableInput, Violation

RULE = "drift"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def drift(config_dir: Path, gitops: Path) -> list[Violation]:
    return drift_with_diffs(config_dir, gitops)[0]


def drift_with_diffs(config_dir: Path, gitops: Path) -> tuple[list[Violation], dict[str, str]]:
    """The drift violations and, per differing file, a unified diff (committed -> fresh render)."""
    from cdk8s_app.app import render

    if not Path(gitops).is_dir():
        raise UnusableInput(f"{gitops}: not a directory")
    config = load_config(config_dir)
    with tempfile.TemporaryDirectory(prefix="goldenpath-drift-") as tmp:
        render(config, Path(tmp))
        fresh, committed = _files(Path(tmp)), _files(Path(gitops))
    found: list[Violation] = []
    diffs: dict[str, str] = {}
    for path in sorted(fresh.keys() | committed.keys()):
        if fresh.get(path) != committed.get(path):
            diffs[path] = _unified(path, committed.get(path), fresh.get(path))
        if path not in committed:
            found.append(Violation(path, "-", RULE, "missing from the committed tree; run `make synth` and commit"))
        elif path not in fresh:
            found.append(Violation(path, "-", RULE, "not produced by a fresh render (hand-made or stale); run `make synth` and commit"))
        elif fresh[path] != committed[path]:
            found.append(Violation(path, "-", RULE, "differs from a fresh render (edited by hand or not re-rendered); run `make synth` and commit"))
    return found, diffs


def _unified(path: str, committed: bytes | None, fresh: bytes | None) -> str:
    def lines(data: bytes | None) -> list[str]:
        return data.decode("utf-8", errors="replace").splitlines(keepends=True) if data is not None else []

    text = "".join(difflib.unified_diff(lines(committed), lines(fresh), f"a/{path}" if committed is not None else "/dev/null", f"b/{path}" if fresh is not None else "/dev/null"))
    return text if text.endswith("\n") else text + "\n"
