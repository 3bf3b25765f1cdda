"""Destroy guard: refuse a synth that would delete or replace state without an explicit ack.

What holds state and what replaces it is listed here; the baseline the guard compares with is
the committed inventory (:mod:`orchestration.inventory`), and Terraform's own plan is checked by
:mod:`orchestration.plan_guard` before `make deploy` applies anything.

Argo CD prunes what leaves the tree and Terraform destroys what leaves a stack; a config edit
(an app file deleted, an identifier renamed) can silently take a database with it. Each
dangerous item gets a stable id; the run proceeds only when every id is acknowledged with
``--allow-destroy`` / ``ALLOW_DESTROY`` (comma-separated ids or shell-style patterns).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from goldenpath.verify import optimize
from orchestration.changes import ChangeSet, Item

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
    # The network: a new CIDR or AZ replaces the VPC / subnet, and with it every ENI, node, RDS
    # subnet group and load balancer in it (a region change moves every subnet's AZ).
    "aws_vpc": ("cidr_block",),
    "aws_subnet": ("cidr_block", "availability_zone", "vpc_id"),
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
    "aws_vpc": "the VPC and everything in it (nodes, RDS, load balancers) would be destroyed and recreated",
    "aws_subnet": "the subnet and the nodes, RDS instances and load balancers in it would be destroyed and recreated",
}
# How to make such a change without losing data (printed with the danger).
PROCEDURE = {
    "aws_vpc": "add the new range as a second environment or a secondary CIDR first, migrate, then remove the old one",
    "aws_subnet": "add the new subnets/AZs next to the old ones first, move node groups and the RDS subnet group, then remove the old ones",
    "volume-size": "volumeClaimTemplates are immutable: resize each PVC (kubectl patch pvc ... storage), then `kubectl delete statefulset --cascade=orphan` and let Argo CD recreate it",
    "database-rename": "the secret keeps its first username/dbname (ignore_changes) and the provisioning Job then fails for the env: create the new database next to the old one, copy the data, update the secret's username and dbname, then remove the old",
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


def change_dangers(
    changes: ChangeSet, chart_volumes: frozenset[tuple[str, str]] | Callable[[], frozenset[tuple[str, str]]] = frozenset()
) -> list[Danger]:
    """What the change from the previous outputs destroys or replaces: beside the committed
    inventory's view (orchestration.inventory.dangers, which works on a fresh clone), the checks
    that need the previous trees themselves (database renames through the secret's keys,
    volumeClaimTemplates, StatefulSets that lose their volumes, charts that render volumes).
    ``chart_volumes``: (env, Application name) whose chart renders PVCs or volumeClaimTemplates, or
    the function that finds them (called only when an Application is removed: it renders every
    chart of the previous trees)."""
    found: list[Danger] = []
    for item in changes.terraform.removed:
        rtype = item.key.split(".", 1)[0]
        if rtype in WHY_REMOVED:
            found.append(Danger(f"{item.group}:{item.key}", f"removed: {WHY_REMOVED[rtype]}"))
    for old, new in changes.terraform.changed:
        rtype = old.key.split(".", 1)[0]
        for attribute in REPLACE_ON_CHANGE.get(rtype, ()):
            if old.body.get(attribute) != new.body.get(attribute):
                procedure = f"; safe procedure: {PROCEDURE[rtype]}" if rtype in PROCEDURE else ""
                found.append(
                    Danger(
                        f"{old.group}:{old.key}",
                        f"{attribute} changes ({short(old.body.get(attribute))} -> {short(new.body.get(attribute))}), which forces replacement: {WHY_REMOVED[rtype]}{procedure}",
                    )
                )
        if rtype == "aws_secretsmanager_secret_version":
            before, after = _json(old.body.get("secret_string")), _json(new.body.get("secret_string"))
            renamed = [k for k in ("dbname", "username") if k in before and before.get(k) != after.get(k)]
            if renamed:
                found.append(Danger(f"{old.group}:{old.key}", f"database rename ({', '.join(f'{k} {before[k]} -> {after.get(k)}' for k in renamed)}): {PROCEDURE['database-rename']}"))
    for item in changes.terraform.removed:
        if item.key.startswith("aws_eks_addon.") and item.body.get("addon_name") == STORAGE_ADDON:
            found.append(Danger(f"{item.group}:{item.key}", "removed: no StorageClass and no EBS CSI driver; volumes can no longer be provisioned or attached"))
    for old, new in changes.terraform.changed:
        if old.key.startswith("aws_eks_addon.") and old.body.get("addon_name") == STORAGE_ADDON:
            reasons = storage_class_changes(old.body, new.body)
            if reasons:
                found.append(Danger(f"{old.group}:{old.key}", "; ".join(reasons)))
    removed_k8s = changes.gitops.removed
    # an Application that goes away is listed itself; its StatefulSets are not listed again
    removed_dirs = tuple(p for item in removed_k8s if item.body.get("kind") == "Application" for p in _source_prefixes(item))
    state_index: StateIndex | None = None  # built on the first removed Application
    for item in removed_k8s:
        kind = item.body.get("kind")
        if kind == "Namespace":
            found.append(Danger(f"{item.group}:{item.key}", "removed: Argo CD would prune the namespace and every object in it"))
        elif kind == "Application":
            state_index = state_index or StateIndex(changes.old_manifests)
            state = holds_state(item, changes.old_manifests, state_index)
            if state:
                found.append(Danger(f"{item.group}:{item.key}", f"removed: the Application owns {state}; pruning it loses that state"))
        elif kind == "PersistentVolumeClaim":
            found.append(Danger(f"{item.group}:{item.key}", "removed: the volume's data would be deleted"))
        elif kind == "StatefulSet" and (item.body.get("spec") or {}).get("volumeClaimTemplates") and not item.file.startswith(removed_dirs):
            found.append(Danger(f"{item.group}:{item.key}", "removed (stateful -> stateless?): its volumes are orphaned and a recreated app starts empty"))
        if kind == "Application" and callable(chart_volumes):
            chart_volumes = chart_volumes()
        if kind == "Application" and (item.group, (item.body.get("metadata") or {}).get("name")) in cast(frozenset[tuple[str, str]], chart_volumes):
            found.append(Danger(f"{item.group}:{item.key}", "removed: its chart creates persistent volumes (PVCs / volumeClaimTemplates); pruning it loses their data"))
    for old, new in changes.gitops.changed:
        if old.body.get("kind") == "StatefulSet" and _claims(old.body) != _claims(new.body) and _claims(old.body):
            found.append(Danger(f"{old.group}:{old.key}", f"volumeClaimTemplates change ({short(_claims(old.body))} -> {short(_claims(new.body))}): Argo CD's sync fails (the field is immutable); {PROCEDURE['volume-size']}"))
    return sorted(set(found))


def _claims(body: dict[str, Any]) -> dict[str, Any]:
    return {str((t.get("metadata") or {}).get("name")): (t.get("spec") or {}) for t in (body.get("spec") or {}).get("volumeClaimTemplates") or []}


def _json(text: Any) -> dict[str, Any]:
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def chart_volume_owners(terraform: Path, gitops: Path) -> frozenset[tuple[str, str]]:
    """(env, Application) whose chart, rendered from the published trees, creates volumes."""
    from goldenpath.verify.artifacts import load  # noqa: PLC0415 (jsii-free, but heavy: only when synth runs)
    from goldenpath.verify.charts import rendered  # noqa: PLC0415

    try:
        artifacts = load(terraform, gitops)
    except Exception:  # noqa: BLE001 - no previous trees (first synth) or unreadable ones: nothing to protect
        return frozenset()
    owners: set[tuple[str, str]] = set()
    for env in artifacts.environments:
        for release, obj in rendered(artifacts, env):
            if obj.get("kind") == "PersistentVolumeClaim" or (obj.get("kind") == "StatefulSet" and (obj.get("spec") or {}).get("volumeClaimTemplates")):
                owners.add((env, release.owner.name))
    return frozenset(owners)


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


def _source_prefixes(application: Item) -> set[str]:
    """Gitops-root-relative directories (with a final /) the Application syncs."""
    spec = application.body.get("spec") or {}
    sources = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    env = application.group
    # Source paths are repo-relative (dist/gitops/<env>/...); manifest files are relative to the gitops root.
    return {f"{env}/{p.split(f'/{env}/', 1)[1]}/" for s in sources if (p := s.get("path")) and f"/{env}/" in p}


def holds_state(application: Item, old_manifests: dict[tuple[str, str], Item], index: StateIndex | None = None) -> str:
    """What stateful objects the removed Application owned in the previous tree. ``index``
    (a :class:`StateIndex` of ``old_manifests``) makes it a lookup instead of a scan of the tree:
    asked for every Application, the scan was quadratic in the number of apps."""
    if index is not None and optimize.enabled():
        return index.holds(application)
    spec = application.body.get("spec") or {}
    env = application.group
    prefixes = _source_prefixes(application)
    namespace = (spec.get("destination") or {}).get("namespace")
    held: set[str] = set()
    for (item_env, _key), item in old_manifests.items():
        if item_env != env:
            continue
        in_paths = any(item.file.startswith(prefix) for prefix in prefixes)
        meta_ns = (item.body.get("metadata") or {}).get("namespace")
        if not (in_paths or (namespace and meta_ns == namespace)):
            continue
        held |= _state_of(item)
    return " and ".join(sorted(held))


def _state_of(item: Item) -> set[str]:
    kind = item.body.get("kind")
    held: set[str] = set()
    if kind == "PersistentVolumeClaim" or (kind == "StatefulSet" and (item.body.get("spec") or {}).get("volumeClaimTemplates")):
        held.add("a persistent volume")
    if kind == "ExternalSecret" and _reads_database_secret(item.body):
        held.add("a PostgreSQL database")
    return held


class StateIndex:
    """The stateful objects of a tree by (env, namespace) and by (env, every ancestor directory):
    what :func:`holds_state` finds by scanning, found by lookups (a source prefix ends in ``/``, so
    ``file.startswith(prefix)`` is "prefix is an ancestor directory of file")."""

    def __init__(self, manifests: dict[tuple[str, str], Item]):
        self.by_namespace: dict[tuple[str, str], set[str]] = {}
        self.by_directory: dict[tuple[str, str], set[str]] = {}
        for (env, _key), item in manifests.items():
            if not isinstance(item.body, dict) or not (held := _state_of(item)):
                continue
            meta_ns = (item.body.get("metadata") or {}).get("namespace")
            if meta_ns:
                self.by_namespace.setdefault((env, meta_ns), set()).update(held)
            at = item.file.find("/")
            while at != -1:
                self.by_directory.setdefault((env, item.file[: at + 1]), set()).update(held)
                at = item.file.find("/", at + 1)

    def holds(self, application: Item) -> str:
        spec = application.body.get("spec") or {}
        env = application.group
        namespace = (spec.get("destination") or {}).get("namespace")
        held: set[str] = set()
        for prefix in _source_prefixes(application):
            held |= self.by_directory.get((env, prefix), set())
        if namespace:
            held |= self.by_namespace.get((env, namespace), set())
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
