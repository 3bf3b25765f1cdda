"""The synth pipeline refuses to publish artifacts that do not verify."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from goldenpath import pipeline
from goldenpath.cli import main
from tests.conftest import REPO


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_violations_keep_the_previous_trees(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN previously published trees
    shutil.copytree(synthesized, tmp_path / "out")
    out = tmp_path / "out"
    before = _files(out)
    # AND a renderer that (by a bug) emits an object the verifier rejects
    original = pipeline.render_gitops

    def buggy(config, outdir, timings):  # type: ignore[no-untyped-def]
        original(config, outdir, timings)
        (outdir / "dev/platform/namespaces/namespace-bad.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_Name\n")

    monkeypatch.setattr(pipeline, "render_gitops", buggy)
    # WHEN synth runs
    code = main(["synth", "--config", str(REPO / "config"), "--terraform-out", str(out / "cdktf.out"),
                 "--gitops-out", str(out / "gitops"), "--platform-doc", str(out / "PLATFORM.md")])
    # THEN it reports the violation, exits 1 and leaves every previous file as it was
    err = capsys.readouterr().err
    assert code == 1
    assert "dev/platform/namespaces/namespace-bad.yaml: Namespace/Bad_Name: namespace-name:" in err
    assert "synth refused: the rendered artifacts do not verify. Nothing was written." in err
    assert _files(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["PLATFORM.md", "apps", "catalog", "cdktf.out", "gitops"]  # no staging leftovers
