"""Destroy guard on small synthetic trees (the real-config trial is in tests/test_synth.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from orchestration import guard, inventory
from orchestration.changes import compare

RDS = {"identifier": "goldenpath-dev-postgres", "engine": "postgres", "instance_class": "db.t4g.medium", "tags": {"a": "1"}}
NODES = {"node_group_name": "general", "instance_types": ["t3.large"], "scaling_config": [{"min_size": 2}]}


def _tf(root: Path, stacks: dict[str, dict[str, dict[str, Any]]]) -> Path:
    for stack, resources in stacks.items():
        doc = {"provider": {"aws": [{"default_tags": [{"tags": {"Environment": stack.split("-")[0]}}]}]}, "resource": resources}
        (root / "stacks" / stack).mkdir(parents=True)
        (root / "stacks" / stack / "cdk.tf.json").write_text(json.dumps(doc))
    return root


def _k8s(root: Path, files: dict[str, dict[str, Any]]) -> Path:
    for rel, obj in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(yaml.safe_dump(obj))
    return root


def _app(name: str, path: str) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": name, "namespace": "argocd"},
            "spec": {"sources": [{"repoURL": "https://x", "path": path}], "destination": {"namespace": f"apps-{name}"}}}


STATEFUL = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "orders", "namespace": "apps-orders"},
            "spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}}]}}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "apps-web"}, "spec": {}}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps-orders"}}


def _ids(tmp: Path, old_tf: dict, new_tf: dict, old_k8s: dict, new_k8s: dict) -> list[str]:  # type: ignore[type-arg]
    old = inventory.build(_tf(tmp / "old-tf", old_tf), _k8s(tmp / "old-k8s", old_k8s))
    new = inventory.build(_tf(tmp / "new-tf", new_tf), _k8s(tmp / "new-k8s", new_k8s))
    return [d.id for d in inventory.dangers(old, new)]


def _change_ids(tmp: Path, old_tf: dict, new_tf: dict, old_k8s: dict, new_k8s: dict) -> list[str]:  # type: ignore[type-arg]
    """What the change from the previous trees shows (guard.change_dangers), beside the inventory."""
    changes = compare(_tf(tmp / "old-tf", old_tf), _tf(tmp / "new-tf", new_tf), _k8s(tmp / "old-k8s", old_k8s), _k8s(tmp / "new-k8s", new_k8s))
    return [d.id for d in guard.change_dangers(changes)]


def test_removing_the_rds_instance_is_dangerous(tmp_path: Path) -> None:
    assert _ids(tmp_path, {"dev-database": {"aws_db_instance": {"rds": RDS}}}, {"dev-database": {}}, {}, {}) == ["dev-database:aws_db_instance.rds"]


def test_replacing_attributes_are_dangerous_tags_are_not(tmp_path: Path) -> None:
    renamed = {**RDS, "identifier": "goldenpath-dev-db"}
    assert _ids(tmp_path / "a", {"dev-database": {"aws_db_instance": {"rds": RDS}}}, {"dev-database": {"aws_db_instance": {"rds": renamed}}}, {}, {}) == [
        "dev-database:aws_db_instance.rds"
    ]
    retagged = {**RDS, "tags": {"a": "2"}, "instance_class": "db.t4g.large"}  # in-place updates
    assert _ids(tmp_path / "b", {"dev-database": {"aws_db_instance": {"rds": RDS}}}, {"dev-database": {"aws_db_instance": {"rds": retagged}}}, {}, {}) == []
    bigger = {**NODES, "instance_types": ["m6i.large"]}
    assert _ids(tmp_path / "c", {"dev-cluster": {"aws_eks_node_group": {"g": NODES}}}, {"dev-cluster": {"aws_eks_node_group": {"g": bigger}}}, {}, {}) == [
        "dev-cluster:aws_eks_node_group.g"
    ]


def test_stateful_application_and_namespace_removal(tmp_path: Path) -> None:
    old = {
        "dev/apps/application-dev-orders.yaml": _app("orders", "dist/gitops/dev/workloads/orders"),
        "dev/apps/application-dev-web.yaml": _app("web", "dist/gitops/dev/workloads/web"),
        "dev/workloads/orders/statefulset-orders.yaml": STATEFUL,
        "dev/workloads/web/deployment-web.yaml": DEPLOYMENT,
        "dev/platform/namespace-apps-orders.yaml": NAMESPACE,
    }
    new = {"dev/workloads/web/deployment-web.yaml": DEPLOYMENT}
    ids = _ids(tmp_path, {"dev-x": {}}, {"dev-x": {}}, old, new)
    # the stateless app's Application and the StatefulSet itself are not listed; its owner is
    assert ids == ["dev:Application/argocd/orders", "dev:Namespace/apps-orders"]


def test_acknowledgement_by_id_or_pattern() -> None:
    found = [guard.Danger("dev-database:aws_db_instance.rds", "x"), guard.Danger("dev:Namespace/apps-orders", "y")]
    assert guard.unacknowledged(found, []) == found
    assert guard.unacknowledged(found, ["dev-database:aws_db_instance.rds"]) == [found[1]]
    assert guard.unacknowledged(found, ["dev:*", " dev-database:aws_db_instance.rds "]) == []
    assert guard.unacknowledged(found, ["prod:*"]) == found


def _ebs(storage_classes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"addon_name": "aws-ebs-csi-driver", "configuration_values": json.dumps({"storageClasses": storage_classes})}


GP3 = {"name": "gp3-encrypted", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}, "parameters": {"type": "gp3", "encrypted": "true"}, "reclaimPolicy": "Delete"}


def test_storage_class_changes_that_reprovision_volumes_are_dangerous(tmp_path: Path) -> None:
    def ids(case: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
        return _ids(tmp_path / case, {"dev-cluster": {"aws_eks_addon": {"ebs": _ebs(old)}}}, {"dev-cluster": {"aws_eks_addon": {"ebs": _ebs(new)}}}, {}, {})

    # GIVEN the default encrypted gp3 class
    # THEN changing an immutable field (the class is recreated), renaming it or moving the default is listed
    assert ids("params", [GP3], [{**GP3, "parameters": {"type": "gp2"}}]) == ["dev-cluster:aws_eks_addon.ebs"]
    assert ids("reclaim", [GP3], [{**GP3, "reclaimPolicy": "Retain"}]) == ["dev-cluster:aws_eks_addon.ebs"]
    assert ids("renamed", [GP3], [{**GP3, "name": "gp3"}]) == ["dev-cluster:aws_eks_addon.ebs"]
    assert ids("default", [GP3], [GP3 | {"annotations": {}}]) == ["dev-cluster:aws_eks_addon.ebs"]
    # AND an in-place change (expansion allowed) or an added extra class is not
    assert ids("expansion", [GP3], [{**GP3, "allowVolumeExpansion": True}]) == []
    assert ids("added", [GP3], [GP3, {"name": "io2", "parameters": {"type": "io2"}}]) == []
    # AND the reasons say what happens to the data
    reasons = guard.storage_class_changes(_ebs([GP3]), _ebs([{**GP3, "name": "gp3"}]))
    assert reasons == [
        "StorageClass gp3-encrypted removed: PVCs that name it stay Pending and volumes re-provisioned elsewhere start empty",
        "the default StorageClass changes (gp3-encrypted -> gp3): PVCs without a class are provisioned from the new one, empty",
    ]


def test_removing_the_storage_addon_is_dangerous_other_addons_and_access_entries_are_not(tmp_path: Path) -> None:
    old = {"dev-cluster": {"aws_eks_addon": {"ebs": _ebs([GP3]), "cni": {"addon_name": "vpc-cni"}}, "aws_eks_access_entry": {"admin": {"principal_arn": "arn"}},
                           "aws_launch_template": {"lt": {"name": "x"}}}}
    assert _ids(tmp_path, old, {"dev-cluster": {}}, {}, {}) == ["dev-cluster:aws_eks_addon.ebs"]


VPC = {"cidr_block": "10.10.0.0/16"}
SUBNET = {"cidr_block": "10.10.0.0/20", "availability_zone": "eu-west-2a", "vpc_id": "${aws_vpc.vpc.id}"}


def test_network_cidr_and_az_changes_are_dangerous_with_a_procedure(tmp_path: Path) -> None:
    # GIVEN a VPC CIDR change and a subnet moved to another AZ (as a region change does)
    old = {"dev-network": {"aws_vpc": {"vpc": VPC}, "aws_subnet": {"a": SUBNET}}}
    new = {"dev-network": {"aws_vpc": {"vpc": {"cidr_block": "10.40.0.0/16"}}, "aws_subnet": {"a": {**SUBNET, "availability_zone": "eu-west-1a"}}}}
    changes = compare(_tf(tmp_path / "o", old), _tf(tmp_path / "n", new), _k8s(tmp_path / "ok", {}), _k8s(tmp_path / "nk", {}))
    found = {d.id: d.reason for d in guard.change_dangers(changes)}
    # THEN both are refused, each with the safe procedure
    assert set(found) == {"dev-network:aws_vpc.vpc", "dev-network:aws_subnet.a"}
    assert "safe procedure: add the new range" in found["dev-network:aws_vpc.vpc"]


def test_stateful_to_stateless_volume_size_and_database_rename_are_dangerous(tmp_path: Path) -> None:
    bigger = {**STATEFUL, "spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "20Gi"}}}}]}}
    assert _change_ids(tmp_path / "a", {}, {}, {"dev/w/s.yaml": STATEFUL}, {"dev/w/d.yaml": DEPLOYMENT}) == ["dev:StatefulSet/apps-orders/orders"]
    assert _change_ids(tmp_path / "b", {}, {}, {"dev/w/s.yaml": STATEFUL}, {"dev/w/s.yaml": bigger}) == ["dev:StatefulSet/apps-orders/orders"]
    secret = {"secret_string": json.dumps({"dbname": "orders", "username": "orders_app"})}
    renamed = {"secret_string": json.dumps({"dbname": "sales", "username": "sales_app"})}
    assert _change_ids(tmp_path / "c", {"dev-database": {"aws_secretsmanager_secret_version": {"v": secret}}}, {"dev-database": {"aws_secretsmanager_secret_version": {"v": renamed}}}, {}, {}) == [
        "dev-database:aws_secretsmanager_secret_version.v"
    ]


def test_disabling_a_component_whose_chart_creates_volumes_is_dangerous(tmp_path: Path) -> None:
    app = _app("dev-loki", "dist/gitops/dev/components/loki")
    changes = compare(_tf(tmp_path / "o", {}), _tf(tmp_path / "n", {}), _k8s(tmp_path / "ok", {"dev/apps/a.yaml": app}), _k8s(tmp_path / "nk", {}))
    assert [d.id for d in guard.change_dangers(changes, frozenset({("dev", "dev-loki")}))] == ["dev:Application/argocd/dev-loki"]
    assert guard.change_dangers(changes) == []
    assert [d.id for d in guard.change_dangers(changes, lambda: frozenset({("dev", "dev-loki")}))] == ["dev:Application/argocd/dev-loki"]


def test_chart_volumes_are_only_looked_up_when_an_application_goes(tmp_path: Path) -> None:
    """Rendering every chart of the previous trees costs seconds: synth passes it as a function."""
    app = _app("dev-loki", "dist/gitops/dev/components/loki")
    calls: list[int] = []

    def owners() -> frozenset[tuple[str, str]]:
        calls.append(1)
        return frozenset()

    kept = compare(_tf(tmp_path / "o", {}), _tf(tmp_path / "n", {}), _k8s(tmp_path / "ok", {"dev/apps/a.yaml": app}), _k8s(tmp_path / "nk", {"dev/apps/a.yaml": app}))
    assert guard.change_dangers(kept, owners) == [] and calls == []
    removed = compare(_tf(tmp_path / "o2", {}), _tf(tmp_path / "n2", {}), _k8s(tmp_path / "ok2", {"dev/apps/a.yaml": app}), _k8s(tmp_path / "nk2", {}))
    assert guard.change_dangers(removed, owners) == [] and calls == [1]


def test_the_default_charts_that_create_volumes_are_known(synthesized: Path) -> None:
    owners = guard.chart_volume_owners(synthesized / "cdktf.out", synthesized / "gitops")
    assert ("dev", "dev-loki") in owners and ("dev", "dev-kube-prometheus-stack") in owners
