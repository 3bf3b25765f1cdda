"""Suite-wide settings: quiet jsii, point at the pinned CRDs and charts, keep the repository root handy."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from goldenpath import fastimport

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("GOLDENPATH_CRDS", str((REPO.parent / "shared" / "crds").resolve()))
os.environ.setdefault("GOLDENPATH_CHARTS", str((REPO.parent / "shared" / "charts").resolve()))
# What every synth does before jsii starts (this session's in-process synths included): the
# providers' Python submodules and their JavaScript entry modules load lazily.
fastimport.install()
# The no-op synth's stamps (orchestration/noop.py) of this run's synths, not the checkout's.
os.environ.setdefault("GOLDENPATH_STAMP_DIR", tempfile.mkdtemp(prefix="goldenpath-stamps-"))


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """A writable copy of the embedded default config/ (tests mutate it)."""
    target = tmp_path / "config"
    shutil.copytree(REPO / "config", target)
    return target


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default config rendered once per session by the real `synth` path (both halves,
    verified, published): ``<dir>/cdktf.out``, ``<dir>/gitops``, ``<dir>/PLATFORM.md``."""
    from orchestration.cli import main

    root = tmp_path_factory.mktemp("synthesized")
    code = main(
        ["synth", "--config", str(REPO / "config"), "--terraform-out", str(root / "cdktf.out"),
         "--gitops-out", str(root / "gitops"), "--platform-doc", str(root / "PLATFORM.md")]
    )
    assert code == 0, "synth of the default config failed"
    return root


@pytest.fixture
def artifact_copy(synthesized: Path, tmp_path: Path) -> Path:
    """A private, mutable copy of the synthesized trees."""
    target = tmp_path / "artifacts"
    shutil.copytree(synthesized, target)
    return target
