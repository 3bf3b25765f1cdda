"""Snapshot of every stack's Terraform JSON (security properties are asserted in the per-stack tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from tests.stacks.test_base import ALL


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("name", ALL)
def test_stack_json(stack, json_snapshot, name: str) -> None:
    assert stack(name) == json_snapshot


def test_synth_is_deterministic(synth_dir: Path, default_config, tmp_path: Path) -> None:
    # GIVEN a second synthesis of the same config in the same process
    from tests.stacks.conftest import synth

    again = synth(default_config, tmp_path / "cdktf.out")
    # THEN every file is byte-identical
    first = {p.relative_to(synth_dir): p.read_bytes() for p in sorted(synth_dir.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert first == second
