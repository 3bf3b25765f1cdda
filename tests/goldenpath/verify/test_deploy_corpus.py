"""A corpus of hand-made edits of the real artifacts that each break a real deploy (issue 12).

Each row edits the synthesized trees the way a careless or hostile commit would and names the
rules of which at least one must report it. The catch rate of the verifier on this corpus is
the number of rows that pass; every row must pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from goldenpath.verify import engine
from tests.goldenpath.verify.test_consistency import edit_policy, edit_stack, edit_yaml

ECR = "593517239005.dkr.ecr.eu-west-2.amazonaws.com"
ORDERS = "dev/workloads/orders"
HELLO = "dev/workloads/hello-goldenpath-idp"
WEB = "dev/workloads/sample-stateless"
DB = "dev/platform/database"


def _set(*path_and_value: Any) -> Callable[[dict[str, Any]], None]:
    *path, value = path_and_value

    def change(obj: dict[str, Any]) -> None:
        for part in path[:-1]:
            obj = obj[part]
        obj[path[-1]] = value

    return change


def _write(rel: str, text: str) -> Callable[[Path], None]:
    return lambda root: (root / "gitops" / rel).write_text(text)


def _append(rel: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / "gitops" / rel
        path.write_text(path.read_text() + text)

    return change


def _drop_resource(rel: str, entry: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / "gitops" / rel
        path.write_text(path.read_text().replace(f"- {entry}\n", ""))

    return change


def _yaml(rel: str, *path_and_value: Any) -> Callable[[Path], None]:
    return lambda root: edit_yaml(root, rel, _set(*path_and_value))


def _trust(role: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    return lambda root: edit_stack(root, "dev-cluster", lambda doc: edit_policy(doc, "aws_iam_role", role, "assume_role_policy", change))


def _aud(policy: dict[str, Any]) -> None:
    conditions = policy["Statement"][0]["Condition"]["StringEquals"]
    for key in list(conditions):
        if key.endswith(":aud"):
            conditions[key] = "sts.amazonaws.com.cn"


def _federated(policy: dict[str, Any]) -> None:
    policy["Statement"][0]["Principal"]["Federated"] = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-2.amazonaws.com/id/OTHER"


def _db_stack(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    return lambda root: edit_stack(root, "dev-database", change)


def _sg_port(doc: dict[str, Any]) -> None:
    ingress = doc["resource"]["aws_security_group"]["security_group"]["ingress"][0]
    ingress["from_port"] = ingress["to_port"] = 5433


def _secret_port(doc: dict[str, Any]) -> None:
    body = doc["resource"]["aws_secretsmanager_secret_version"]["keycloak_postgres_value"]
    data = json.loads(body["secret_string"])
    data["port"] = "6432"
    body["secret_string"] = json.dumps(data)


def _long_lb(root: Path) -> None:
    name = "goldenpath-dev-kong-proxy-load-balancer"
    edit_yaml(root, "dev/values/kong.yaml", _set("proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-name", name))
    edit_stack(root, "dev-dns", lambda doc: next(iter(doc["data"]["aws_lb"].values())).__setitem__("name", name))


def _add_volume(obj: dict[str, Any]) -> None:
    pod = obj["spec"]["template"]["spec"]
    pod["volumes"].append({"name": "config", "configMap": {"name": "hello-config"}})


def _find_secrets(obj: dict[str, Any]) -> None:
    obj["spec"]["dataFrom"] = [{"find": {"name": {"regexp": ".*"}}}]


NS_BAD = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "Apps_Bad"}}
JSON_JOB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "extra", "namespace": "platform-db"}, "spec": {"replicas": "two"}}

# (id, edit, rules of which at least one must report it)
CORPUS: list[tuple[str, Callable[[Path], None], set[str]]] = [
    # Argo CD applies .yml and .json too, and builds kustomizations (images:, resources:)
    ("yml-file-in-directory-source", _write("dev/platform/namespaces/namespace-bad.yml", yaml.safe_dump(NS_BAD)), {"namespace-name"}),
    ("json-file-in-directory-source", _write(f"{DB}/deployment-extra.json", json.dumps(JSON_JOB)), {"schema"}),
    ("kustomization-images-override", _append(f"{ORDERS}/kustomization.yaml", f"images:\n- name: {ECR}/goldenpath/orders\n  newName: docker.io/library/nginx\n  newTag: '1.27'\n"), {"image-registry"}),
    ("application-kustomize-images", _yaml("dev/apps/application-dev-orders.yaml", "spec", "source", "kustomize", {"images": [f"{ECR}/goldenpath/orders=docker.io/evil/orders:1.0"]}), {"image-registry"}),
    ("kustomization-missing-resource", _append(f"{ORDERS}/kustomization.yaml", "- deployment-orders-v2.yaml\n"), {"argocd-build"}),
    ("kustomization-drops-the-service", _drop_resource(f"{ORDERS}/kustomization.yaml", "service-orders.yaml"), {"ingress-backend", "workload-selector"}),
    # references inside the tree
    ("service-selector-typo", _yaml(f"{HELLO}/service-hello-goldenpath-idp.yaml", "spec", "selector", {"app.kubernetes.io/name": "hello"}), {"service-selector"}),
    ("service-target-port", _yaml(f"{WEB}/service-sample-stateless.yaml", "spec", "ports", 0, "targetPort", 8080), {"service-selector"}),
    ("deployment-selector-vs-labels", _yaml(f"{WEB}/deployment-sample-stateless.yaml", "spec", "selector", "matchLabels", {"app.kubernetes.io/name": "web"}), {"workload-selector"}),
    ("statefulset-service-name", _yaml(f"{ORDERS}/statefulset-orders.yaml", "spec", "serviceName", "orders-headless"), {"workload-selector"}),
    ("secret-key-ref-key-typo", _yaml(f"{ORDERS}/statefulset-orders.yaml", "spec", "template", "spec", "containers", 0, "env", 2, "valueFrom", "secretKeyRef", "key", "pasword"), {"workload-refs"}),
    ("service-account-typo", _yaml(f"{HELLO}/deployment-hello-goldenpath-idp.yaml", "spec", "template", "spec", "serviceAccountName", "hello"), {"workload-refs"}),
    ("config-map-volume-missing", lambda r: edit_yaml(r, f"{HELLO}/deployment-hello-goldenpath-idp.yaml", _add_volume), {"workload-refs"}),
    ("object-in-another-tenant-namespace", _yaml(f"{ORDERS}/serviceaccount-orders.yaml", "metadata", "namespace", "apps-sample-stateless"), {"object-namespace", "workload-refs"}),
    ("destination-not-permitted-by-project", _yaml("dev/apps/application-dev-orders.yaml", "spec", "destination", "namespace", "kube-system"), {"object-namespace", "destination-namespace"}),
    # AWS facts in full
    ("irsa-annotation-other-account", _yaml("dev/values/cluster-autoscaler.yaml", "rbac", "serviceAccount", "annotations", "eks.amazonaws.com/role-arn", "arn:aws:iam::111111111111:role/goldenpath-dev-cluster-autoscaler"), {"arn-exact"}),
    ("irsa-annotation-other-partition", _yaml("dev/values/aws-load-balancer-controller.yaml", "serviceAccount", "annotations", "eks.amazonaws.com/role-arn", "arn:aws-cn:iam::593517239005:role/goldenpath-dev-aws-load-balancer-controller"), {"arn-exact"}),
    ("ecr-image-other-account", _yaml(f"{ORDERS}/statefulset-orders.yaml", "spec", "template", "spec", "containers", 0, "image", "111111111111.dkr.ecr.eu-west-2.amazonaws.com/goldenpath/orders:0.1.0"), {"arn-exact", "image-registry"}),
    ("ecr-image-other-region", _yaml(f"{HELLO}/deployment-hello-goldenpath-idp.yaml", "spec", "template", "spec", "containers", 0, "image", "593517239005.dkr.ecr.us-east-1.amazonaws.com/goldenpath/hello-goldenpath-idp:0.1.0"), {"arn-exact"}),
    ("secret-store-other-region", _yaml("dev/platform/secret-store/clustersecretstore-aws-secretsmanager.yaml", "spec", "provider", "aws", "region", "eu-west-1"), {"arn-exact"}),
    ("secret-store-other-service-account", _yaml("dev/platform/secret-store/clustersecretstore-aws-secretsmanager.yaml", "spec", "provider", "aws", "auth", "jwt", "serviceAccountRef", "name", "default"), {"arn-exact"}),
    ("rds-tag-other-account", _yaml(f"{DB}/externalsecret-rds-master-credentials.yaml", "spec", "dataFrom", 0, "find", "tags", "aws:rds:primaryDBInstanceArn", "arn:aws:rds:eu-west-2:111111111111:db:goldenpath-dev-postgres"), {"arn-exact"}),
    ("trust-audience", _trust("irsa_external_secrets", _aud), {"irsa-audience"}),
    ("trust-other-oidc-provider", _trust("irsa_cluster_autoscaler", _federated), {"irsa-audience"}),
    ("security-group-port", _db_stack(_sg_port), {"database-port"}),
    ("network-policy-egress-port", _yaml(f"{DB}/networkpolicy-db-provisioner.yaml", "spec", "egress", 1, "ports", 0, "port", 5433), {"database-port"}),
    ("secret-port", _db_stack(_secret_port), {"database-port"}),
    ("iam-role-name-over-64", lambda r: edit_stack(r, "dev-cluster", lambda d: d["resource"]["aws_iam_role"]["node_role"].__setitem__("name", "goldenpath-dev-" + "n" * 60)), {"aws-name-limits"}),
    ("load-balancer-name-over-32", _long_lb, {"aws-name-limits"}),
    # tenants
    ("app-reads-another-apps-secret", _yaml(f"{WEB}/externalsecret-sample-stateless-api.yaml", "spec", "data", 0, "remoteRef", {"key": "goldenpath/dev/orders/postgres", "property": "password"}), {"externalsecret-tenant"}),
    ("app-finds-secrets-by-name", lambda r: edit_yaml(r, f"{WEB}/externalsecret-sample-stateless-api.yaml", _find_secrets), {"externalsecret-tenant"}),
    # the classes the verifier already knew
    ("env-parity-component-missing", lambda r: (r / "gitops" / "prod/apps/application-prod-backstage.yaml").unlink(), {"env-parity"}),
    ("ingress-host-typo", _yaml(f"{HELLO}/ingress-hello-goldenpath-idp.yaml", "spec", "rules", 0, "host", "hello.dev.goldenpath.io"), {"ingress-dns", "ingress-class-tls"}),
    ("target-revision-feature-branch", _yaml("dev/apps/application-dev-hello-goldenpath-idp.yaml", "spec", "source", "targetRevision", "feature/x"), {"target-revision"}),
]
LAYERS = ("schema", "consistency", "charts")


def test_corpus_is_large_and_unique() -> None:
    ids = [row[0] for row in CORPUS]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(("case_id", "edit", "rules"), CORPUS, ids=[row[0] for row in CORPUS])
def test_deploy_breaking_edit_is_caught(artifact_copy: Path, case_id: str, edit: Callable[[Path], None], rules: set[str]) -> None:
    # GIVEN the real artifacts WHEN one deploy-breaking edit is made
    edit(artifact_copy)
    # THEN the verifier reports it under one of the rules that own that failure
    found = {v.rule for v in engine.run(artifact_copy / "cdktf.out", artifact_copy / "gitops", layers=LAYERS)}
    assert found & rules, f"{case_id}: not caught (reported: {sorted(found) or 'nothing'})"
