"""CI's destroy guard: losing inventory items needs an Allow-Destroy: trailer in the change."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from orchestration.cli import main

INVENTORY = {"version": 1, "terraform": {"global-ecr": {"aws_ecr_repository.orders": {"encryption_configuration": None, "name": "orders"}}},
             "gitops": {"dev": {"Namespace/apps-orders": {"kind": "Namespace"}}}}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def _commit(repo: Path, inventory: dict, message: str) -> str:  # type: ignore[type-arg]
    (repo / "dist").mkdir(exist_ok=True)
    (repo / "dist/state-inventory.json").write_text(json.dumps(inventory, indent=1, sort_keys=True) + "\n")
    _git(repo, "add", "dist")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def test_a_change_losing_state_needs_the_trailer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a base revision with an ECR repository and a Namespace in the inventory
    _git(tmp_path, "init", "-q")
    base = _commit(tmp_path, INVENTORY, "base")
    monkeypatch.chdir(tmp_path)
    # WHEN a change removes both without acknowledgement THEN CI's guard exits 3 and prints the trailer to add
    _commit(tmp_path, {**INVENTORY, "terraform": {"global-ecr": {}}, "gitops": {"dev": {}}}, "remove orders")
    assert main(["guard", "--base", base]) == 3
    err = capsys.readouterr().err
    assert "Allow-Destroy: dev:Namespace/apps-orders, global-ecr:aws_ecr_repository.orders" in err
    # WHEN a commit of the change acknowledges only one THEN still 3
    (tmp_path / "note").write_text("x")
    _git(tmp_path, "add", "note")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "ack\n\nAllow-Destroy: global-ecr:*")
    assert main(["guard", "--base", base]) == 3
    capsys.readouterr()
    # WHEN another commit acknowledges the rest THEN 0, listing both as acknowledged
    (tmp_path / "note").write_text("y")
    _git(tmp_path, "add", "note")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "ack\n\nAllow-Destroy: dev:Namespace/apps-orders")
    assert main(["guard", "--base", base]) == 0
    out = capsys.readouterr().out
    assert "ACKNOWLEDGED global-ecr:aws_ecr_repository.orders: removed" in out and "all acknowledged" in out


def test_an_unchanged_inventory_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _git(tmp_path, "init", "-q")
    base = _commit(tmp_path, INVENTORY, "base")
    monkeypatch.chdir(tmp_path)
    assert main(["guard", "--base", base]) == 0
    assert "no stateful item lost" in capsys.readouterr().out
