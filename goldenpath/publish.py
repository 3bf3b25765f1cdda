"""Atomic replacement of output trees.

Argo CD prunes whatever disappears from ``dist/gitops/``; a half-written tree is an outage.
Trees are rendered into a sibling temporary directory (same filesystem) and swapped in with
Linux ``renameat2(RENAME_EXCHANGE)``: at every instant the target path holds either the whole
old tree or the whole new one. Leftovers of an interrupted run are removed by the next run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from pathlib import Path

TMP_PREFIX = ".goldenpath-tmp-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def staging_dir(target: Path) -> Path:
    """A fresh empty directory next to ``target`` (so the final rename stays on one filesystem)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name}-", dir=target.parent))


def clean_leftovers(target: Path) -> None:
    """Remove staging directories an interrupted run left beside ``target``."""
    parent = target.parent
    if not parent.is_dir():
        return
    for stale in parent.glob(f"{TMP_PREFIX}{target.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)


def replace_tree(staged: Path, target: Path) -> None:
    """Make ``staged`` visible as ``target`` in one step and delete the previous tree."""
    _fsync_tree(staged)
    if target.exists():
        if _libc.renameat2(_AT_FDCWD, os.fsencode(staged), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"atomic exchange of {target} failed: {os.strerror(err)}")
        shutil.rmtree(staged)  # now holds the previous tree
    else:
        os.rename(staged, target)
    _fsync_dir(target.parent)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:  # pragma: no cover - a directory we just made cannot vanish
        if exc.errno == errno.ENOENT:
            return
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
