"""Reading the artifact trees: the layout facts and parsing shared by the change summary
(:mod:`orchestration.changes`) and the verifier (:mod:`goldenpath.verify.artifacts`).

Parsed YAML is cached per process by (path, inode, size, mtime): the synth path reads the
staged GitOps tree twice (summary, then verifier), and parsing thousands of manifests is the
larger part of both. Callers must treat the returned documents as read-only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_cache: dict[tuple[str, int, int, int], list[Any]] = {}


def documents(path: Path) -> list[Any]:
    """Every non-empty document of a YAML (or JSON, a subset of YAML) file (raises OSError / yaml.YAMLError)."""
    stat = os.stat(path)
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    cached = _cache.get(key)
    if cached is None:
        cached = [d for d in yaml.load_all(Path(path).read_text(encoding="utf-8"), Loader=_Loader) if d is not None]
        _cache[key] = cached
    return cached


def as_list(value: Any) -> list[Any]:
    """Terraform JSON and IAM accept a single item where a list is meant."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def stack_environment(document: dict[str, Any]) -> str | None:
    """A stack's env from its AWS provider's default ``Environment`` tag (None: global)."""
    for provider in as_list(document.get("provider", {}).get("aws")):
        for tags in as_list(provider.get("default_tags")):
            env = tags.get("tags", {}).get("Environment")
            if env:
                return str(env)
    return None


def stack_files(terraform_root: Path) -> list[Path]:
    return sorted((terraform_root / "stacks").glob("*/cdk.tf.json")) if terraform_root.is_dir() else []


def gitops_files(gitops_root: Path) -> Iterator[tuple[str, Path, bool]]:
    """(env, path, is_values) of every YAML file of ``<root>/<env>/``; ``values/`` holds Helm values
    (data, not manifests); kustomization files are build instructions, not objects."""
    # Argo CD applies .yaml, .yml and .json files of a directory source (not only .yaml).
    found = [p for p in gitops_root.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()] if gitops_root.is_dir() else []
    for path in sorted(found):
        rel = path.relative_to(gitops_root)
        if len(rel.parts) < 2 or path.name in ("kustomization.yaml", "kustomization.yml"):
            continue
        yield rel.parts[0], path, rel.parts[1] == "values"
