"""Serialize Sections into files: one YAML document per file, sorted keys, collision-proof names.

cdk8s's own ``FILE_PER_RESOURCE`` writer overwrites same-named resources from different charts
(DESIGN §2 traps), so files are written here: ``<directory>/<kind>-<name>.yaml`` and, when two
objects in one directory share kind and name, ``<kind>-<namespace>-<name>.yaml``. A duplicate
that even the namespace cannot separate is a bug and raises.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cdk8s_app.layout import Section

_Base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml is ~10x faster


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    """Multi-line strings (scripts, Lua health checks, dashboard JSON) as literal block scalars,
    so `git diff dist/` shows them line by line. The emitter falls back to a quoted scalar by
    itself where a block cannot hold the text (trailing spaces, control characters)."""


def _str(dumper: Any, value: str) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=1 << 16)


@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to the env directory, e.g. platform/issuers/clusterissuer-letsencrypt-prod.yaml
    obj: dict[str, Any]


def objects(section: Section) -> list[dict[str, Any]]:
    """Every ApiObject under the Section (including nested constructs and charts); the order is
    cdk8s's (files are named and sorted below, so it never shows)."""
    return section.manifests(final=True)


def section_files(section: Section) -> list[RenderedFile]:
    objs = objects(section)
    key = Counter((o["kind"].lower(), o["metadata"]["name"]) for o in objs)
    files: dict[str, RenderedFile] = {}
    for obj in objs:
        kind, name = obj["kind"].lower(), obj["metadata"]["name"]
        namespace = obj["metadata"].get("namespace")
        stem = f"{kind}-{namespace}-{name}" if key[(kind, name)] > 1 and namespace else f"{kind}-{name}"
        path = f"{section.directory}/{stem}.yaml"
        if path in files:
            raise ValueError(f"two objects would be written to {path}: {kind} {namespace}/{name}")
        files[path] = RenderedFile(path, obj)
    return [files[p] for p in sorted(files)]


def kustomization(resources: list[str], images: list[dict[str, str]] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": sorted(resources)}
    if images:
        doc["images"] = images
    return doc


def write(root: Path, relpath: str, data: Any, header: str = "") -> bytes:
    """Write the file; returns its bytes."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    content = (header + dump(data)).encode("utf-8")
    path.write_bytes(content)
    return content
