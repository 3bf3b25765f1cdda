"""Bad configs: every case exits 2 with its exact located message and writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from goldenpath.config import load_config
from orchestration.cli import main
from tests.conftest import REPO
from tests.goldenpath.malformed_corpus import CASES, FILE_CASES


def _tree_state(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """GIVEN a copy of the default config and previous outputs with known content."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    for out in ("cdktf.out", "dist/gitops"):
        (tmp_path / out / "previous").mkdir(parents=True)
        (tmp_path / out / "previous" / "marker.txt").write_text("previous run\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_corpus_is_large_and_unique() -> None:
    ids = [case[0] for case in CASES]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(("case_id", "file", "old", "new", "message"), CASES, ids=[c[0] for c in CASES])
def test_malformed_config_is_rejected_with_located_message(
    workdir: Path, capsys: pytest.CaptureFixture[str], case_id: str, file: str, old: str, new: str, message: str
) -> None:
    # GIVEN one edit that breaks the config
    path = workdir / "config" / file
    text = path.read_text()
    assert old == "*" or text.count(old) == 1, f"{case_id}: edit target must occur exactly once"
    path.write_text(new if old == "*" else text.replace(old, new))
    before = {out: _tree_state(workdir / out) for out in ("cdktf.out", "dist/gitops")}

    # WHEN synth runs on it
    code = main(["synth", "--config", "config", "--terraform-out", "cdktf.out", "--gitops-out", "dist/gitops"])

    # THEN exit 2, the exact message, no traceback, and both output trees untouched
    err = capsys.readouterr().err
    assert code == 2
    assert message in err.splitlines()
    assert "Traceback" not in err
    assert {out: _tree_state(workdir / out) for out in ("cdktf.out", "dist/gitops")} == before
    assert sorted(p.name for p in (workdir / "dist").iterdir()) == ["gitops"]
    assert sorted(p.name for p in workdir.iterdir()) == ["cdktf.out", "config", "dist"]


@pytest.mark.parametrize(("case_id", "make", "message"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_config_file_that_is_not_a_plain_file_is_rejected(workdir: Path, capsys: pytest.CaptureFixture[str], case_id: str, make, message: str) -> None:  # type: ignore[no-untyped-def]
    # GIVEN apps/evil.yaml is a symlink out of config/, a FIFO, a directory, huge or dangling
    make(workdir / "config")
    # WHEN synth runs THEN it ends at once with exit 2 and one located line (no hang, no memory blow-up)
    code = main(["synth", "--config", "config", "--terraform-out", "cdktf.out", "--gitops-out", "dist/gitops"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err.splitlines(), err[:2000]
    assert "Traceback" not in err


def test_errors_are_collected_across_files(config_copy: Path) -> None:
    # GIVEN two broken app files
    (config_copy / "apps" / "orders.yaml").write_text((config_copy / "apps" / "orders.yaml").read_text().replace("port: 8080", "port: 1"))
    (config_copy / "apps" / "hello-goldenpath-idp.yaml").write_text(
        (config_copy / "apps" / "hello-goldenpath-idp.yaml").read_text().replace("kind: stateless", "kind: x")
    )
    # WHEN loading THEN both problems are reported at once
    with pytest.raises(Exception) as info:
        load_config(config_copy)
    text = str(info.value)
    assert "orders.yaml:7: port: must be >= 1024 (got 1)" in text
    assert "hello-goldenpath-idp.yaml:4: kind: must be one of stateless, stateful (got 'x')" in text


def test_default_config_loads() -> None:
    config = load_config(REPO / "config")
    assert config.environments == ["dev", "staging", "prod"]
    assert [a.name for a in config.apps] == ["hello-goldenpath-idp", "orders", "sample-stateless"]
    assert config.platform.environments["prod"].issuer == "letsencrypt-prod"
    assert {config.platform.environments[e].issuer for e in ("dev", "staging")} == {"letsencrypt-staging"}
    assert config.platform.environments["dev"].branch == "development"
    assert config.chart_version("dev", "kong") == config.platform.components["kong"].chart.version


def test_missing_platform_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--config", str(tmp_path / "nowhere")])
    assert code == 2
    assert "platform.yaml: file not found" in capsys.readouterr().err
