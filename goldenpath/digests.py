"""Content digests of the files the synth writes, shared by the parse cache (goldenpath.trees)
and the no-op stamp (orchestration.noop); only hashlib, so the no-op path stays light.

The GitOps render hashes every file it writes (:func:`content_digest`). :func:`know` keeps that
digest by the file's identity and stat (device, inode, size, mtime), which a rename into the
published tree keeps, so the stamp written after publishing does not read the whole tree again
(2,000 apps: ~94,000 files, 156 MB, 3.2 s). Any later write changes the mtime, and then
:func:`known` misses and the file is read.
"""

from __future__ import annotations

import hashlib
import os

DIGEST_SIZE = 20
_known: dict[tuple[int, int, int, int], bytes] = {}


def content_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


def read_whole(path: str | os.PathLike[str], size: int) -> bytes:
    """Every byte of a file, ``size`` (its stat) the expected length: one open, two reads, no
    buffered file object (88,518 manifest files: 0.35 s against Path.read_bytes's 0.97 s, warm).
    A file that grew since its stat is still read to its end."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        parts = [os.read(fd, size + 1)]
        while parts[-1]:
            parts.append(os.read(fd, max(size, 1 << 16)))
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 2 else b"".join(parts)


def file_digest(path: str | os.PathLike[str], size: int) -> bytes:
    """:func:`content_digest` of a file's bytes (``size``: its stat, see :func:`read_whole`)."""
    return content_digest(read_whole(path, size))


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def know(info: os.stat_result, digest: bytes) -> None:
    """``digest`` is the :func:`content_digest` of the file ``info`` was just taken of."""
    _known[_identity(info)] = digest


def known(info: os.stat_result) -> bytes | None:
    return _known.get(_identity(info))
