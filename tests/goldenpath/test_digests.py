"""goldenpath/digests.py: a remembered digest is used only while the file is the one hashed."""

from __future__ import annotations

import os
from pathlib import Path

from goldenpath import digests


def test_a_known_digest_holds_until_the_file_changes(tmp_path: Path) -> None:
    # GIVEN a file whose digest the writer remembered
    path = tmp_path / "manifest.yaml"
    path.write_bytes(b"kind: ConfigMap\n")
    digests.know(os.stat(path), digests.content_digest(path.read_bytes()))
    assert digests.known(os.stat(path)) == digests.content_digest(b"kind: ConfigMap\n")
    assert digests.file_digest(path, path.stat().st_size) == digests.content_digest(b"kind: ConfigMap\n")
    # WHEN it is rewritten with other bytes of the same size (and so another mtime)
    before = os.stat(path)
    path.write_bytes(b"kind: ConfigMaq\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    # THEN the remembered digest no longer answers, nor for a new file in its place
    assert digests.known(os.stat(path)) is None
    path.unlink()
    path.write_bytes(b"kind: ConfigMap\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 2_000_000))
    assert digests.known(os.stat(path)) is None


def test_a_file_is_read_whole_whatever_its_stat_said(tmp_path: Path) -> None:
    # GIVEN files of 0 bytes, of a few, and of more than one read's worth
    for size in (0, 5, 200_000):
        path = tmp_path / f"f{size}"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        # WHEN read with its true size, or a stale smaller or larger one (it changed since the stat)
        # THEN every byte comes back
        for stat_size in (size, 0, size // 2, size + 10):
            assert digests.read_whole(path, stat_size) == path.read_bytes()
