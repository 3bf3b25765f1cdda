"""The destroy guard's committed baseline: ``dist/state-inventory.json``.

Everything that holds state, per stack and per environment, with the attributes whose change
replaces it: RDS instances, the hosted zone, ECR repositories, the EKS cluster and its node
groups, buckets, secrets, KMS keys, the EBS CSI add-on (its StorageClasses), and on the GitOps
side Namespaces, PersistentVolumeClaims and the Applications that own a database or a volume.

`make synth` writes it next to the tree and it is committed, so the guard compares against what
is in git, not against whichever CLI last wrote ``cdktf.out/``: it works on a fresh clone, in CI,
after ``npx cdktf synth`` and after ``rm -rf cdktf.out``. The file is small and deterministic
(sorted keys, no timestamps) so its diff is what a reviewer reads when state goes away.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from goldenpath.verify import optimize
from orchestration import guard
from orchestration.changes import ChangeSet, Item, manifest_items, terraform_items
from orchestration.guard import Danger
from orchestration.outputs import INVENTORY_FILE, default_inventory

VERSION = 1
FILE_NAME = INVENTORY_FILE
Inventory = dict[str, Any]


def default_path(gitops_out: Path) -> Path:
    """``dist/state-inventory.json`` for ``dist/gitops``: beside the tree it describes."""
    return default_inventory(gitops_out)


def _terraform_entry(item: Item) -> dict[str, Any] | None:
    rtype = item.key.split(".", 1)[0]
    if rtype in guard.WHY_REMOVED:
        return {attribute: item.body.get(attribute) for attribute in guard.REPLACE_ON_CHANGE[rtype]}
    if rtype == "aws_eks_addon" and item.body.get("addon_name") == guard.STORAGE_ADDON:
        return {"addon_name": guard.STORAGE_ADDON, "configuration_values": item.body.get("configuration_values")}
    return None


def _gitops_entry(item: Item, manifests: dict[tuple[str, str], Item], index: guard.StateIndex | None = None) -> dict[str, Any] | None:
    kind = item.body.get("kind") if isinstance(item.body, dict) else None
    if kind in ("Namespace", "PersistentVolumeClaim"):
        return {"kind": kind}
    if kind == "Application":
        holds = guard.holds_state(item, manifests, index)
        return {"kind": kind, "holds": holds} if holds else None
    return None


def build(terraform_root: Path, gitops_root: Path, changes: ChangeSet | None = None) -> Inventory:
    """The inventory of two artifact trees (missing trees are empty); ``changes``: a comparison
    whose new trees these are, whose items are then not listed and parsed again."""
    optimize.refresh()
    if changes is not None and optimize.enabled():
        resources, stack_env, manifests = changes.new_terraform, changes.stack_env, changes.new_manifests
    else:
        (resources, stack_env), manifests = terraform_items(terraform_root), manifest_items(gitops_root)
    terraform: dict[str, dict[str, Any]] = {stack: {} for stack in stack_env}
    for (stack, address), item in resources.items():
        entry = _terraform_entry(item)
        if entry is not None:
            terraform[stack][address] = entry
    index = guard.StateIndex(manifests)  # one pass over the tree, then a lookup per Application
    gitops: dict[str, dict[str, Any]] = {}
    for (env, key), item in manifests.items():
        entry = _gitops_entry(item, manifests, index)
        if entry is not None:
            gitops.setdefault(env, {})[key] = entry
    return {"version": VERSION, "terraform": terraform, "gitops": gitops}


def dumps(inventory: Inventory) -> str:
    return json.dumps(inventory, indent=1, sort_keys=True) + "\n"


def loads(text: str, source: str) -> Inventory:
    try:
        inventory = json.loads(text)
    except ValueError as exc:
        raise InventoryError(f"{source}: not JSON ({exc}); restore it from git or delete it to rebuild it from the current trees") from exc
    if not isinstance(inventory, dict) or inventory.get("version") != VERSION:
        raise InventoryError(f"{source}: not a version-{VERSION} state inventory")
    return inventory


def read(path: Path) -> Inventory | None:
    return loads(path.read_text(encoding="utf-8"), str(path)) if path.is_file() else None


def write(inventory: Inventory, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(dumps(inventory), encoding="utf-8")
    tmp.replace(path)


class InventoryError(Exception):
    """The committed inventory cannot be read: exit 2."""


def baseline(path: Path, terraform_out: Path, gitops_out: Path) -> Inventory:
    """The committed inventory; before the first synth that wrote one, the current trees'."""
    return read(path) or build(terraform_out, gitops_out)


def dangers(old: Inventory, new: Inventory) -> list[Danger]:
    """Every stateful item of ``old`` that ``new`` removes or replaces."""
    found: list[Danger] = []
    for stack, resources in old.get("terraform", {}).items():
        after = new.get("terraform", {}).get(stack, {})
        for address, before in resources.items():
            rtype, danger_id = address.split(".", 1)[0], f"{stack}:{address}"
            current = after.get(address)
            if rtype == "aws_eks_addon":
                if current is None:
                    found.append(Danger(danger_id, "removed: no StorageClass and no EBS CSI driver; volumes can no longer be provisioned or attached"))
                elif reasons := guard.storage_class_changes(before, current):
                    found.append(Danger(danger_id, "; ".join(reasons)))
                continue
            if current is None:
                found.append(Danger(danger_id, f"removed: {guard.WHY_REMOVED[rtype]}"))
                continue
            for attribute in guard.REPLACE_ON_CHANGE.get(rtype, ()):
                if before.get(attribute) != current.get(attribute):
                    change = f"{guard.short(before.get(attribute))} -> {guard.short(current.get(attribute))}"
                    found.append(Danger(danger_id, f"{attribute} changes ({change}), which forces replacement: {guard.WHY_REMOVED[rtype]}"))
    for env, objects in old.get("gitops", {}).items():
        after = new.get("gitops", {}).get(env, {})
        for key, before in objects.items():
            if key in after:
                continue
            kind, danger_id = before.get("kind"), f"{env}:{key}"
            if kind == "Namespace":
                found.append(Danger(danger_id, "removed: Argo CD would prune the namespace and every object in it"))
            elif kind == "PersistentVolumeClaim":
                found.append(Danger(danger_id, "removed: the volume's data would be deleted"))
            else:
                found.append(Danger(danger_id, f"removed: the Application owns {before.get('holds')}; pruning it loses that state"))
    return sorted(set(found))
