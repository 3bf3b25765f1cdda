"""Each consistency rule: the real artifacts pass; one minimal mutation breaks exactly that rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from goldenpath.verify import engine

Mutation = Callable[[Path], None]


def edit_yaml(root: Path, rel: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / "gitops" / rel
    obj = yaml.safe_load(path.read_text())
    change(obj)
    path.write_text(yaml.safe_dump(obj, sort_keys=True))


def edit_stack(root: Path, stack: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / "cdktf.out" / "stacks" / stack / "cdk.tf.json"
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def edit_policy(doc: dict[str, Any], rtype: str, name: str, attribute: str, change: Callable[[dict[str, Any]], None]) -> None:
    body = doc["resource"][rtype][name]
    policy = json.loads(body[attribute])
    change(policy)
    body[attribute] = json.dumps(policy)


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(obj: dict[str, Any]) -> None:
        target = obj
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _move(root: Path, rel: str, new_rel: str) -> None:
    (root / "gitops" / new_rel).parent.mkdir(parents=True, exist_ok=True)
    (root / "gitops" / rel).rename(root / "gitops" / new_rel)


HELLO_INGRESS = "dev/workloads/hello-goldenpath-idp/ingress-hello-goldenpath-idp.yaml"
HELLO_DEPLOYMENT = "dev/workloads/hello-goldenpath-idp/deployment-hello-goldenpath-idp.yaml"
ORDERS_ES = "dev/workloads/orders/externalsecret-orders-postgres.yaml"
ORDERS_APP = "dev/apps/application-dev-orders.yaml"
ORDERS_UPDATER = "dev/components/argocd-image-updater/imageupdater-dev-orders.yaml"


def _typo_host(obj: dict[str, Any]) -> None:
    obj["spec"]["rules"][0]["host"] = "hello.dev.goldenpath.io"  # seed: goldenpath.io vs goldenpathidp.io
    obj["spec"]["tls"][0]["hosts"] = ["hello.dev.goldenpath.io"]


def _widen_secret_scope(doc: dict[str, Any]) -> None:
    def change(policy: dict[str, Any]) -> None:
        policy["Statement"][0]["Resource"] = "arn:aws:secretsmanager:eu-west-2:593517239005:secret:goldenpath/*"

    edit_policy(doc, "aws_iam_role_policy", "irsa_external_secrets_policy", "policy", change)


def _wrong_trust_subject(doc: dict[str, Any]) -> None:
    def change(policy: dict[str, Any]) -> None:
        policy["Statement"][0]["Condition"]["StringEquals"] = {
            k: ("system:serviceaccount:kube-system:autoscaler" if k.endswith(":sub") else v)
            for k, v in policy["Statement"][0]["Condition"]["StringEquals"].items()
        }

    edit_policy(doc, "aws_iam_role", "irsa_cluster_autoscaler", "assume_role_policy", change)


def _second_owner(root: Path) -> None:
    app = yaml.safe_load((root / "gitops" / ORDERS_APP).read_text())
    app["metadata"]["name"] = "dev-orders-copy"
    (root / "gitops" / "dev/apps/application-dev-orders-copy.yaml").write_text(yaml.safe_dump(app))


def _bad_namespace(root: Path) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "Apps_Orders"}}
    (root / "gitops" / "dev/platform/namespaces/namespace-bad.yaml").write_text(yaml.safe_dump(ns))


PLATFORM_ALERTS = "dev/components/kube-prometheus-stack/prometheusrule-platform-alerts.yaml"
ORDERS_DASHBOARD = "dev/workloads/orders/configmap-orders-dashboard.yaml"


def _first_alert(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def edit(obj: dict[str, Any]) -> None:
        change(obj["spec"]["groups"][0]["rules"][0])

    return edit


def _dashboard(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def edit(obj: dict[str, Any]) -> None:
        (key,) = obj["data"]
        board = json.loads(obj["data"][key])
        change(board)
        obj["data"][key] = json.dumps(board)

    return edit


def _other_datasource(board: dict[str, Any]) -> None:
    panel = board["panels"][0]
    panel["datasource"] = {"type": "prometheus", "uid": "prometheus-main"}
    for target in panel["targets"]:
        target["datasource"] = panel["datasource"]


def _logs_by_unset_label(board: dict[str, Any]) -> None:
    (logs,) = [p for p in board["panels"] if p["type"] == "logs"]
    logs["targets"][0]["expr"] = '{service_name="orders"}'


ORDERS_SERVICE = "dev/workloads/orders/service-orders.yaml"
ORDERS_STATEFULSET = "dev/workloads/orders/statefulset-orders.yaml"
WEB_ES = "dev/workloads/sample-stateless/externalsecret-sample-stateless-api.yaml"
DB_POLICY = "dev/platform/database/networkpolicy-db-provisioner.yaml"


def _first_secret_ref_named(name: str) -> Callable[[dict[str, Any]], None]:
    def change(obj: dict[str, Any]) -> None:
        variables = obj["spec"]["template"]["spec"]["containers"][0]["env"]
        next(v for v in variables if "valueFrom" in v)["valueFrom"]["secretKeyRef"]["name"] = name

    return change


def _unlisted_resource(root: Path) -> None:
    path = root / "gitops" / "dev/workloads/orders/kustomization.yaml"
    path.write_text(path.read_text() + "- configmap-orders-extra.yaml\n")


def _wrong_audience(doc: dict[str, Any]) -> None:
    def change(policy: dict[str, Any]) -> None:
        conditions = policy["Statement"][0]["Condition"]["StringEquals"]
        for key in conditions:
            if key.endswith(":aud"):
                conditions[key] = "sts.amazonaws.com.cn"

    edit_policy(doc, "aws_iam_role", "irsa_cluster_autoscaler", "assume_role_policy", change)


def _no_batch_get(doc: dict[str, Any]) -> None:
    def change(policy: dict[str, Any]) -> None:
        for statement in policy["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            statement["Action"] = [a for a in actions if a != "secretsmanager:BatchGetSecretValue"] or ["secretsmanager:ListSecrets"]

    edit_policy(doc, "aws_iam_role_policy", "irsa_external_secrets_policy", "policy", change)


def _decrypt_other_key(doc: dict[str, Any]) -> None:
    def change(policy: dict[str, Any]) -> None:
        policy["Statement"][0]["Resource"] = "${aws_kms_key.alarms_key.arn}"  # not the key the secrets use

    edit_policy(doc, "aws_iam_role_policy", "external_secrets_decrypt", "policy", change)


def _storage_class(name: str) -> Callable[[dict[str, Any]], None]:
    def change(obj: dict[str, Any]) -> None:
        obj["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] = name

    return change


ORDERS_STORE = "dev/platform/secret-store/secretstore-apps-orders-tenant-secrets.yaml"
CLUSTER_STORE = "dev/platform/secret-store/clustersecretstore-aws-secretsmanager.yaml"


def _tenant_policy(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda doc: edit_policy(doc, "aws_iam_role_policy", "tenant_secrets_policy", "policy", change)


def _tenant_trust(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda doc: edit_policy(doc, "aws_iam_role", "tenant_secrets", "assume_role_policy", change)


CASES: dict[str, Mutation] = {
    "ingress-dns": lambda r: edit_yaml(r, HELLO_INGRESS, _typo_host),
    "ingress-issuer": lambda r: edit_yaml(r, HELLO_INGRESS, _set(["metadata", "annotations", "cert-manager.io/cluster-issuer"], "letsencrypt-prd")),
    "ingress-class-tls": lambda r: edit_yaml(r, HELLO_INGRESS, _set(["spec", "tls"], [])),
    "ingress-backend": lambda r: edit_yaml(r, HELLO_INGRESS, _set(["spec", "rules", 0, "http", "paths", 0, "backend", "service", "port", "number"], 9999)),
    "externalsecret-store": lambda r: edit_yaml(r, ORDERS_ES, _set(["spec", "secretStoreRef", "name"], "aws-secrets")),
    "externalsecret-remote-key": lambda r: edit_yaml(r, ORDERS_ES, _set(["spec", "data", 2, "remoteRef", "property"], "passwd")),
    "iam-secret-scope": lambda r: edit_stack(r, "dev-cluster", _widen_secret_scope),
    "irsa-trust": lambda r: edit_stack(r, "dev-cluster", _wrong_trust_subject),
    "values-ref": lambda r: edit_yaml(r, "dev/apps/application-dev-backstage.yaml", _set(["spec", "sources", 0, "helm", "valueFiles", 0], "$values/dist/gitops/dev/values/backstage-dev.yaml")),
    "target-revision": lambda r: edit_yaml(r, "dev/apps/application-dev-platform-issuers.yaml", _set(["spec", "source", "targetRevision"], "feature/tooling-apps-config")),
    "dashboard-sidecar": lambda r: edit_yaml(r, "dev/components/argocd/configmap-argocd-dashboard.yaml", _set(["metadata", "labels", "grafana_dashboard"], "true")),
    "image-registry": lambda r: edit_yaml(r, HELLO_DEPLOYMENT, _set(["spec", "template", "spec", "containers", 0, "image"], "docker.io/library/nginx:1.27")),
    "kong-lb-name": lambda r: edit_yaml(r, "dev/values/kong.yaml", _set(["proxy", "annotations", "service.beta.kubernetes.io/aws-load-balancer-name"], "goldenpath-dev-proxy")),
    "rwo-rolling-update": lambda r: edit_yaml(r, "dev/values/kube-prometheus-stack.yaml", _set(["grafana", "deploymentStrategy", "type"], "RollingUpdate")),
    "single-owner": _second_owner,
    "namespace-name": _bad_namespace,
    "destination-namespace": lambda r: edit_yaml(r, "dev/apps/application-dev-platform-database.yaml", _set(["spec", "destination", "namespace"], "platform-ghost")),
    "env-parity": lambda r: (r / "gitops" / "prod/apps/application-prod-loki.yaml").unlink(),
    "schema": lambda r: edit_yaml(r, HELLO_DEPLOYMENT, _set(["spec", "replicas"], "two")),
    "promql-parse": lambda r: edit_yaml(r, PLATFORM_ALERTS, _first_alert(_set(["expr"], 'max by (name) (argocd_app_info{sync_status="OutOfSync"}'))),
    "promql-metrics": lambda r: edit_yaml(r, PLATFORM_ALERTS, _first_alert(_set(["expr"], 'max by (name) (argocd_application_info{sync_status="OutOfSync"}) == 1'))),
    "alert-runbook": lambda r: edit_yaml(r, PLATFORM_ALERTS, _first_alert(_set(["annotations", "runbook_url"], "https://github.com/mikeybeezy/goldenpath-idp-infra/blob/development/docs/runbooks/ArgoCDOutOfSync.md"))),
    "dashboard-datasource": lambda r: edit_yaml(r, ORDERS_DASHBOARD, _dashboard(_other_datasource)),
    "logs-labels": lambda r: edit_yaml(r, ORDERS_DASHBOARD, _dashboard(_logs_by_unset_label)),


    # issue 12: what Argo CD applies, references inside the tree, AWS facts in full
    "argocd-build": _unlisted_resource,
    "service-selector": lambda r: edit_yaml(r, ORDERS_SERVICE, _set(["spec", "ports", 0, "targetPort"], "web")),
    "workload-selector": lambda r: edit_yaml(r, HELLO_DEPLOYMENT, _set(["spec", "selector", "matchLabels", "app.kubernetes.io/name"], "hello")),
    "workload-refs": lambda r: edit_yaml(r, ORDERS_STATEFULSET, _first_secret_ref_named("orders-db")),
    "object-namespace": lambda r: edit_yaml(r, "dev/workloads/orders/configmap-orders-dashboard.yaml", _set(["metadata", "namespace"], "apps-hello-goldenpath-idp")),
    "externalsecret-tenant": lambda r: edit_yaml(r, WEB_ES, _set(["spec", "data", 0, "remoteRef"], {"key": "goldenpath/dev/orders/postgres", "property": "password"})),
    "arn-exact": lambda r: edit_yaml(r, "dev/values/cluster-autoscaler.yaml", _set(["rbac", "serviceAccount", "annotations", "eks.amazonaws.com/role-arn"], "arn:aws:iam::111111111111:role/goldenpath-dev-cluster-autoscaler")),
    "irsa-audience": lambda r: edit_stack(r, "dev-cluster", _wrong_audience),
    "database-port": lambda r: edit_yaml(r, DB_POLICY, _set(["spec", "egress", 1, "ports", 0, "port"], 5433)),
    "aws-name-limits": lambda r: edit_stack(r, "dev-cluster", lambda d: d["resource"]["aws_iam_role"]["cluster_role"].__setitem__("name", "goldenpath-dev-" + "x" * 60)),
    # what the controllers need from Terraform (issue 11 items 7-9)
    "alb-vpc-discovery": lambda r: edit_yaml(r, "dev/values/aws-load-balancer-controller.yaml", _set(["vpcTags", "Name"], "goldenpath-dev-vpc-old")),
    "secret-find-permission": lambda r: edit_stack(r, "dev-cluster", _no_batch_get),
    "storage-class": lambda r: edit_yaml(r, ORDERS_STATEFULSET, _storage_class("gp2")),
    "secret-kms-decrypt": lambda r: edit_stack(r, "dev-database", _decrypt_other_key),
    # issue 12 item 2: tenant isolation in the IAM shape -- orders' store claims to be another app ...
    "tenant-secret-store": lambda r: edit_yaml(r, ORDERS_STORE, _set(["spec", "provider", "aws", "sessionTags", 0, "value"], "sample-stateless")),
    # ... or the tenant role reads the env's whole prefix whatever the session's tag
    "tenant-secret-policy": lambda r: edit_stack(r, "dev-cluster", _tenant_policy(_set(["Statement", 0, "Resource"], "arn:aws:secretsmanager:eu-west-2:593517239005:secret:goldenpath/dev/*"))),
    # ... or dev's admission policy (a copy of prod's) holds app SecretStores to another env's tenant role
    "tenant-admission": lambda r: edit_yaml(
        r, "dev/platform/secret-store/validatingadmissionpolicy-goldenpath-tenant-secret-stores.yaml",
        _set(["spec", "variables", 0, "expression"], '"arn:aws:iam::593517239005:role/goldenpath-prod-tenant-secrets"'),
    ),
    # issue 16: the ImageUpdater tracks a repository Terraform does not create ...
    "image-update-repository": lambda r: edit_yaml(r, ORDERS_UPDATER, _set(["spec", "applicationRefs", 0, "images", 0, "imageName"], "593517239005.dkr.ecr.eu-west-2.amazonaws.com/goldenpath/order")),
    # ... or writes back to a path its Application does not sync
    "image-update-write-back": lambda r: edit_yaml(r, ORDERS_UPDATER, _set(["spec", "writeBackConfig", "gitConfig", "writeBackTarget"], "kustomization:../hello-goldenpath-idp")),
    # issue 14: an object that grew past the 256 KiB budget (one entry per app)
    "manifest-size": lambda r: edit_yaml(r, ORDERS_DASHBOARD, _set(["data", "padding.txt"], "x" * 262_144)),
    # a team's Application syncs a directory its project does not list (another team's)
    "team-source-paths": lambda r: edit_yaml(r, "dev/apps/appproject-team-commerce.yaml", _set(["metadata", "annotations", "goldenpath.io/source-paths"], "dist/gitops/dev/workloads/sample-stateless")),
    # the private postgres name points at address:port (the endpoint), which resolves nowhere
    "dns-record-type": lambda r: edit_stack(r, "dev-database", _set(["resource", "aws_route53_record", "postgres_host", "records"], ["${aws_db_instance.postgres.endpoint}"])),
}


def _rules(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for v in engine.run(root / "cdktf.out", root / "gitops", layers=("schema", "consistency")):
        found.setdefault(v.rule, []).append(str(v))
    return found


def test_default_platform_verifies_clean(synthesized: Path) -> None:
    assert _rules(synthesized) == {}


def test_every_consistency_rule_has_a_mutation() -> None:
    registered = {r.id for r in engine.all_rules() if r.layer in ("schema", "consistency")}
    assert registered == set(CASES)
    assert len(registered - {"schema"}) >= 14


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_mutation_breaks_exactly_its_rule(artifact_copy: Path, rule_id: str) -> None:
    # GIVEN the real artifacts WHEN one minimal mutation is applied
    CASES[rule_id](artifact_copy)
    # THEN that rule, and only that rule, reports
    found = _rules(artifact_copy)
    assert set(found) == {rule_id}, found


@pytest.mark.parametrize(
    ("stack", "path", "value", "message"),
    [
        ("dev-dns", ["resource", "aws_route53_record", "wildcard", "type"], "CNAME", "an alias to a load balancer is A or AAAA"),
        ("dev-dns", ["resource", "aws_route53_record", "wildcard", "alias", "zone_id"], "${aws_route53_zone.zone.zone_id}", "the load balancer's canonical hosted zone"),
        ("dev-database", ["resource", "aws_route53_record", "postgres_host", "type"], "A", "not an IPv4 address"),
        ("dev-database", ["resource", "aws_route53_record", "postgres_host", "records"], ["10.0.0.1"], "not a host name"),
        ("dev-database", ["resource", "aws_route53_record", "postgres_host", "name"], "dev.goldenpath.internal", "apex"),
    ],
)
def test_dns_record_type_reads_records_as_route53_does(artifact_copy: Path, stack: str, path: list[Any], value: Any, message: str) -> None:
    from goldenpath.verify import dns
    from goldenpath.verify.artifacts import load

    assert list(dns.dns_record_type(load(artifact_copy / "cdktf.out", artifact_copy / "gitops"))) == []
    edit_stack(artifact_copy, stack, _set(path, value))
    found = [str(v) for v in dns.dns_record_type(load(artifact_copy / "cdktf.out", artifact_copy / "gitops"))]
    assert found and all(message in f for f in found), found


def test_env_parity_follows_the_config_not_an_annotation(artifact_copy: Path, config_copy: Path) -> None:
    from goldenpath.config import load_config

    # GIVEN prod without loki and an annotation on the platform AppProject claiming loki is disabled
    (artifact_copy / "gitops" / "prod/apps/application-prod-loki.yaml").unlink()
    edit_yaml(artifact_copy, "prod/apps/appproject-platform.yaml", _set(["metadata", "annotations", "goldenpath.io/disabled-components"], "loki"))
    run = lambda config: {v.rule for v in engine.run(artifact_copy / "cdktf.out", artifact_copy / "gitops", layers=("consistency",), config=config)}  # noqa: E731
    # WHEN the config enables loki in prod THEN parity reports it (the annotation is not trusted)
    assert run(load_config(config_copy)) == {"env-parity"}
    # WHEN the config disables loki in prod THEN nothing is reported
    text = (config_copy / "platform.yaml").read_text().replace("    issuer: letsencrypt-prod\n", "    issuer: letsencrypt-prod\n    components:\n      loki: {enabled: false}\n")
    (config_copy / "platform.yaml").write_text(text)
    assert run(load_config(config_copy)) == set()


# --- tenant isolation (issue 12 item 2): each way out of the shape is reported by its rule -----

TENANT_ESCAPES: dict[str, tuple[str, Mutation]] = {
    # the ClusterSecretStore admits every namespace (no conditions)
    "cluster store without conditions": ("tenant-secret-store", lambda r: edit_yaml(r, CLUSTER_STORE, lambda o: o["spec"].pop("conditions"))),
    # ... or admits app namespaces by regex
    "cluster store admits apps-": ("tenant-secret-store", lambda r: edit_yaml(r, CLUSTER_STORE, _set(["spec", "conditions"], [{"namespaceRegexes": ["^apps-"]}]))),
    # an app's ExternalSecret names the cluster-wide store (the operator's identity)
    "app reads through the cluster store": ("tenant-secret-store", lambda r: edit_yaml(r, ORDERS_ES, _set(["spec", "secretStoreRef"], {"kind": "ClusterSecretStore", "name": "aws-secretsmanager"}))),
    # the store assumes the right role name in another account
    "role in another account": ("tenant-secret-store", lambda r: edit_yaml(r, ORDERS_STORE, _set(["spec", "provider", "aws", "role"], "arn:aws:iam::111111111111:role/goldenpath-dev-tenant-secrets"))),
    # ESO's Simple policy would replace the app tag with esoNamespace/esoStoreName/esoStoreKind
    "session tags replaced": ("tenant-secret-store", lambda r: edit_yaml(r, ORDERS_STORE, _set(["spec", "provider", "aws", "sessionTagsPolicy"], "Simple"))),
    # the role no longer checks the secret's resource tag
    "no resource tag condition": ("tenant-secret-policy", lambda r: edit_stack(r, "dev-cluster", _tenant_policy(lambda p: p["Statement"][0].pop("Condition")))),
    # anyone in the account may assume the tenant role
    "trusts everyone": ("tenant-secret-policy", lambda r: edit_stack(r, "dev-cluster", _tenant_trust(_set(["Statement", 0, "Principal"], {"AWS": "*"})))),
    # the trust no longer pins the tag keys (a session could add tags of its own)
    "trust without tag keys": ("tenant-secret-policy", lambda r: edit_stack(r, "dev-cluster", _tenant_trust(lambda p: p["Statement"][0]["Condition"].pop("ForAllValues:StringEquals")))),
    # an app secret lost its Application tag: the app's own read would fail with AccessDenied
    "app secret untagged": ("tenant-secret-policy", lambda r: edit_stack(r, "dev-database", lambda d: d["resource"]["aws_secretsmanager_secret"]["sample_stateless_api"]["tags"].pop("Application"))),
}


@pytest.mark.parametrize("case", sorted(TENANT_ESCAPES))
def test_tenant_escape_is_reported(artifact_copy: Path, case: str) -> None:
    # GIVEN the real artifacts WHEN one way out of the tenant shape is introduced
    rule_id, mutate = TENANT_ESCAPES[case]
    mutate(artifact_copy)
    # THEN exactly that rule reports it
    assert set(_rules(artifact_copy)) == {rule_id}
