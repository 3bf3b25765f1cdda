"""Destroy guard: refuse a synth that would delete or replace state without an explicit ack.

What holds state and what replaces it is listed here; the baseline the guard compares with is
the committed inventory (:mod:`goldenpath.inventory`), and Terraform's own plan is checked by
:mod:`goldenpath.plan_guard` before `make deploy` applies anything.

Argo CD prunes what leaves the tree and Terraform destroys what leaves a stack; a config edit
(an app file deleted, an identifier renamed) can silently take a database with it. Each
dangerous item gets a stable id; the run proceeds only when every id is acknowledged with
``--allow-destroy`` / ``ALLOW_DESTROY`` (comma-separated ids or shell-style patterns).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from goldenpath.changes import Item

# resource type -> attributes whose change forces replacement (destroy + create) of stateful things
REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws_db_instance": ("identifier", "engine", "username", "storage_encrypted", "kms_key_id", "db_name"),
    "aws_route53_zone": ("name",),
    "aws_ecr_repository": ("name", "encryption_configuration"),
    "aws_eks_cluster": ("name", "encryption_config"),
    "aws_eks_node_group": ("node_group_name", "instance_types", "capacity_type", "disk_size", "ami_type", "cluster_name"),
    "aws_s3_bucket": ("bucket",),
    "aws_secretsmanager_secret": ("name",),
    "aws_kms_key": (),
}
WHY_REMOVED = {
    "aws_db_instance": "the RDS instance and its data would be destroyed",
    "aws_route53_zone": "the hosted zone (and its delegation) would be destroyed",
    "aws_ecr_repository": "the ECR repository and its images would be deleted",
    "aws_eks_cluster": "the EKS cluster and everything on it would be destroyed",
    "aws_eks_node_group": "the node group would be destroyed (workloads evicted)",
    "aws_s3_bucket": "the bucket and its objects would be destroyed",
    "aws_secretsmanager_secret": "the secret and its stored values would be scheduled for deletion",
    "aws_kms_key": "the key would be scheduled for deletion; data encrypted with it becomes unreadable",
}
# The EKS add-on that makes the cluster's StorageClasses (stacks/cluster.py). Access entries and
# launch templates hold no state; the StorageClasses decide where every volume's data lives.
STORAGE_ADDON = "aws-ebs-csi-driver"
# StorageClass fields Kubernetes forbids changing: the add-on deletes and recreates the class.
STORAGE_CLASS_IMMUTABLE = ("parameters", "provisioner", "reclaimPolicy", "volumeBindingMode")
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


@dataclass(frozen=True, order=True)
class Danger:
    id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.id}: {self.reason}"


def _storage_classes(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    try:
        values = json.loads(body.get("configuration_values") or "{}")
    except (TypeError, ValueError):
        return {}
    classes = values.get("storageClasses") if isinstance(values, dict) else None
    return {str(c.get("name")): c for c in classes or [] if isinstance(c, dict)}


def _is_default(storage_class: dict[str, Any]) -> bool:
    return str((storage_class.get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION)).lower() == "true"


def storage_class_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why a change of the EBS CSI add-on's StorageClasses would re-provision volumes (empty list: it would not).

    A removed or recreated class (immutable fields changed) or a moved default means volumes
    provisioned from now on (a recreated StatefulSet's PVCs, a re-synced app) get a new, empty
    EBS volume of another kind, and PVCs naming a removed class stay Pending.
    """
    before, after = _storage_classes(old), _storage_classes(new)
    reasons: list[str] = []
    for name, storage_class in sorted(before.items()):
        if name not in after:
            reasons.append(f"StorageClass {name} removed: PVCs that name it stay Pending and volumes re-provisioned elsewhere start empty")
            continue
        changed = [f for f in STORAGE_CLASS_IMMUTABLE if storage_class.get(f) != after[name].get(f)]
        if changed:
            reasons.append(
                f"StorageClass {name} changes {', '.join(changed)} (immutable: the class is recreated), so volumes provisioned from it from now on differ from the existing ones"
            )
    old_default = sorted(n for n, c in before.items() if _is_default(c))
    new_default = sorted(n for n, c in after.items() if _is_default(c))
    if old_default != new_default:
        reasons.append(
            f"the default StorageClass changes ({', '.join(old_default) or 'none'} -> {', '.join(new_default) or 'none'}): PVCs without a class are provisioned from the new one, empty"
        )
    return reasons


def holds_state(application: Item, old_manifests: dict[tuple[str, str], Item]) -> str:
    """What stateful objects the removed Application owned in the previous tree."""
    spec = application.body.get("spec") or {}
    sources = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    env = application.group
    # Source paths are repo-relative (dist/gitops/<env>/...); manifest files are relative to the gitops root.
    prefixes = {f"{env}/{p.split(f'/{env}/', 1)[1]}/" for s in sources if (p := s.get("path")) and f"/{env}/" in p}
    namespace = (spec.get("destination") or {}).get("namespace")
    held: set[str] = set()
    for (item_env, _key), item in old_manifests.items():
        if item_env != env:
            continue
        in_paths = any(item.file.startswith(prefix) for prefix in prefixes)
        meta_ns = (item.body.get("metadata") or {}).get("namespace")
        if not (in_paths or (namespace and meta_ns == namespace)):
            continue
        kind = item.body.get("kind")
        if kind == "PersistentVolumeClaim" or (kind == "StatefulSet" and (item.body.get("spec") or {}).get("volumeClaimTemplates")):
            held.add("a persistent volume")
        if kind == "ExternalSecret" and _reads_database_secret(item.body):
            held.add("a PostgreSQL database")
    return " and ".join(sorted(held))


def _reads_database_secret(body: dict[str, Any]) -> bool:
    for entry in (body.get("spec") or {}).get("data") or []:
        if str((entry.get("remoteRef") or {}).get("key", "")).endswith("/postgres"):
            return True
    return False


def unacknowledged(found: list[Danger], acknowledged: list[str]) -> list[Danger]:
    patterns = [p.strip() for p in acknowledged if p.strip()]
    return [d for d in found if not any(fnmatch.fnmatchcase(d.id, p) for p in patterns)]


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
