"""What a synth changes: Terraform resources by address, manifests by kind/namespace/name.

Compares two output trees (the committed ones and freshly staged ones). Used by the summary
table, ``make diff`` and the destroy guard. Missing previous trees count as empty.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldenpath import trees
from goldenpath.verify import optimize


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
    stack_env: dict[str, str]  # stack -> env (or "global")
    old_manifests: dict[tuple[str, str], Item]  # the previous tree, for the destroy guard
    # the new trees' items (inventory.build reads them next: listed and parsed once per synth)
    new_terraform: dict[tuple[str, str], Item]
    new_manifests: dict[tuple[str, str], Item]

    @property
    def new_resources(self) -> dict[str, int]:
        """stack -> number of resources in the new tree."""
        return dict(Counter(stack for stack, _key in self.new_terraform))

    @property
    def new_objects(self) -> dict[str, int]:
        """env -> number of objects in the new tree (Helm values files are not objects)."""
        return dict(Counter(env for env, key in self.new_manifests if not key.startswith(VALUES_PREFIX)))


def terraform_items(root: Path) -> tuple[dict[tuple[str, str], Item], dict[str, str]]:
    items: dict[tuple[str, str], Item] = {}
    stack_env: dict[str, str] = {}
    for stack_file in trees.stack_files(root):
        stack = stack_file.parent.name
        document = json.loads(stack_file.read_text(encoding="utf-8"))
        stack_env[stack] = trees.stack_environment(document) or "global"
        for rtype, resources in document.get("resource", {}).items():
            for name, body in resources.items():
                items[(stack, f"{rtype}.{name}")] = Item(stack, f"{rtype}.{name}", body, str(stack_file.relative_to(root)))
    return items, stack_env


VALUES_PREFIX = "Helm values/"


def manifest_items(root: Path) -> dict[tuple[str, str], Item]:
    """Every manifest (and Helm values file) of a tree by (env, Kind/ns/name). A file with the bytes
    of one parsed already (the previous tree is mostly the staged one) is not parsed again: the
    parse cache is keyed by content (goldenpath.trees)."""
    items: dict[tuple[str, str], Item] = {}
    for env, path, rel, is_values in trees.gitops_files(root):
        docs = trees.documents(path)
        if is_values:  # Helm values change what a chart deploys: list them too
            items[(env, f"{VALUES_PREFIX}{path.stem}")] = Item(env, f"{VALUES_PREFIX}{path.stem}", docs[0] if docs else {}, rel)
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            meta = doc.get("metadata") or {}
            key = "/".join(p for p in (doc.get("kind", ""), meta.get("namespace", ""), meta.get("name", "")) if p)
            items[(env, key)] = Item(env, key, doc, rel)
    return items


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
    optimize.refresh()
    old_tf, _ = terraform_items(old_terraform)
    new_tf, stack_env = terraform_items(new_terraform)
    new_k8s = manifest_items(new_gitops)  # first: the verifier reads the staged tree next (parse cache)
    old_k8s = manifest_items(old_gitops)  # the staged tree's parses, by content
    return ChangeSet(_delta(old_tf, new_tf), _delta(old_k8s, new_k8s), stack_env, old_k8s, new_tf, new_k8s)
