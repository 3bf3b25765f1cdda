"""Parsed YAML files, cached per process by (path, inode, size, mtime).

The synth path reads the staged GitOps tree twice (the change summary, then the verifier);
parsing thousands of manifests is the larger part of both, so the second read is free.
Callers must treat the returned documents as read-only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_cache: dict[tuple[str, int, int, int], list[Any]] = {}


def documents(path: Path) -> list[Any]:
    """Every non-empty document of a YAML file (raises OSError / yaml.YAMLError)."""
    stat = os.stat(path)
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    cached = _cache.get(key)
    if cached is None:
        cached = [d for d in yaml.load_all(Path(path).read_text(encoding="utf-8"), Loader=_Loader) if d is not None]
        _cache[key] = cached
    return cached
