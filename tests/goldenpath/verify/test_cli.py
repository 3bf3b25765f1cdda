"""`goldenpath verify`: output format, exit codes, unusable input, drift."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orchestration.cli import main
from orchestration.drift import drift
from tests.conftest import REPO


def _verify(root: Path, *extra: str) -> list[str]:
    return ["verify", "--terraform", str(root / "cdktf.out"), "--gitops", str(root / "gitops"), "--layers", "schema,consistency", *extra]


def test_clean_tree_exits_zero(synthesized: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_verify(synthesized)) == 0
    assert capsys.readouterr().out.strip() == "0 violation(s)"


def test_violations_exit_one_in_text_and_json(artifact_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = artifact_copy / "gitops/dev/platform/namespaces/namespace-bad.yaml"
    path.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_Name\n")
    assert main(_verify(artifact_copy)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "dev/platform/namespaces/namespace-bad.yaml: Namespace/Bad_Name: namespace-name: 'Bad_Name' is not a DNS-1123 label",
        "1 violation(s)",
    ]
    assert main(_verify(artifact_copy, "--format", "json")) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["count"] == 1
    assert report["violations"][0] == {
        "file": "dev/platform/namespaces/namespace-bad.yaml",
        "object": "Namespace/Bad_Name",
        "rule": "namespace-name",
        "message": "'Bad_Name' is not a DNS-1123 label",
    }


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda r: shutil.rmtree(r / "cdktf.out"), "no stacks/ directory"),
        (lambda r: shutil.rmtree(r / "gitops"), "gitops: not a directory"),
        (lambda r: (r / "cdktf.out/stacks/dev-dns/cdk.tf.json").write_text("{not json"), "stacks/dev-dns/cdk.tf.json: cannot read Terraform JSON"),
        (lambda r: (r / "gitops/dev/apps/appproject-team-web.yaml").write_text("a: [b\n"), "dev/apps/appproject-team-web.yaml: cannot parse YAML"),
        (lambda r: (r / "gitops/dev/apps/appproject-team-web.yaml").write_text("- just\n- a list\n"), "dev/apps/appproject-team-web.yaml: a manifest must be a mapping"),
    ],
)
def test_unusable_input_exits_two(artifact_copy: Path, capsys: pytest.CaptureFixture[str], breakage, message: str) -> None:  # type: ignore[no-untyped-def]
    breakage(artifact_copy)
    assert main(_verify(artifact_copy)) == 2
    err = capsys.readouterr().err
    assert err.startswith("verify: unusable input: ")
    assert message in err
    assert "Traceback" not in err


def test_rules_are_listed_with_their_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list-rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 18
    assert all(len(line.split(maxsplit=2)) == 3 for line in lines)


def test_committed_tree_has_no_drift() -> None:
    assert drift(REPO / "config", REPO / "dist" / "gitops") == []


def test_drift_reports_edited_missing_and_extra_files(tmp_path: Path) -> None:
    tree = tmp_path / "gitops"
    shutil.copytree(REPO / "dist" / "gitops", tree)
    (tree / "dev/values/kong.yaml").write_text((tree / "dev/values/kong.yaml").read_text() + "# hand edit\n")
    (tree / "prod/apps/appproject-team-web.yaml").unlink()
    (tree / "staging/apps/extra.yaml").write_text("kind: ConfigMap\n")
    found = [(v.file, v.rule) for v in drift(REPO / "config", tree)]
    assert found == [("dev/values/kong.yaml", "drift"), ("prod/apps/appproject-team-web.yaml", "drift"), ("staging/apps/extra.yaml", "drift")]


def test_make_check_path_on_the_committed_tree(capsys: pytest.CaptureFixture[str]) -> None:
    # what `make check` runs (policy layer aside, covered in test_policy.py): fresh Terraform, committed GitOps tree, drift
    code = main(["verify", "--render-terraform", "--config", str(REPO / "config"), "--gitops", str(REPO / "dist/gitops"),
                 "--layers", "schema,consistency", "--drift"])
    assert (code, capsys.readouterr().out.strip()) == (0, "0 violation(s)")
