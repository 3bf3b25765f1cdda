"""Build a directory the way Argo CD does before it applies it.

Argo CD (repo-server, ``util/app/discovery``): a source directory holding ``kustomization.yaml``,
``kustomization.yml`` or ``Kustomization`` is a Kustomize application (``kustomize build``, then
the Application's ``spec.source.kustomize.images`` are applied, as ``kustomize edit set image``
does); any other directory is a plain directory source: every ``*.yaml``, ``*.yml`` and ``*.json``
file, only the top level unless ``directory.recurse`` is true.

The Kustomize subset here is the one the generator writes (``resources`` of files and of
directories with their own kustomization, ``images``, ``namespace``); any other field is refused
as a build error instead of being silently skipped, and ``tests/goldenpath/verify/test_kustomize.py``
checks the result against the real ``kubectl kustomize`` wherever it is installed. Each built
object keeps the file it came from, so violations still name a file.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from goldenpath import trees

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, the safe constructor
SUPPORTED = {"apiVersion", "kind", "resources", "images", "namespace"}


class BuildError(Exception):
    """Argo CD would fail to build this source (the sync fails with ComparisonError)."""


@dataclass
class Built:
    objects: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)  # (source file, object)


def kustomization_file(directory: Path) -> Path | None:
    return next((directory / n for n in KUSTOMIZATION_FILES if (directory / n).is_file()), None)


def read_documents(path: Path) -> list[Any]:
    """Documents of one manifest file: JSON for ``.json``, multi-document YAML otherwise."""
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, list) else [data]
    return trees.documents(path)


def build(directory: Path, images: list[Any] | None = None) -> Built:
    """``kustomize build <directory>`` plus Argo CD's image overrides; raises BuildError."""
    built = Built(list(_build(directory, set())))
    for override in images or []:
        _apply_images(built, [_parse_override(override)])
    return built


def _build(directory: Path, seen: set[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    kfile = kustomization_file(directory)
    if kfile is None:
        raise BuildError(f"{directory}: no kustomization file")
    real = kfile.resolve()
    if real in seen:
        raise BuildError(f"{kfile}: cycle in resources")
    seen = seen | {real}
    try:
        specs = trees.documents(kfile)  # parsed once per synth (the render hands its own over)
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"{kfile}: cannot parse ({str(exc).splitlines()[0]})") from None
    if len(specs) > 1:
        raise BuildError(f"{kfile}: cannot parse (expected a single document in the stream)")
    spec = specs[0] if specs else {}
    if not isinstance(spec, dict):
        raise BuildError(f"{kfile}: must be a mapping")
    unsupported = sorted(set(spec) - SUPPORTED)
    if unsupported:
        raise BuildError(f"{kfile}: fields the verifier cannot build: {', '.join(unsupported)}")
    objects: list[tuple[Path, dict[str, Any]]] = []
    real_directory = directory.resolve()
    for entry in spec.get("resources") or []:
        target = _resolved(directory, real_directory, str(entry))
        if target.is_dir():
            objects.extend(_build(target, seen))
        elif target.is_file():
            try:
                docs = read_documents(target)
            except (OSError, ValueError, yaml.YAMLError) as exc:
                raise BuildError(f"{target}: cannot parse ({str(exc).splitlines()[0]})") from None
            objects.extend((target, _copy(d)) for d in docs if isinstance(d, dict))
        else:
            raise BuildError(f"{kfile}: resource {entry!r} does not exist")
    if spec.get("namespace"):
        for _path, obj in objects:
            if obj.get("kind") not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = spec["namespace"]
    result = Built(objects)
    _apply_images(result, [_parse_override(i) for i in spec.get("images") or []])
    return iter(result.objects)


def _resolved(directory: Path, real_directory: Path, entry: str) -> Path:
    """``(directory / entry).resolve()``; for a plain file name that is no symlink, without
    resolving the directory again for every entry (74,000 entries at 2,000 apps)."""
    if entry and "/" not in entry and entry not in (".", ".."):
        candidate = real_directory / entry
        if not candidate.is_symlink():
            return candidate
    return (directory / entry).resolve()


def _copy(value: Any) -> Any:
    """A deep copy of parsed YAML (mappings, sequences, scalars): what copy.deepcopy makes of it,
    without its memo (a third of the verifier's load at 500 apps); YAML aliases become copies, as
    kustomize expands them."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return copy.deepcopy(value)  # dates and other YAML scalars


# The kinds the generator writes that are cluster-scoped (kustomize's namespace: leaves them).
CLUSTER_SCOPED = {"Namespace", "ClusterIssuer", "ClusterSecretStore", "KongClusterPlugin", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass"}


def _parse_override(entry: Any) -> dict[str, str]:
    """An ``images:`` entry (mapping) or an Argo CD override string ``name[=newName][:tag|@digest]``."""
    if isinstance(entry, dict):
        return {k: str(v) for k, v in entry.items() if v is not None}
    text = str(entry)
    name, _, rest = text.partition("=")
    out: dict[str, str] = {"name": name}
    target = rest or ""
    if "@" in target:
        target, out["digest"] = target.split("@", 1)
    elif ":" in target.rsplit("/", 1)[-1]:
        target, out["newTag"] = target.rsplit(":", 1)
    if target:
        out["newName"] = target
    return out


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference."""
    name, _, digest = image.partition("@")
    tag = ""
    if ":" in name.rsplit("/", 1)[-1]:
        name, tag = name.rsplit(":", 1)
    return name, tag, digest


def _apply_images(built: Built, overrides: list[dict[str, str]]) -> None:
    if not overrides:
        return
    for _path, obj in built.objects:
        for container in _containers(obj):
            name, tag, digest = split_image(str(container.get("image", "")))
            for override in overrides:
                if override.get("name") != name:
                    continue
                new_name = override.get("newName", name)
                if override.get("digest"):
                    container["image"] = f"{new_name}@{override['digest']}"
                elif override.get("newTag"):
                    container["image"] = f"{new_name}:{override['newTag']}"
                else:
                    container["image"] = new_name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
                break


def _containers(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = obj.get("spec") or {}
    template = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") if obj.get("kind") == "CronJob" else spec.get("template")
    pod = (template or {}).get("spec") if isinstance(template, dict) else (spec if obj.get("kind") == "Pod" else None)
    for key in ("containers", "initContainers"):
        for container in (pod or {}).get(key) or []:
            if isinstance(container, dict):
                yield container
