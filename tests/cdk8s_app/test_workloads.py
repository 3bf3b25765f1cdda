"""App workloads: restricted pods, ECR image, RWO storage per pod, resources from the request."""

from __future__ import annotations

from goldenpath import naming
from goldenpath.config import PlatformConfig
from tests.cdk8s_app.conftest import Tree, named


def test_pods_run_under_the_restricted_profile(config: PlatformConfig, tree: Tree) -> None:
    for env, files in tree.items():
        for app in config.apps_in(env):
            kind = "StatefulSet" if app.kind == "stateful" else "Deployment"
            pod = named(files, kind, app.name)["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
            assert pod["automountServiceAccountToken"] is False
            (container,) = pod["containers"]
            assert container["securityContext"] == {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "readOnlyRootFilesystem": True,
                "runAsNonRoot": True,
                "seccompProfile": {"type": "RuntimeDefault"},
            }
            assert container["resources"]["requests"] == {"cpu": app.resources.cpu, "memory": app.resources.memory}


def test_image_replicas_and_storage_follow_the_request(config: PlatformConfig, tree: Tree) -> None:
    orders = named(tree["prod"], "StatefulSet", "orders")
    assert orders["spec"]["replicas"] == 2
    assert (
        orders["spec"]["template"]["spec"]["containers"][0]["image"]
        == "593517239005.dkr.ecr.eu-west-2.amazonaws.com/goldenpath/orders:0.1.0"
    )
    (claim,) = orders["spec"]["volumeClaimTemplates"]
    assert claim["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}
    assert named(tree["dev"], "Deployment", "hello-goldenpath-idp")["spec"]["replicas"] == 1
    assert named(tree["prod"], "Deployment", "sample-stateless")["spec"]["replicas"] == 4


def test_database_credentials_come_from_the_external_secret(tree: Tree) -> None:
    env = {e["name"]: e for e in named(tree["dev"], "StatefulSet", "orders")["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["DB_PASSWORD"] == {
        "name": "DB_PASSWORD",
        "valueFrom": {"secretKeyRef": {"name": naming.db_credentials_secret("orders"), "key": "password"}},
    }
    assert env["PGSSLMODE"]["value"] == "require"


def test_workload_dirs_are_kustomize_apps_listing_their_files(tree: Tree) -> None:
    files = tree["dev"]
    kustomization = files["workloads/orders/kustomization.yaml"]
    assert kustomization["resources"] == sorted(
        p.removeprefix("workloads/orders/") for p in files if p.startswith("workloads/orders/") and not p.endswith("kustomization.yaml")
    )


def test_only_kong_and_prometheus_reach_app_pods_on_the_app_port(config: PlatformConfig, tree: Tree) -> None:
    for env, files in tree.items():
        for app in config.apps_in(env):
            policy = named(files, "NetworkPolicy", app.name)
            assert policy["metadata"]["namespace"] == naming.app_namespace(app)
            assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": app.name}}
            assert policy["spec"]["policyTypes"] == ["Ingress"]
            (rule,) = policy["spec"]["ingress"]
            sources = [peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for peer in rule["from"]]
            assert sources == (["kong", "monitoring"] if app.public else ["monitoring"])
            assert rule["ports"] == [{"port": app.port, "protocol": "TCP"}]


def test_secrets_written_by_external_secrets_are_ignored_by_self_heal(tree: Tree) -> None:
    orders = named(tree["dev"], "Application", "dev-orders")
    assert orders["spec"]["ignoreDifferences"] == [
        {"group": "", "jsonPointers": ["/data"], "kind": "Secret", "name": "orders-postgres", "namespace": "apps-orders"}
    ]


def test_apps_get_the_otlp_endpoint_of_the_envs_alloy(tree: Tree) -> None:
    for env in ("dev", "prod"):
        deployment = named(tree[env], "Deployment", "hello-goldenpath-idp")
        variables = {v["name"]: v.get("value") for v in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert variables["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://{env}-alloy.monitoring.svc:4318"
        assert variables["OTEL_SERVICE_NAME"] == "hello-goldenpath-idp"
