"""CLI conventions, through the CLI: help, version, choices, exit codes, output formats."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from goldenpath import __version__
from orchestration.cli import main
from tests.conftest import REPO


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"goldenpath {__version__}"
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'version = "{__version__}"' in pyproject
    assert main(["verify", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--layers" in out and "[default:" in out and "text|json|sarif" in out


def test_the_console_script_is_installed_in_the_venv() -> None:
    script = REPO / ".venv/bin/goldenpath"
    assert script.is_file(), "make setup installs the project editable (pip install --no-deps -e .)"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False, cwd=REPO)
    assert (result.returncode, result.stdout.strip()) == (0, f"goldenpath {__version__}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "--layers", "schema,bogus"], "unknown layer(s) bogus; choose from schema, consistency, charts, policy"),
        (["verify", "--format", "xml"], "'xml' is not one of 'text', 'json', 'sarif'"),
        (["diff", "--format", "yaml"], "'yaml' is not one of 'text', 'json'"),
        (["charts", "push"], "'push' is not one of 'pull', 'check'"),
    ],
)
def test_unknown_values_exit_2_with_the_choices(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_pinned_crds_is_one_exit_2_error(synthesized: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN no ../shared (GOLDENPATH_CRDS points at a folder that does not exist)
    monkeypatch.setenv("GOLDENPATH_CRDS", str(tmp_path / "missing"))
    code = main(["verify", "--terraform", str(synthesized / "cdktf.out"), "--gitops", str(synthesized / "gitops"), "--layers", "schema"])
    # THEN one sentence saying what is missing and how to get it, exit 2 (not a violation per manifest)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip() == (
        f"verify: unusable input: the pinned CRDs are not in {tmp_path / 'missing'} (GOLDENPATH_CRDS); "
        "put ../shared beside the checkout or run `make shared`, which fetches them"
    )
    assert captured.out == ""


def test_verify_json_and_sarif(artifact_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a Namespace with an invalid name in the tree
    bad = artifact_copy / "gitops/dev/platform/namespaces/namespace-bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_Name\n")
    args = ["verify", "--terraform", str(artifact_copy / "cdktf.out"), "--gitops", str(artifact_copy / "gitops"), "--layers", "consistency"]
    assert main([*args, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert any(v["rule"] == "namespace-name" and v["file"] == "dev/platform/namespaces/namespace-bad.yaml" for v in report["violations"])
    assert main([*args, "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    hit = next(r for r in results if r["ruleId"] == "namespace-name")
    assert hit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"{(artifact_copy / 'gitops').as_posix()}/dev/platform/namespaces/namespace-bad.yaml"
    assert "namespace-name" in {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}


def test_drift_shows_a_unified_diff(artifact_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a committed manifest edited by hand
    target = next((artifact_copy / "gitops/dev/platform/namespaces").glob("*.yaml"))
    target.write_text(target.read_text() + "# edited by hand\n")
    code = main(["verify", "--terraform", str(artifact_copy / "cdktf.out"), "--gitops", str(artifact_copy / "gitops"),
                 "--layers", "consistency", "--drift", "--config", str(REPO / "config")])
    out = capsys.readouterr().out
    rel = target.relative_to(artifact_copy / "gitops")
    assert code == 1
    assert f"{rel}: -: drift: differs from a fresh render" in out
    assert f"--- a/{rel}\n+++ b/{rel}\n" in out and "\n-# edited by hand\n" in out


def test_secrets_lists_what_a_human_fills_with_the_exact_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["secrets", "--config", str(REPO / "config"), "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    api = next(i for i in items if i["secret"] == "goldenpath/dev/sample-stateless/api")
    assert api["command"] == (
        "aws secretsmanager put-secret-value --region eu-west-2 --secret-id goldenpath/dev/sample-stateless/api --secret-string '{\"api-key\":\"<api-key>\"}'"
    )
    # generated keys (passwords, admin users) are never listed: Terraform fills them at creation
    assert not [i for i in items if any(k.endswith(("password", "secret")) or k == "admin-user" for k in i["keys"])]
    backstage = next(i for i in items if i["secret"] == "goldenpath/dev/backstage/secrets")
    assert backstage["keys"] == ["github-token"] and "jq -c" in backstage["command"]  # keeps the generated backend-secret


def test_config_schema_is_current_and_named_by_every_config_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--check", "--config", str(REPO / "config")]) == 0, capsys.readouterr().err


def test_config_schema_check_fails_when_stale(config_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (config_copy / "schema.json").write_text("{}\n")
    assert main(["schema", "--check", "--config", str(config_copy)]) == 2
    assert f"{config_copy / 'schema.json'}: not current" in capsys.readouterr().err


def test_outside_the_venv_there_is_no_traceback(tmp_path: Path) -> None:
    # GIVEN a python without the project's dependencies (isolated: no site-packages)
    result = subprocess.run([sys.executable, "-S", "-m", "goldenpath", "verify"], cwd=REPO, capture_output=True, text=True, check=False,
                            env={**os.environ, "GOLDENPATH_TYPECHECK": "1"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "run `make setup` and use .venv/bin/goldenpath" in result.stderr


def test_make_help_lists_the_targets_from_their_comments() -> None:
    result = subprocess.run(["make", "--no-print-directory", "help"], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0
    targets = re.findall(r"^  make (\S+)", result.stdout, flags=re.M)
    assert {"synth", "diff", "check", "test", "deploy", "plan", "shared", "charts", "help"} <= set(targets)


def test_renovate_regex_matches_every_chart_of_the_platform() -> None:
    renovate = json.loads((REPO / "renovate.json").read_text())
    text = (REPO / "config/platform.yaml").read_text()
    found: dict[str, str] = {}
    for manager in renovate["customManagers"]:
        for pattern in manager["matchStrings"]:
            for match in re.finditer(pattern.replace("(?<", "(?P<"), text):
                found[match.group("depName") if "depName" in match.groupdict() else match.group("chart")] = match.group("currentValue")
    charts = re.findall(r"chart: \{repository: \S+, name: ([^,]+), version: ([^}]+)\}", text)
    assert found == dict(charts) and len(found) >= 10
