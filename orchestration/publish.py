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
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_PREFIX = ".goldenpath-tmp-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def staging_dir(target: Path) -> Path:
    """A fresh empty directory next to ``target`` (so the final rename stays on one filesystem),
    with the mode a plain ``mkdir`` gives (mkdtemp's 0700 would be published with the tree)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name}-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staged.chmod(0o777 & ~umask)
    return staged


@contextmanager
def exclusive(directory: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (flock on the directory itself: no lock file is left
    behind). A second synth waits up to ``timeout`` seconds, then raises :class:`Busy`."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(f"another synth is writing into {directory} (waited {timeout:.0f}s); run again when it has finished") from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)


class Busy(Exception):
    """Another synth holds the lock."""


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
