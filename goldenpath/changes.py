"""What a synth changes: Terraform resources by address, manifests by kind/namespace/name.

Compares two output trees (the committed ones and freshly staged ones). Used by the summary
table, ``make diff`` and the destroy guard. Missing previous trees count as empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldenpath import yamlfiles


@dataclass(frozen=True)
class Item:
    """A Terraform resource (``stack``, ``type.name``) or a manifest (env, Kind/ns/name)."""

    group: str  # stack name, or environment for manifests
    key: str
    body: Any
    file: str


@dataclass
class Delta:
    added: list[Item] = field(default_factory=list)
    changed: list[tuple[Item, Item]] = field(default_factory=list)  # (old, new)
    removed: list[Item] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass
class ChangeSet:
    terraform: Delta
    gitops: Delta
    new_resources: dict[str, int]  # stack -> count
    new_objects: dict[str, int]  # env -> count
    stack_env: dict[str, str]  # stack -> env (or "global")
    old_manifests: dict[tuple[str, str], Item]  # the previous tree, for the destroy guard


def terraform_items(root: Path) -> tuple[dict[tuple[str, str], Item], dict[str, str]]:
    items: dict[tuple[str, str], Item] = {}
    stack_env: dict[str, str] = {}
    for stack_file in sorted((root / "stacks").glob("*/cdk.tf.json")) if root.is_dir() else []:
        stack = stack_file.parent.name
        document = json.loads(stack_file.read_text(encoding="utf-8"))
        stack_env[stack] = _stack_env(document)
        for rtype, resources in document.get("resource", {}).items():
            for name, body in resources.items():
                items[(stack, f"{rtype}.{name}")] = Item(stack, f"{rtype}.{name}", body, str(stack_file.relative_to(root)))
    return items, stack_env


VALUES_PREFIX = "Helm values/"


def manifest_items(root: Path) -> dict[tuple[str, str], Item]:
    items: dict[tuple[str, str], Item] = {}
    for path in sorted(root.rglob("*.yaml")) if root.is_dir() else []:
        rel = path.relative_to(root)
        if len(rel.parts) < 2 or path.name == "kustomization.yaml":
            continue
        if rel.parts[1] == "values":  # Helm values change what a chart deploys: list them too
            docs = yamlfiles.documents(path)
            items[(rel.parts[0], f"{VALUES_PREFIX}{path.stem}")] = Item(rel.parts[0], f"{VALUES_PREFIX}{path.stem}", docs[0] if docs else {}, str(rel))
            continue
        for doc in yamlfiles.documents(path):
            if not isinstance(doc, dict):
                continue
            meta = doc.get("metadata") or {}
            key = "/".join(p for p in (doc.get("kind", ""), meta.get("namespace", ""), meta.get("name", "")) if p)
            items[(rel.parts[0], key)] = Item(rel.parts[0], key, doc, str(rel))
    return items


def _stack_env(document: dict[str, Any]) -> str:
    providers = document.get("provider", {}).get("aws", [])
    for provider in providers if isinstance(providers, list) else [providers]:
        for tags in provider.get("default_tags", []):
            env = tags.get("tags", {}).get("Environment")
            if env:
                return str(env)
    return "global"


def _delta(old: dict[tuple[str, str], Item], new: dict[tuple[str, str], Item]) -> Delta:
    delta = Delta()
    for key in sorted(new.keys() - old.keys()):
        delta.added.append(new[key])
    for key in sorted(old.keys() - new.keys()):
        delta.removed.append(old[key])
    for key in sorted(old.keys() & new.keys()):
        if old[key].body != new[key].body:
            delta.changed.append((old[key], new[key]))
    return delta


def compare(old_terraform: Path, new_terraform: Path, old_gitops: Path, new_gitops: Path) -> ChangeSet:
    old_tf, _ = terraform_items(old_terraform)
    new_tf, stack_env = terraform_items(new_terraform)
    old_k8s, new_k8s = manifest_items(old_gitops), manifest_items(new_gitops)
    resources: dict[str, int] = {}
    for stack, _key in new_tf:
        resources[stack] = resources.get(stack, 0) + 1
    objects: dict[str, int] = {}
    for env, key in new_k8s:
        if not key.startswith(VALUES_PREFIX):
            objects[env] = objects.get(env, 0) + 1
    return ChangeSet(_delta(old_tf, new_tf), _delta(old_k8s, new_k8s), resources, objects, stack_env, old_k8s)
