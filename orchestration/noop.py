"""The no-op synth: answer "no changes" in well under a second, without starting jsii.

After a synth that rendered, guarded, verified and published, :func:`record` writes a stamp
(``.gen/synth-stamps/<arguments>.json``): the digest of every input that can change the output and the digest
of every output as written. The next synth with the same arguments first recomputes both
(:func:`unchanged`); only when both are equal does it skip the render. The key covers:

* the config directory (every file, by content);
* the code: every file of the packages pyproject.toml installs, ``main.py``, the lock files and
  tool configs at the root (``REPO_FILES``), and the installed distributions (name and version
  of every ``*.dist-info`` on ``sys.path``) and the Python and node executables;
* the pinned inputs: the CRD and chart directories (``GOLDENPATH_CRDS``/``GOLDENPATH_CHARTS``, by
  content) and every other ``GOLDENPATH_*`` variable;
* the command's own arguments (output locations, inventory, verification on or off).

The outputs are compared by content too (not mtime), so an edited, deleted or added file in
cdktf.out/ or dist/ means a full synth. Anything unreadable means "changed": the fast path can
only ever fall back to the real one, never answer from a stale stamp. ``GOLDENPATH_OPTIMIZE=0``
or ``synth --force`` skips it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import sys
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from goldenpath import digests, optimize
from goldenpath.charts import REPO
from orchestration.publish import TMP_PREFIX

# One stamp per set of arguments (output locations): two checkouts' or two tests' synths never
# read each other's. GOLDENPATH_STAMP_DIR moves them (the test suite uses a temporary one).
STAMP_DIR = Path(os.environ.get("GOLDENPATH_STAMP_DIR", REPO / ".gen" / "synth-stamps"))
STAMP_VERSION = 2  # 2: files by goldenpath.digests (blake2b), not sha256
# Root files that shape the output or the tools that make it.
REPO_FILES = (
    "main.py", "pyproject.toml", "requirements.lock", "requirements-policy.lock", "package-lock.json",
    "charts.lock", "shared.lock", "cdktf.json", "cdk8s.yaml", "policy",
)
# Variables that change neither output nor verdict (where timings go, how long to wait for the lock).
IGNORED_VARIABLES = frozenset({"GOLDENPATH_TIMINGS", "GOLDENPATH_LOCK_TIMEOUT", "GOLDENPATH_RENDER_CACHE", "GOLDENPATH_STAMP_DIR"})
SKIPPED_DIRS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})
MAX_FILE_BYTES = 256 * 2**20  # bigger than any input we pin; the loaders report such files properly


class Unhashable(Exception):
    """An input that is not a plain, reasonably sized file (a FIFO, a device, a link to
    /dev/zero): never read here; the full synth's loaders report it."""


def enabled() -> bool:
    return optimize.requested()


def code_roots(repo: Path = REPO) -> list[Path]:
    """The installed packages (pyproject's include list) and the root files: what synth runs."""
    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = sorted({p.rstrip("*") for p in patterns})
    return [repo / name for name in packages] + [repo / name for name in REPO_FILES]


def _files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root`` (or ``root`` itself), sorted, symlinks followed as the
    loaders follow them, synth's own staging leftovers skipped."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(TMP_PREFIX))
        for name in sorted(filenames):
            if not name.endswith(".pyc"):
                yield Path(dirpath, name)


def tree_digest(paths: Iterable[Path]) -> str:
    """sha256 over (relative path, content digest) of every file under each of ``paths``; a missing path
    counts as a distinct value, so deleting an output changes the digest."""
    digest = hashlib.sha256()
    for root in paths:
        digest.update(f"\0root\0{root}\0".encode())
        if not root.exists():
            digest.update(b"\0missing\0")
            continue
        for path in _files(root):
            digest.update(f"\0file\0{path.relative_to(root) if path != root else ''}\0".encode())
            digest.update(_file_digest(path))
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    info = os.stat(path)  # follows links, as the loaders do; stat never blocks on a FIFO
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        raise Unhashable(str(path))
    known = digests.known(info)  # written by this process's render, unchanged since
    if known is not None:
        return known
    return digests.file_digest(path, info.st_size)  # at most MAX_FILE_BYTES in memory


def _distributions() -> list[str]:
    """Name-version of every installed distribution (the venv from requirements.lock)."""
    names: set[str] = set()
    for entry in sys.path:
        try:
            names.update(n for n in os.listdir(entry or ".") if n.endswith(".dist-info"))
        except OSError:
            continue
    return sorted(names)


def _executable(name: str | None) -> list[Any]:
    path = shutil.which(name) if name else None
    if path is None:
        return [name, None]
    real = os.path.realpath(path)
    stat = os.stat(real)
    return [real, stat.st_size, stat.st_mtime_ns]


def input_key(config: Path, arguments: dict[str, Any], code: list[Path] | None = None) -> str | None:
    """The digest of everything that can change what synth writes or whether it may write it;
    None when an input cannot be hashed safely (then synth renders, and its loaders report it)."""
    try:
        return _input_key(config, arguments, code)
    except (Unhashable, OSError):
        return None


def _input_key(config: Path, arguments: dict[str, Any], code: list[Path] | None) -> str:
    variables = {k: v for k, v in sorted(os.environ.items()) if k.startswith("GOLDENPATH_") and k not in IGNORED_VARIABLES}
    pinned = [Path(os.environ[k]) for k in ("GOLDENPATH_CRDS", "GOLDENPATH_CHARTS") if os.environ.get(k)]
    parts = {
        "version": STAMP_VERSION,
        "arguments": {k: str(v) for k, v in sorted(arguments.items())},
        "variables": variables,
        "python": [sys.version, sys.executable, sys.flags.optimize],
        "node": _executable("node"),
        "distributions": _distributions(),
        "config": tree_digest([config.absolute()]),
        "code": tree_digest(code if code is not None else code_roots()),
        "pinned": tree_digest([p.absolute() for p in pinned]),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def stamp_path(arguments: dict[str, Any]) -> Path:
    name = hashlib.sha256(json.dumps({k: str(v) for k, v in sorted(arguments.items())}).encode()).hexdigest()[:24]
    return STAMP_DIR / f"{name}.json"


def unchanged(key: str, outputs: list[Path], stamp: Path) -> dict[str, Any] | None:
    """The stamp when ``key`` and the outputs' content are what the last synth recorded, else None."""
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("key") != key:
            return None
        return recorded if recorded.get("outputs") == tree_digest(outputs) else None
    except (OSError, ValueError, AttributeError, Unhashable):
        return None


def record(key: str, outputs: list[Path], notes: str, stamp: Path) -> None:
    """Write the stamp atomically after a published synth (``notes``: what synth printed that
    the no-op answer repeats, e.g. the secrets to fill in); a stamp that cannot be written is skipped."""
    partial = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"key": key, "outputs": tree_digest(outputs), "notes": notes}, sort_keys=True), encoding="utf-8")
        os.replace(partial, stamp)
    except (OSError, Unhashable):  # the stamp only saves time: without it the next synth renders
        partial.unlink(missing_ok=True)


def forget(stamp: Path) -> None:
    """Before a render that may publish: a synth interrupted after swapping the trees must not
    leave the previous stamp behind (it could not match the new outputs anyway; belt and braces)."""
    stamp.unlink(missing_ok=True)
