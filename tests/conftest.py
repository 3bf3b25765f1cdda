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

# Where tmp_path lives: the suite creates ~78,000 files (real synths, tree copies, kill trials),
# which cost ~1 ms each on this machine's disk and ~0.05 ms in memory (a copy of the default
# platform's 415 files: 0.50-0.59 s on /tmp, 0.03 s on /dev/shm; the kill trial and the deploy
# corpus: 43.8 s -> 26.6 s). So tmp_path goes to a tmpfs with room for a run (~0.5 GB; only the
# failed tests' directories are kept, pyproject.toml) unless the user chose a root
# (PYTEST_DEBUG_TEMPROOT, pytest's own variable) or a --basetemp. GOLDENPATH_TEST_TMP=disk keeps
# the default. Nothing measured by `make bench` runs here: its synths write to disk.
TMPFS_ROOT, TMPFS_NEEDS_BYTES = Path("/dev/shm"), 2 << 30


def _tmpfs_with_room(root: Path) -> bool:
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
        return any(line.split()[1:3] == [str(root), "tmpfs"] for line in mounts) and shutil.disk_usage(root).free >= TMPFS_NEEDS_BYTES
    except (OSError, IndexError):
        return False


if "PYTEST_DEBUG_TEMPROOT" not in os.environ and os.environ.get("GOLDENPATH_TEST_TMP") != "disk" and _tmpfs_with_room(TMPFS_ROOT):
    os.environ["PYTEST_DEBUG_TEMPROOT"] = str(TMPFS_ROOT)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first (stable otherwise). `make test`'s two workers (pytest-xdist, ``--dist
    load --maxschedchunk 1``) are handed tests one at a time in this order, so the slow ones are
    shared between them, the last ones to start are short, and neither worker idles while the
    other finishes a long one."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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
