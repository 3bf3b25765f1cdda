"""Helm values as rendered: IRSA, fullnames, Kong NLB, Grafana sidecar/RWO, databases via secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.configs import make_config
from cdk8s_app.writer import dump
from goldenpath import charts, helm_render, helm_values, naming, schemas
from goldenpath.config import PlatformConfig, load_config
from goldenpath.trees import serialized_size
from goldenpath.verify.limits import MANIFEST_BUDGET
from tests.cdk8s_app.conftest import Tree

ENVS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVS)
def test_every_component_has_values_with_its_fullname(config: PlatformConfig, tree: Tree, env: str) -> None:
    values = {p.removeprefix("values/").removesuffix(".yaml"): v for p, v in tree[env].items() if p.startswith("values/")}
    assert sorted(values) == config.components_in(env)
    assert all(v.get("fullnameOverride", naming.release(env, c)) == naming.release(env, c) for c, v in values.items())
    # cert-manager and loki name their objects after the release already: an override would be
    # a key that changes nothing (the charts layer's chart-values-known rule)
    assert all("fullnameOverride" not in values[c] for c in ("alloy", "cert-manager", "loki"))


@pytest.mark.parametrize("env", ENVS)
def test_irsa_role_arns_match_the_terraform_role_names(config: PlatformConfig, tree: Tree, env: str) -> None:
    paths = {
        "external-secrets": ("serviceAccount",),
        "aws-load-balancer-controller": ("serviceAccount",),
        "argocd-image-updater": ("serviceAccount",),
        "cluster-autoscaler": ("rbac", "serviceAccount"),
        "kube-prometheus-stack": ("grafana", "serviceAccount"),
    }
    bindings = [b for b in naming.irsa_bindings(config.platform, env) if b.component]
    assert sorted(b.component for b in bindings) == sorted(paths)
    for binding in bindings:
        sa = tree[env][f"values/{binding.component}.yaml"]
        for key in paths[binding.component]:
            sa = sa[key]
        assert sa["name"] == binding.service_account
        assert sa["annotations"] == {"eks.amazonaws.com/role-arn": f"arn:aws:iam::593517239005:role/goldenpath-{env}-{binding.purpose}"}


@pytest.mark.parametrize("env", ENVS)
def test_kong_proxy_is_the_named_nlb(tree: Tree, env: str) -> None:
    kong = tree[env]["values/kong.yaml"]
    assert kong["ingressController"]["ingressClass"] == "kong"
    assert kong["proxy"]["type"] == "LoadBalancer"
    assert kong["proxy"]["annotations"] == {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-name": f"goldenpath-{env}-kong",
    }


def test_grafana_rwo_volume_uses_recreate(tree: Tree) -> None:
    grafana = tree["dev"]["values/kube-prometheus-stack.yaml"]["grafana"]
    assert grafana["persistence"]["accessModes"] == ["ReadWriteOnce"] and grafana["persistence"]["enabled"] is True
    assert grafana["deploymentStrategy"] == {"type": "Recreate"}  # seed report L
    assert grafana["sidecar"]["dashboards"]["label"] == naming.DASHBOARD_LABEL
    assert grafana["sidecar"]["dashboards"]["labelValue"] == naming.DASHBOARD_LABEL_VALUE


def test_backstage_database_requires_ssl_and_reads_credentials_from_secrets(tree: Tree) -> None:
    backstage = tree["dev"]["values/backstage.yaml"]
    connection = backstage["backstage"]["appConfig"]["backend"]["database"]["connection"]
    assert connection["ssl"]["require"] is True
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in backstage["backstage"]["extraEnvVars"]}
    assert refs["POSTGRES_PASSWORD"] == {"name": "backstage-postgres", "key": "password"}
    assert refs["BACKEND_SECRET"] == {"name": "backstage-secrets", "key": "backend-secret"}
    assert backstage["postgresql"] == {"enabled": False}


def test_keycloak_uses_rds_through_the_external_secret(tree: Tree) -> None:
    keycloak = tree["dev"]["values/keycloak.yaml"]
    assert keycloak["postgresql"] == {"enabled": False}
    # chart 25.x: host, port and database are values; user and password come from the Secret
    assert keycloak["externalDatabase"] == {
        "host": "postgres.dev.goldenpath.internal",
        "port": 5432,
        "database": "keycloak",
        "existingSecret": naming.db_credentials_secret("keycloak"),
        "existingSecretUserKey": "username",
        "existingSecretPasswordKey": "password",
        "extraParams": "sslmode=require",
    }
    # KEYCLOAK_JDBC_PARAMS was the legacy Bitnami image's convention: only the event metrics switch remains
    assert keycloak["extraEnvVars"] == [{"name": "KC_EVENT_METRICS_USER_ENABLED", "value": "true"}]
    assert keycloak["auth"]["existingSecret"] == naming.secret_k8s("keycloak", "admin")


def test_no_secret_value_is_rendered(tree: Tree) -> None:
    # Credentials appear only as ${VAR} references to Secret-fed env vars, never as literals.
    import re

    def leaves(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from leaves(v, str(k))
        elif isinstance(node, list):
            for v in node:
                yield from leaves(v, key)
        else:
            yield key, node

    for files in tree.values():
        for path, values in files.items():
            if path.startswith("values/"):
                for key, value in leaves(values):
                    if re.search(r"(password|token|secret)$", key, re.I) and key not in ("existingSecret",):
                        assert isinstance(value, str) and re.fullmatch(r"\$\{[A-Z_]+\}", value), (path, key, value)


def test_bootstrap_values_are_the_gitops_values_and_the_root_application_is_separate(config: PlatformConfig) -> None:
    # The argo-cd release carries no objects of CRDs it installs itself (a fresh cluster would
    # fail with "no matches for kind Application"); the root Application is the argocd-apps release's.
    values = helm_values.argocd_bootstrap(config, "dev")
    assert values == helm_values.argocd(config, "dev") and "extraObjects" not in values
    assert values["fullnameOverride"] == "dev-argocd"
    source = helm_values.root_application(config, "dev")["spec"]["source"]
    assert (source["path"], source["targetRevision"]) == ("dist/gitops/dev/apps", "development")


def test_grafana_admin_login_comes_from_secrets_manager(tree: Tree) -> None:
    # Without it the chart's well-known default admin password ships to every env.
    for env, files in tree.items():
        grafana = files["values/kube-prometheus-stack.yaml"]["grafana"]
        assert grafana["admin"] == {"existingSecret": "kube-prometheus-stack-grafana-admin", "userKey": "admin-user", "passwordKey": "admin-password"}
        secret = files["components/kube-prometheus-stack/externalsecret-kube-prometheus-stack-grafana-admin.yaml"]
        assert [d["remoteRef"]["key"] for d in secret["spec"]["data"]] == [f"goldenpath/{env}/kube-prometheus-stack/grafana-admin"] * 2


def test_argocd_waits_for_child_application_health(config: PlatformConfig, tree: Tree) -> None:
    # Without it the root app's sync waves do not wait (Argo CD >= 1.8 drops Application health).
    from goldenpath import helm_values

    for env, files in tree.items():
        lua = files["values/argocd.yaml"]["configs"]["cm"]["resource.customizations.health.argoproj.io_Application"]
        assert "obj.status.health.status" in lua and 'hs.status = "Progressing"' in lua
        assert helm_values.argocd_bootstrap(config, env)["configs"]["cm"]["resource.customizations.health.argoproj.io_Application"] == lua


def test_alloy_ships_pod_logs_to_the_envs_loki_and_traces_to_tempo(tree: Tree) -> None:
    for env in ENVS:
        alloy = tree[env]["values/alloy.yaml"]
        config_text = alloy["alloy"]["configMap"]["content"]
        assert alloy["controller"]["type"] == "daemonset"
        assert f'url = "http://{env}-loki-gateway.monitoring.svc/loki/api/v1/push"' in config_text
        # the labels every Logs panel selects on
        for label in ("namespace", "pod", "container", "app"):
            assert f'target_label  = "{label}"' in config_text
        assert f'endpoint = "{env}-tempo.monitoring.svc:4317"' in config_text
        assert {p["port"] for p in alloy["alloy"]["extraPorts"]} == {4317, 4318}


def test_retention_comes_from_the_env(tree: Tree) -> None:
    # prod keeps 30 days of logs and 7 of traces; dev and staging the defaults (7 and 3)
    assert tree["prod"]["values/loki.yaml"]["loki"]["limits_config"]["retention_period"] == "720h"
    assert tree["dev"]["values/loki.yaml"]["loki"]["limits_config"]["retention_period"] == "168h"
    assert tree["dev"]["values/loki.yaml"]["loki"]["compactor"]["retention_enabled"] is True
    assert tree["prod"]["values/tempo.yaml"]["tempo"]["retention"] == "168h"
    assert tree["dev"]["values/tempo.yaml"]["tempo"]["retention"] == "72h"


def test_grafana_datasources_link_logs_traces_and_metrics(tree: Tree) -> None:
    sources = {d["uid"]: d for d in tree["dev"]["values/kube-prometheus-stack.yaml"]["grafana"]["additionalDataSources"]}
    assert set(sources) == {"loki", "tempo", "cloudwatch"}
    (derived,) = sources["loki"]["jsonData"]["derivedFields"]
    assert derived["datasourceUid"] == "tempo" and derived["url"] == "$${__value.raw}"
    tempo = sources["tempo"]["jsonData"]
    assert tempo["tracesToLogsV2"]["datasourceUid"] == "loki"
    assert tempo["serviceMap"]["datasourceUid"] == tempo["tracesToMetrics"]["datasourceUid"] == "prometheus"
    assert sources["tempo"]["url"] == "http://dev-tempo.monitoring.svc:3200"
    # CloudWatch through Grafana's own IRSA role (the irsa-trust rule checks the render)
    grafana = tree["dev"]["values/kube-prometheus-stack.yaml"]["grafana"]
    assert grafana["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::593517239005:role/goldenpath-dev-grafana"}


def test_alertmanager_routes_from_config_and_reads_receivers_from_files(tree: Tree) -> None:
    alertmanager = tree["prod"]["values/kube-prometheus-stack.yaml"]["alertmanager"]
    assert alertmanager["alertmanagerSpec"]["secrets"] == ["kube-prometheus-stack-alertmanager"]
    route = alertmanager["config"]["route"]
    assert route["receiver"] == "platform-chat"
    assert {"matchers": ['severity = "critical"'], "receiver": "oncall"} in route["routes"]
    receivers = {r["name"]: r for r in alertmanager["config"]["receivers"]}
    path = "/etc/alertmanager/secrets/kube-prometheus-stack-alertmanager"
    assert receivers["oncall"]["pagerduty_configs"][0]["routing_key_file"] == f"{path}/pagerduty-routing-key"
    assert receivers["platform-chat"]["slack_configs"][0]["api_url_file"] == f"{path}/slack-webhook-url"
    # AND the Secret those files come from is made by an ExternalSecret from Secrets Manager
    secret = tree["prod"]["components/kube-prometheus-stack/externalsecret-kube-prometheus-stack-alertmanager.yaml"]
    assert {d["remoteRef"]["key"] for d in secret["spec"]["data"]} == {"goldenpath/prod/kube-prometheus-stack/alertmanager"}


def test_backstage_values_and_its_app_config_do_not_grow_with_the_apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the default platform with 3 and with 200 more apps (one catalog location per app made
    # the values file 301 KiB and the chart's app-config ConfigMap 295 KB at 2,000 apps)
    monkeypatch.setattr(helm_render, "CACHE_DIR", tmp_path / "renders")
    builtins = helm_render.builtin_api_versions(schemas.crd_dir() / "kubernetes" / "k8s-v1.33.0-definitions.json")
    archive = Path(charts.charts_dir()) / "backstage-2.8.2.tgz"
    sizes = {}
    for apps in (3, 200):
        config = load_config(make_config(tmp_path / f"config-{apps}", apps))
        values = helm_values.values(config, "dev", "backstage")
        # WHEN the values are written and rendered by the real chart, as Argo CD renders them
        render = helm_render.render(helm_render.Request(archive, values, naming.release("dev", "backstage"), "backstage", "v1.33.0", builtins))
        app_config = [o.obj for o in render.objects if o.template == "backstage/templates/app-config-configmap.yaml"]
        assert len(app_config) == 1
        sizes[apps] = (len(dump(values).encode()), serialized_size(app_config[0]))
        # THEN Backstage reads the teams and the apps through one glob each, plus the template
        targets = [loc["target"].rsplit("/blob/development/", 1)[1] for loc in values["backstage"]["appConfig"]["catalog"]["locations"]]
        assert targets == ["dist/catalog/teams/*.yaml", "dist/catalog/apps/*/catalog-info.yaml", "dist/catalog/templates/new-app/template.yaml"]
    # AND neither the values file nor the rendered object changes size with the number of apps
    assert sizes[3] == sizes[200]
    assert sizes[200][1] < MANIFEST_BUDGET // 100
