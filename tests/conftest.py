"""Suite-wide settings: quiet jsii, point at the pinned CRDs, keep the repository root handy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("GOLDENPATH_CRDS", str((REPO.parent / "shared" / "crds").resolve()))


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """A writable copy of the embedded default config/ (tests mutate it)."""
    target = tmp_path / "config"
    shutil.copytree(REPO / "config", target)
    return target
