"""Helm values per platform component, computed from the model (pure Python, no jsii).

Both halves need some of them: the GitOps tree writes every component's values to
``dist/gitops/<env>/values/<component>.yaml``; the bootstrap stack installs Argo CD with the
same ``argocd`` values plus the root Application. Computing them here (not in either renderer)
keeps the renderers from reading each other (DESIGN §3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.model import ADMIN_SECRETS, ALERTMANAGER_SECRET, SecretSpec


def root_application(config: PlatformConfig, env: str) -> dict[str, Any]:
    """The one Application Terraform creates; it syncs ``dist/gitops/<env>/apps`` on the env branch."""
    platform = config.platform
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": naming.root_application(env),
            "namespace": naming.ARGOCD_NAMESPACE,
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "default",
            "source": {
                "repoURL": platform.git.repo_url,
                "targetRevision": platform.environments[env].branch,
                "path": naming.gitops_path(env, "apps"),
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": naming.ARGOCD_NAMESPACE},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


APPLICATION_HEALTH_LUA = """hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
"""


def argocd(config: PlatformConfig, env: str) -> dict[str, Any]:
    # No chart ServiceMonitors here: Terraform installs these values before the monitoring CRDs
    # exist; cdk8s_app renders Argo CD's ServiceMonitor in its component directory instead.
    platform = config.platform
    return {
        "fullnameOverride": naming.release(env, "argocd"),
        "crds": {"install": True, "keep": True},
        "configs": {
            # TLS terminates at Kong (cert-manager certificate); the server speaks HTTP behind it.
            "params": {"server.insecure": True},
            "rbac": argocd_rbac(config),
            "cm": {
                "url": f"https://{naming.host(platform, env, platform.components['argocd'].host or 'argocd')}",
                # Argo CD >= 1.8 reports child Applications as healthy at once, so the root app's
                # sync waves would not wait for operators, CRDs or the database Job. This is the
                # documented app-of-apps health check that restores the wait.
                "resource.customizations.health.argoproj.io_Application": APPLICATION_HEALTH_LUA,
            },
        },
        # Teams see and sync only their own project's Applications (each AppProject's role is
        # bound to the team's groups, cdk8s_app.argocd.Projects); nobody gets a default role.
        "server": {"metrics": {"enabled": True}},
        "controller": {"metrics": {"enabled": True}},
        "repoServer": {"metrics": {"enabled": True}},
    }


def argocd_rbac(config: PlatformConfig) -> dict[str, Any]:
    """Argo CD global RBAC (argo-cd chart ``configs.rbac``, argocd-rbac-cm): one role per team
    granting get/sync on its project's Applications, bound to the team's SSO groups; no default
    role, so a signed-in user outside every team sees nothing."""
    lines: list[str] = []
    for team, spec in sorted(config.platform.teams.items()):
        role, project = naming.team_rbac_role(team), naming.team_project(team)
        lines += [f"p, {role}, applications, {action}, {project}/*, allow" for action in ("get", "sync")]
        lines += [f"p, {role}, projects, get, {project}, allow"]
        lines += [f"g, {group}, {role}" for group in spec.groups]
    return {"policy.default": "", "scopes": "[groups]", "policy.csv": "\n".join(lines) + "\n"}


def argocd_bootstrap(config: PlatformConfig, env: str) -> dict[str, Any]:
    """What Terraform's argo-cd helm_release installs: exactly the argocd values of the tree.

    No ``extraObjects``: the chart's CRDs are templates of the same release and Helm maps every
    object's kind before creating any, so an Application in it fails on a fresh cluster ("no
    matches for kind Application"). :func:`root_application` is installed by a second release
    (the argocd-apps chart, ``model.ROOT_APPS_CHART``) that waits for this one."""
    return argocd(config, env)


# --- every other component --------------------------------------------------------------------

# Port of the Service named by naming.component_service (the Ingress backend), per chart.
SERVICE_PORTS = {"argocd": 80, "backstage": 7007, "keycloak": 80, "kube-prometheus-stack": 80}


def service_port(component: str) -> int:
    return SERVICE_PORTS[component]


def _irsa(config: PlatformConfig, env: str, component: str) -> tuple[str, dict[str, str]]:
    """(service account name, annotations) for a component's IRSA binding (same names as Terraform)."""
    for binding in naming.irsa_bindings(config.platform, env):
        if binding.component == component:
            arn = naming.iam_role_arn(config.platform, env, binding.purpose)
            return binding.service_account, {"eks.amazonaws.com/role-arn": arn}
    raise KeyError(f"no IRSA binding for component {component!r} in {env}")


def _service_account(config: PlatformConfig, env: str, component: str) -> dict[str, Any]:
    name, annotations = _irsa(config, env, component)
    return {"create": True, "name": name, "annotations": annotations}


def _public_url(config: PlatformConfig, env: str, component: str) -> str:
    host = config.platform.components[component].host
    if host is None:
        raise KeyError(f"component {component!r} has no host")
    return f"https://{naming.host(config.platform, env, host)}"


def env_var(*parts: str) -> str:
    """Environment variable name for a secret key: ``github-token`` -> ``GITHUB_TOKEN``."""
    return "_".join("".join(c if c.isalnum() else "_" for c in p).upper() for p in parts)


def _secret(config: PlatformConfig, component: str, name: str) -> SecretSpec:
    for spec in config.platform.components[component].secrets:
        if spec.name == name:
            return spec
    raise KeyError(f"component {component!r} declares no secret {name!r}")


def argocd_image_updater(config: PlatformConfig, env: str) -> dict[str, Any]:
    platform = config.platform
    registry = naming.ecr_registry(platform)
    return {
        "fullnameOverride": naming.release(env, "argocd-image-updater"),
        "serviceAccount": _service_account(config, env, "argocd-image-updater"),
        # ECR tokens live 12 h; the auth script asks for a fresh one with the IRSA role.
        "authScripts": {
            "enabled": True,
            "scripts": {
                "ecr-login.sh": f"#!/bin/sh\naws ecr --region {platform.region} get-authorization-token "
                "--output text --query 'authorizationData[].authorizationToken' | base64 -d\n",
            },
        },
        "config": {
            "registries": [
                {
                    "name": "ecr",
                    "api_url": f"https://{registry}",
                    "prefix": registry,
                    "ping": True,
                    "default": True,
                    "credentials": "ext:/scripts/ecr-login.sh",
                    "credsexpire": "10h",
                }
            ]
        },
        "metrics": {"enabled": True, "serviceMonitor": {"enabled": True}},
    }


def aws_load_balancer_controller(config: PlatformConfig, env: str) -> dict[str, Any]:
    platform = config.platform
    return {
        "fullnameOverride": naming.release(env, "aws-load-balancer-controller"),
        "clusterName": naming.cluster(platform, env),
        "region": platform.region,
        # AL2023 nodes answer IMDS only one hop away (IMDSv2, hop limit 1), so the controller
        # cannot read the VPC id from instance metadata; the VPC id is unknown at synth, so it
        # finds the VPC by the tags the network stack puts on it (chart 1.13.0 vpcTags ->
        # --aws-vpc-tags).
        "vpcTags": naming.vpc_discovery_tags(platform, env),
        "serviceAccount": _service_account(config, env, "aws-load-balancer-controller"),
    }


CATALOG_KINDS = ["Component", "Group", "Resource", "System", "Template"]
SERVICE_ACCOUNT_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"


def catalog_globs() -> list[str]:
    """What Backstage's catalog reads under dist/, as a fixed list of patterns: the teams, the apps
    and the app template. One location per app grew the values, and the chart's app-config
    ConfigMap, with every app (295 KB at 2,000 apps, over the 256 KiB per-object budget). The
    patterns are the naming functions' paths with ``*`` for the name (team and app names are DNS
    labels: no ``/``, no leading dot); no ``**``, which would also read the template's skeleton."""
    return [naming.catalog_team_file("*"), naming.catalog_app_file("*"), naming.CATALOG_TEMPLATE_FILE]


# A `url` location with a glob is a search of the branch. Backstage 1.35 (the image's tag:
# plugin-catalog-backend 1.30.0, backend-defaults 0.7.0):
# - plugins/catalog-backend/src/processors/UrlReaderProcessor.ts, doRead: "Does it contain globs?
#   I.e. does it contain asterisks or question marks (no curly braces for now)": reader.search()
#   when the path git-url-parse takes from the URL matches /[*?]/, else readUrl();
# - packages/backend-defaults/src/entrypoints/urlReader/lib/GithubUrlReader.ts, search/doSearch:
#   `new Minimatch(path)` (minimatch 9 defaults: `*` and `?` never cross `/` nor match a leading
#   dot, `**` spans directories) over the blobs of the branch's recursive git tree (the repository
#   tarball when GitHub truncates the tree), each match reported as
#   https://<host>/<org>/<repo>/blob/<branch>/<path>: the URL its per-file location had, so an
#   entity keeps its location key. The ref is what follows /blob/ (a branch with `/` is cut at its
#   first `/`, as for a plain location). The search's etag is the branch's commit: a commit to the
#   branch re-reads every matched file (a git blob API request each, below the truncation).
def backstage_catalog(config: PlatformConfig, env: str) -> dict[str, Any]:
    """catalog.locations: the generated entities on the env's branch (read through the GitHub
    integration, whose token is the github-token secret)."""
    branch = config.platform.environments[env].branch
    return {
        "rules": [{"allow": CATALOG_KINDS}],
        "locations": [{"type": "url", "target": naming.git_blob_url(config.platform, branch, f"dist/{f}")} for f in catalog_globs()],
    }


def backstage_kubernetes(config: PlatformConfig, env: str) -> dict[str, Any]:
    """The Kubernetes plugin shows the env's cluster, reached in-cluster with Backstage's own
    service account (no token in any file): entities match by their kubernetes-id annotation."""
    return {
        "serviceLocatorMethod": {"type": "multiTenant"},
        "clusterLocatorMethods": [
            {
                "type": "config",
                "clusters": [
                    {
                        "name": naming.cluster(config.platform, env),
                        "url": "https://kubernetes.default.svc",
                        "authProvider": "serviceAccount",
                        "skipTLSVerify": False,
                        "caFilePath": SERVICE_ACCOUNT_CA,
                    }
                ],
            }
        ],
    }


def backstage(config: PlatformConfig, env: str) -> dict[str, Any]:
    platform = config.platform
    component = platform.components["backstage"]
    url = _public_url(config, env, "backstage")
    env_vars: list[dict[str, Any]] = []
    connection: dict[str, Any] = {}
    if component.database is not None:
        # Credentials come from the ExternalSecret-made Secret, never from a rendered file; the
        # variables get explicit names (the Secret's keys are lower-case: host, port, ...).
        db_secret = naming.db_credentials_secret("backstage")
        for key in naming.DATABASE_SECRET_KEYS:
            env_vars.append({"name": env_var("postgres", key), "valueFrom": {"secretKeyRef": {"name": db_secret, "key": key}}})
        connection = {
            "host": "${POSTGRES_HOST}",
            "port": "${POSTGRES_PORT}",
            "user": "${POSTGRES_USERNAME}",
            "password": "${POSTGRES_PASSWORD}",
            # RDS runs with rds.force_ssl=1 (seed report B.5, E.4): unencrypted logins are refused.
            "ssl": {"require": True, "rejectUnauthorized": False},
        }
    for spec in component.secrets:
        for key in spec.keys:
            env_vars.append(
                {"name": env_var(key), "valueFrom": {"secretKeyRef": {"name": naming.secret_k8s("backstage", spec.name), "key": key}}}
            )
    names = {v["name"] for v in env_vars}
    backend: dict[str, Any] = {"baseUrl": url, "cors": {"origin": url}}
    if "BACKEND_SECRET" in names:  # seed report B.1: backend.auth.keys must be set
        backend["auth"] = {"keys": [{"secret": "${BACKEND_SECRET}"}]}
    if connection:
        backend["database"] = {"client": "pg", "connection": connection}
    app_config: dict[str, Any] = {"app": {"baseUrl": url}, "backend": backend}
    if "GITHUB_TOKEN" in names:
        app_config["integrations"] = {"github": [{"host": "github.com", "token": "${GITHUB_TOKEN}"}]}
    app_config["catalog"] = backstage_catalog(config, env)
    app_config["kubernetes"] = backstage_kubernetes(config, env)
    backstage_values: dict[str, Any] = {"appConfig": app_config, "extraEnvVars": env_vars}
    if component.image is not None:
        backstage_values["image"] = {"registry": component.image.registry, "repository": component.image.repository, "tag": component.image.tag}
    return {
        "fullnameOverride": naming.release(env, "backstage"),
        "backstage": backstage_values,
        "postgresql": {"enabled": False},
        "ingress": {"enabled": False},  # cdk8s_app renders the Kong Ingress
        # The Kubernetes plugin reads the cluster with this account (read-only ClusterRole in
        # components/backstage/, cdk8s_app.components.BackstageClusterReader).
        "serviceAccount": {"create": True, "name": naming.backstage_service_account(env)},
    }


def cert_manager(config: PlatformConfig, env: str) -> dict[str, Any]:
    # No fullnameOverride: the chart names objects after the release (naming.release) already.
    return {"crds": {"enabled": True, "keep": True}}


def cluster_autoscaler(config: PlatformConfig, env: str) -> dict[str, Any]:
    platform = config.platform
    name, annotations = _irsa(config, env, "cluster-autoscaler")
    return {
        "fullnameOverride": naming.release(env, "cluster-autoscaler"),
        "autoDiscovery": {"clusterName": naming.cluster(platform, env)},
        "awsRegion": platform.region,
        "rbac": {"serviceAccount": {"create": True, "name": name, "annotations": annotations}},
        "extraArgs": {"balance-similar-node-groups": True, "skip-nodes-with-system-pods": False},
    }


def external_secrets(config: PlatformConfig, env: str) -> dict[str, Any]:
    return {
        "fullnameOverride": naming.release(env, "external-secrets"),
        "installCRDs": True,
        "serviceAccount": _service_account(config, env, "external-secrets"),
    }


def keycloak(config: PlatformConfig, env: str) -> dict[str, Any]:
    platform = config.platform
    component = platform.components["keycloak"]
    admin = _secret(config, "keycloak", "admin")
    if "password" not in admin.keys:
        raise KeyError("keycloak secret 'admin' must have the key 'password'")
    values: dict[str, Any] = {
        "fullnameOverride": naming.release(env, "keycloak"),
        # Seed report A: docker.io/bitnami images are gone; the legacy repository keeps them.
        "global": {"security": {"allowInsecureImages": True}},
        "image": {"registry": "docker.io", "repository": "bitnamilegacy/keycloak"},
        "production": True,
        "proxyHeaders": "xforwarded",  # TLS ends at Kong
        "auth": {"adminUser": "admin", "existingSecret": naming.secret_k8s("keycloak", admin.name), "passwordSecretKey": "password"},
        "ingress": {"enabled": False},  # cdk8s_app renders the Kong Ingress
        "metrics": {"enabled": True, "serviceMonitor": {"enabled": True}},
        # keycloak_user_events_total (logins, login errors) per realm/client: Keycloak docs,
        # "Monitoring user activities with event metrics" (26.x).
        "extraEnvVars": [{"name": "KC_EVENT_METRICS_USER_ENABLED", "value": "true"}],
        "postgresql": {"enabled": False},
    }
    if component.database is not None:
        # Chart 25.x (bitnami/keycloak README, "externalDatabase" parameters): host, port and
        # database are values (the existingSecret*Host/Port/Database keys were removed in 25.0.0,
        # and the chart refuses to render without a host). The host is the env's stable private
        # DNS name for RDS; user and password come from the ExternalSecret-made Secret.
        values["externalDatabase"] = {
            "host": naming.database_host(platform, env),
            "port": naming.DATABASE_PORT,
            "database": component.database.name,
            "existingSecret": naming.db_credentials_secret("keycloak"),
            "existingSecretUserKey": "username",
            "existingSecretPasswordKey": "password",
            "extraParams": "sslmode=require",  # rds.force_ssl=1: appended to the JDBC URL
        }
    return values


def kong(config: PlatformConfig, env: str) -> dict[str, Any]:
    platform = config.platform
    return {
        "fullnameOverride": naming.release(env, "kong"),
        "ingressController": {"enabled": True, "ingressClass": "kong"},
        "proxy": {
            "type": "LoadBalancer",
            # An NLB with a fixed name, made by the AWS LB controller; the DNS stack finds it by name.
            "annotations": {
                "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                "service.beta.kubernetes.io/aws-load-balancer-name": naming.kong_load_balancer(platform, env),
            },
        },
        "serviceMonitor": {"enabled": True},
    }


GRAFANA_ADMIN_SECRET = ADMIN_SECRETS["kube-prometheus-stack"][0]  # declared in config: keys [user key, password key]


def kube_prometheus_stack(config: PlatformConfig, env: str) -> dict[str, Any]:
    platform = config.platform
    grafana: dict[str, Any] = {
        # Grafana's Service is <release>-grafana (naming.component_service); the Ingress backend
        # rule checks that against the rendered chart (seed report §8: the name differed).
        "sidecar": {
            "dashboards": {
                "enabled": True,
                # Seed report I/L: the label the dashboard ConfigMaps carry, watched in every namespace.
                "label": naming.DASHBOARD_LABEL,
                "labelValue": naming.DASHBOARD_LABEL_VALUE,
                "searchNamespace": "ALL",
            },
            "datasources": {"enabled": True},
        },
        "persistence": {"enabled": True, "type": "pvc", "accessModes": ["ReadWriteOnce"], "size": "10Gi"},
        # Seed report L: a RollingUpdate deadlocks on the ReadWriteOnce volume.
        "deploymentStrategy": {"type": "Recreate"},
        "grafana.ini": {"server": {"root_url": _public_url(config, env, "kube-prometheus-stack")}},
        "ingress": {"enabled": False},  # cdk8s_app renders the Kong Ingress
    }
    admin = next((s for s in platform.components["kube-prometheus-stack"].secrets if s.name == GRAFANA_ADMIN_SECRET), None)
    if admin is not None:
        # Otherwise the chart's well-known default admin password ships to every env.
        grafana["admin"] = {"existingSecret": naming.secret_k8s("kube-prometheus-stack", admin.name), "userKey": admin.keys[0], "passwordKey": admin.keys[1]}
    # Grafana reads RDS metrics from CloudWatch with its own IRSA role (read-only).
    account, annotations = _irsa(config, env, "kube-prometheus-stack")
    grafana["serviceAccount"] = {"create": True, "name": account, "annotations": annotations}
    grafana["additionalDataSources"] = grafana_datasources(config, env)
    values: dict[str, Any] = {
        "fullnameOverride": naming.release(env, "kube-prometheus-stack"),
        "crds": {"enabled": True},  # seed report H: the Prometheus CRD was missing
        "grafana": grafana,
        "prometheus": {
            "prometheusSpec": {
                # Pick up ServiceMonitors from every release and namespace, not only this chart's.
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
            }
        },
    }
    if platform.alerting is not None:
        values["alertmanager"] = alertmanager(config, env)
    return values


# Datasource uids dashboards and alerts refer to (the chart names its Prometheus datasource
# `prometheus`: grafana.sidecar.datasources.uid in kube-prometheus-stack's values).
DATASOURCE_UIDS = {"prometheus": "prometheus", "loki": "loki", "tempo": "tempo", "cloudwatch": "cloudwatch"}
# Log lines that carry a trace id (OpenTelemetry SDK log formats): Grafana links them to Tempo.
TRACE_ID_REGEX = r"(?:trace_id|traceID|traceId)[\"=: ]+([0-9a-f]{16,32})"


def grafana_datasources(config: PlatformConfig, env: str) -> list[dict[str, Any]]:
    """Loki (linked to Tempo by trace id), Tempo (linked to Loki and Prometheus), CloudWatch."""
    platform = config.platform
    enabled = config.components_in(env)
    sources: list[dict[str, Any]] = []
    if "loki" in enabled:
        loki_source: dict[str, Any] = {
            "name": "Loki", "type": "loki", "uid": DATASOURCE_UIDS["loki"], "access": "proxy",
            "url": f"http://{naming.loki_gateway(env)}.{platform.components['loki'].namespace}.svc",
        }
        if "tempo" in enabled:
            # `$$`: Grafana's provisioning expands $VAR, so the link's own variable is escaped.
            loki_source["jsonData"] = {"derivedFields": [{"name": "TraceID", "datasourceUid": DATASOURCE_UIDS["tempo"], "matcherRegex": TRACE_ID_REGEX, "url": "$${__value.raw}"}]}
        sources.append(loki_source)
    if "tempo" in enabled:
        json_data: dict[str, Any] = {"serviceMap": {"datasourceUid": DATASOURCE_UIDS["prometheus"]}, "tracesToMetrics": {"datasourceUid": DATASOURCE_UIDS["prometheus"]}, "nodeGraph": {"enabled": True}}
        if "loki" in enabled:
            json_data["tracesToLogsV2"] = {"datasourceUid": DATASOURCE_UIDS["loki"], "filterByTraceID": True, "spanStartTimeShift": "-5m", "spanEndTimeShift": "5m"}
        sources.append({
            "name": "Tempo", "type": "tempo", "uid": DATASOURCE_UIDS["tempo"], "access": "proxy",
            "url": f"http://{naming.release(env, 'tempo')}.{platform.components['tempo'].namespace}.svc:{naming.TEMPO_HTTP_PORT}", "jsonData": json_data,
        })
    sources.append({"name": "CloudWatch", "type": "cloudwatch", "uid": DATASOURCE_UIDS["cloudwatch"], "jsonData": {"authType": "default", "defaultRegion": platform.region}})
    return sources


def alertmanager(config: PlatformConfig, env: str) -> dict[str, Any]:
    """Routing from config; receiver URLs/keys are files of the ExternalSecret-made Secret that
    Alertmanager mounts (``alertmanagerSpec.secrets``): nothing secret is in git."""
    alerting = config.platform.alerting
    assert alerting is not None
    secret = naming.secret_k8s("kube-prometheus-stack", ALERTMANAGER_SECRET)
    path = f"/etc/alertmanager/secrets/{secret}"
    receivers: list[dict[str, Any]] = [{"name": "null"}]
    for receiver in alerting.receivers:
        key_file = f"{path}/{receiver.secret_key}"
        if receiver.type == "slack":
            body: dict[str, Any] = {"slack_configs": [{"api_url_file": key_file, "send_resolved": True, "title": f"[{env}] {{{{ .CommonLabels.alertname }}}}", "text": "{{ .CommonAnnotations.summary }}"}]}
        elif receiver.type == "pagerduty":
            body = {"pagerduty_configs": [{"routing_key_file": key_file, "send_resolved": True}]}
        else:
            body = {"webhook_configs": [{"url_file": key_file, "send_resolved": True}]}
        receivers.append({"name": receiver.name, **body})
    return {
        "alertmanagerSpec": {"secrets": [secret]},
        "config": {
            "global": {"resolve_timeout": "5m"},
            "route": {
                "receiver": alerting.warning,
                "group_by": ["alertname", "namespace"],
                "group_wait": "30s",
                "group_interval": "5m",
                "repeat_interval": "4h",
                "routes": [
                    {"matchers": ['alertname = "Watchdog"'], "receiver": "null"},  # the always-firing heartbeat
                    {"matchers": ['severity = "critical"'], "receiver": alerting.critical},
                ],
            },
            "receivers": receivers,
            "inhibit_rules": [{"source_matchers": ['severity = "critical"'], "target_matchers": ['severity = "warning"'], "equal": ["alertname", "namespace"]}],
        },
    }


def loki(config: PlatformConfig, env: str) -> dict[str, Any]:
    # No fullnameOverride: the chart names objects after the release (naming.release) already.
    retention = config.platform.environments[env].observability.log_retention_days
    return {
        "deploymentMode": "SingleBinary",
        "loki": {
            "auth_enabled": False,
            # The compactor deletes chunks older than the env's retention (Loki docs: retention).
            "limits_config": {"retention_period": f"{retention * 24}h"},
            "compactor": {"retention_enabled": True, "delete_request_store": "filesystem"},
            "commonConfig": {"replication_factor": 1},
            "storage": {"type": "filesystem"},
            "schemaConfig": {
                "configs": [
                    {
                        "from": "2024-01-01",
                        "store": "tsdb",
                        "object_store": "filesystem",
                        "schema": "v13",
                        "index": {"prefix": "index_", "period": "24h"},
                    }
                ]
            },
        },
        "singleBinary": {"replicas": 1, "persistence": {"enabled": True, "size": "10Gi"}},
        "read": {"replicas": 0},
        "write": {"replicas": 0},
        "backend": {"replicas": 0},
        "chunksCache": {"enabled": False},
        "resultsCache": {"enabled": False},
        "lokiCanary": {"enabled": False},
        "test": {"enabled": False},
    }


ALLOY_CONFIG = """// Rendered by goldenpath: pod logs to Loki, OTLP traces to Tempo.
discovery.kubernetes "pods" {
  role = "pod"
  // A DaemonSet: each Alloy pod tails the pods of its own node only.
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("NODE_NAME")
  }
}

discovery.relabel "pod_logs" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    target_label  = "app"
  }
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pod_logs.output
  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url = "{loki_push}"
  }
}
"""

ALLOY_TRACES = """
otelcol.receiver.otlp "default" {
  grpc {
    endpoint = "0.0.0.0:{grpc}"
  }
  http {
    endpoint = "0.0.0.0:{http}"
  }
  output {
    traces = [otelcol.processor.batch.default.input]
  }
}

otelcol.processor.batch "default" {
  output {
    traces = [otelcol.exporter.otlp.tempo.input]
  }
}

otelcol.exporter.otlp "tempo" {
  client {
    endpoint = "{tempo}"
    tls {
      insecure = true
    }
  }
}
"""


def alloy(config: PlatformConfig, env: str) -> dict[str, Any]:
    """Grafana Alloy as a DaemonSet: logs through the Kubernetes API (no hostPath), OTLP in."""
    platform = config.platform
    enabled = config.components_in(env)
    loki_ns = platform.components["loki"].namespace if "loki" in enabled else ""
    text = ALLOY_CONFIG.replace("{loki_push}", f"http://{naming.loki_gateway(env)}.{loki_ns}.svc/loki/api/v1/push")
    ports: list[dict[str, Any]] = []
    if "tempo" in enabled:
        tempo = f"{naming.release(env, 'tempo')}.{platform.components['tempo'].namespace}.svc:{naming.OTLP_GRPC_PORT}"
        text += ALLOY_TRACES.replace("{grpc}", str(naming.OTLP_GRPC_PORT)).replace("{http}", str(naming.OTLP_HTTP_PORT)).replace("{tempo}", tempo)
        ports = [
            {"name": "otlp-grpc", "port": naming.OTLP_GRPC_PORT, "targetPort": naming.OTLP_GRPC_PORT, "protocol": "TCP"},
            {"name": "otlp-http", "port": naming.OTLP_HTTP_PORT, "targetPort": naming.OTLP_HTTP_PORT, "protocol": "TCP"},
        ]
    # No fullnameOverride: the chart names its objects after the release (naming.release) already.
    return {
        "controller": {"type": "daemonset"},
        "alloy": {
            "configMap": {"create": True, "content": text},
            "extraEnv": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
            "extraPorts": ports,
            "enableReporting": False,  # no usage reports leave the cluster
        },
        "serviceMonitor": {"enabled": True},
    }


def tempo(config: PlatformConfig, env: str) -> dict[str, Any]:
    retention = config.platform.environments[env].observability.trace_retention_days
    return {
        "fullnameOverride": naming.release(env, "tempo"),
        "tempo": {"retention": f"{retention * 24}h", "reportingEnabled": False},
        "persistence": {"enabled": True, "size": "10Gi"},
        "serviceMonitor": {"enabled": True},
    }


VALUES: dict[str, Callable[[PlatformConfig, str], dict[str, Any]]] = {
    "alloy": alloy,
    "argocd": argocd,
    "argocd-image-updater": argocd_image_updater,
    "aws-load-balancer-controller": aws_load_balancer_controller,
    "backstage": backstage,
    "cert-manager": cert_manager,
    "cluster-autoscaler": cluster_autoscaler,
    "external-secrets": external_secrets,
    "keycloak": keycloak,
    "kong": kong,
    "kube-prometheus-stack": kube_prometheus_stack,
    "loki": loki,
    "tempo": tempo,
}


def values(config: PlatformConfig, env: str, component: str) -> dict[str, Any]:
    """Helm values of ``component`` in ``env`` (written to ``naming.values_file(env, component)``)."""
    return VALUES[component](config, env)
