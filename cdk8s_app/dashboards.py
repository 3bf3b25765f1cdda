"""Grafana dashboard ConfigMaps: golden signals per app and component, the signals each platform
component really exports, and a platform overview per env (sync health, ingress, error budgets, RDS).

The ConfigMaps carry ``naming.DASHBOARD_LABEL: naming.DASHBOARD_LABEL_VALUE``, the label the
Grafana sidecar in the rendered kube-prometheus-stack watches in all namespaces. Every dashboard
has a unique, deterministic ``uid``; panels name their data source by the uids the
kube-prometheus-stack values provision (``helm_values.DATASOURCE_UIDS``), which the verifier
checks against the rendered Grafana datasource configuration, as it checks every PromQL
expression and metric name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cdk8s_plus_33 import k8s
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.helm_values import DATASOURCE_UIDS

PROMETHEUS = {"type": "prometheus", "uid": DATASOURCE_UIDS["prometheus"]}
LOKI = {"type": "loki", "uid": DATASOURCE_UIDS["loki"]}
CLOUDWATCH = {"type": "cloudwatch", "uid": DATASOURCE_UIDS["cloudwatch"]}


@dataclass(frozen=True)
class Signals:
    """PromQL for the RED panels of one service; already scoped."""

    rate: str
    errors: str  # ratio 0..1
    latency_bucket: str  # histogram bucket series (summed by le)
    latency_unit: str  # "ms" or "s"


@dataclass(frozen=True)
class Panel:
    title: str
    exprs: tuple[str, ...]
    unit: str = "short"
    legend: str = ""


def kong_service_selector(namespace: str, service: str) -> str:
    """Label matcher for one Kubernetes Service in Kong's metrics: the ingress controller names
    Kong services ``<namespace>.<service>.<port>``."""
    return f'service=~"{namespace}\\\\.{service}\\\\..*"'


def kong_signals(namespace: str, service: str | None = None) -> Signals:
    """RED from Kong's prometheus plugin (kong_http_requests_total, kong_request_latency_ms)."""
    sel = kong_service_selector(namespace, service) if service else ""
    return Signals(
        rate=f"sum(rate(kong_http_requests_total{{{sel}}}[5m]))",
        errors=f'sum(rate(kong_http_requests_total{{{sel + "," if sel else ""}code=~"5.."}}[5m])) / clamp_min(sum(rate(kong_http_requests_total{{{sel}}}[5m])), 1e-9)',
        latency_bucket=f"sum by (le) (rate(kong_request_latency_ms_bucket{{{sel}}}[5m]))",
        latency_unit="ms",
    )


def app_signals(namespace: str) -> Signals:
    """RED from an app's own conventional HTTP metrics (for apps not behind Kong)."""
    sel = f'namespace="{namespace}"'
    return Signals(
        rate=f"sum(rate(http_requests_total{{{sel}}}[5m]))",
        errors=f'sum(rate(http_requests_total{{{sel},status=~"5.."}}[5m])) / clamp_min(sum(rate(http_requests_total{{{sel}}}[5m])), 1e-9)',
        latency_bucket=f"sum by (le) (rate(http_request_duration_seconds_bucket{{{sel}}}[5m]))",
        latency_unit="s",
    )


# What each component exports, by its own documentation (the verifier keeps the same lists, with
# their sources, in goldenpath/verify/metrics/): Argo CD "Metrics"; Kong Prometheus plugin;
# Keycloak "event metrics" and Quarkus/Micrometer JVM and HTTP metrics; cert-manager
# "Prometheus Metrics"; External Secrets "Metrics". Backstage's image exports none: its
# dashboard shows Kong's view of it, its pods and its logs.
COMPONENT_PANELS: dict[str, tuple[Panel, ...]] = {
    "argocd": (
        Panel("Applications by health", ("sum by (health_status) (argocd_app_info)",), legend="{{health_status}}"),
        Panel("Applications by sync status", ("sum by (sync_status) (argocd_app_info)",), legend="{{sync_status}}"),
        Panel("Syncs per hour by phase", ("sum by (phase) (increase(argocd_app_sync_total[1h]))",), legend="{{phase}}"),
        Panel("Reconciliation p95", ("histogram_quantile(0.95, sum by (le) (rate(argocd_app_reconcile_bucket[5m])))",), "s", "p95"),
        Panel("Git requests per second", ("sum by (request_type) (rate(argocd_git_request_total[5m]))",), "reqps", "{{request_type}}"),
    ),
    "kong": (
        Panel("Connections by state", ("sum by (state) (kong_nginx_connections_total)",), legend="{{state}}"),
        Panel("Upstream targets by health", ("sum by (upstream, state) (kong_upstream_target_health)",), legend="{{upstream}} {{state}}"),
        Panel("Requests by status code", ("sum by (code) (rate(kong_http_requests_total[5m]))",), "reqps", "{{code}}"),
        Panel("Upstream latency p95", ("histogram_quantile(0.95, sum by (le) (rate(kong_upstream_latency_ms_bucket[5m])))",), "ms", "p95"),
    ),
    "keycloak": (
        Panel("Logins per minute", ('sum by (realm) (rate(keycloak_user_events_total{event="login",error=""}[5m])) * 60',), legend="{{realm}}"),
        Panel("Failed logins per minute", ('sum by (realm, error) (rate(keycloak_user_events_total{event="login",error!=""}[5m])) * 60',), legend="{{realm}} {{error}}"),
        Panel("JVM heap used", ('sum by (pod) (jvm_memory_used_bytes{namespace="keycloak",area="heap"})',), "bytes", "{{pod}}"),
        Panel("HTTP requests by status", ('sum by (status) (rate(http_server_requests_seconds_count{namespace="keycloak"}[5m]))',), "reqps", "{{status}}"),
    ),
    "cert-manager": (
        Panel("Days until certificate expiry", ("min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time()) / 86400",), "d", "{{namespace}}/{{name}}"),
        Panel("Certificates not ready", ('sum(certmanager_certificate_ready_status{condition="False"})',)),
        Panel("ACME requests by status", ("sum by (status) (rate(certmanager_http_acme_client_request_count[5m]))",), "reqps", "{{status}}"),
    ),
    "external-secrets": (
        Panel("ExternalSecrets not ready", ('sum by (namespace) (externalsecret_status_condition{condition="Ready",status="False"})',), legend="{{namespace}}"),
        Panel("Sync calls per second", ("sum(rate(externalsecret_sync_calls_total[5m]))",), "reqps"),
        Panel("Sync errors per second", ("sum by (namespace, name) (rate(externalsecret_sync_calls_error[5m]))",), "reqps", "{{namespace}}/{{name}}"),
    ),
    "backstage": (),
}

# AWS/RDS metrics (Amazon RDS User Guide, "Amazon CloudWatch metrics for Amazon RDS").
RDS_METRICS = (
    ("CPU utilisation", "CPUUtilization", "percent"),
    ("Database connections", "DatabaseConnections", "short"),
    ("Free storage", "FreeStorageSpace", "bytes"),
    ("Freeable memory", "FreeableMemory", "bytes"),
    ("Read latency", "ReadLatency", "s"),
    ("Write latency", "WriteLatency", "s"),
)


@dataclass
class _Layout:
    panels: list[dict[str, Any]] = field(default_factory=list)
    x: int = 0
    y: int = 0

    def add(self, title: str, datasource: dict[str, str], targets: list[dict[str, Any]], unit: str = "short", kind: str = "timeseries", w: int = 12) -> None:
        if self.x + w > 24:
            self.x, self.y = 0, self.y + 8
        panel: dict[str, Any] = {
            "id": len(self.panels) + 1,
            "type": kind,
            "title": title,
            "datasource": datasource,
            "gridPos": {"x": self.x, "y": self.y, "w": w, "h": 8},
            "targets": [{**t, "datasource": datasource, "refId": chr(ord("A") + i)} for i, t in enumerate(targets)],
        }
        if kind == "timeseries":
            panel["fieldConfig"] = {"defaults": {"unit": unit}, "overrides": []}
        else:
            panel["options"] = {"showTime": True, "wrapLogMessage": True, "sortOrder": "Descending"}
        self.panels.append(panel)
        self.x += w

    def prometheus(self, panel: Panel, w: int = 12) -> None:
        self.add(panel.title, PROMETHEUS, [{"expr": e, "legendFormat": panel.legend} for e in panel.exprs], panel.unit, w=w)


def _red(layout: _Layout, signals: Signals) -> None:
    layout.prometheus(Panel("Rate: requests per second", (signals.rate,), "reqps", "rps"))
    layout.prometheus(Panel("Errors: 5xx ratio", (signals.errors,), "percentunit", "5xx"))
    quantiles = [{"expr": f"histogram_quantile({q}, {signals.latency_bucket})", "legendFormat": f"p{int(q * 100)}"} for q in (0.5, 0.95, 0.99)]
    layout.add("Duration: p50 / p95 / p99", PROMETHEUS, quantiles, signals.latency_unit)


def _saturation_and_logs(layout: _Layout, namespace: str) -> None:
    ns = f'namespace="{namespace}"'
    layout.prometheus(Panel("Saturation: CPU (cores)", (f'sum by (pod) (rate(container_cpu_usage_seconds_total{{{ns},container!=""}}[5m]))',), legend="{{pod}}"), w=6)
    layout.prometheus(Panel("Saturation: memory (working set)", (f'sum by (pod) (container_memory_working_set_bytes{{{ns},container!=""}})',), "bytes", "{{pod}}"), w=6)
    # The labels Alloy sets on every log line (helm_values.ALLOY_CONFIG): namespace, pod, container, app.
    layout.add("Logs", LOKI, [{"expr": f"{{{ns}}}"}], kind="logs", w=24)


def _model(*, uid: str, title: str, tags: list[str], panels: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": tags,
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "30s",
        "timezone": "browser",
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": panels,
    }


def dashboard(*, uid: str, title: str, namespace: str, signals: Signals | None, tags: list[str], extra: tuple[Panel, ...] = ()) -> dict[str, Any]:
    """Golden signals (rate, errors, duration; when the service has traffic metrics), the
    component's own signals, saturation, logs."""
    layout = _Layout()
    if signals is not None:
        _red(layout, signals)
    for panel in extra:
        layout.prometheus(panel)
    _saturation_and_logs(layout, namespace)
    return _model(uid=uid, title=title, tags=tags, panels=layout.panels)


def rds_targets(config: PlatformConfig, env: str, metric: str) -> list[dict[str, Any]]:
    return [{
        "namespace": "AWS/RDS", "metricName": metric, "dimensions": {"DBInstanceIdentifier": naming.rds_identifier(config.platform, env)},
        "statistic": "Average", "period": "300", "region": "default", "queryMode": "Metrics", "metricQueryType": 0, "metricEditorMode": 0,
    }]


def overview(config: PlatformConfig, env: str, slo_budgets: dict[str, float]) -> dict[str, Any]:
    """One page per env: GitOps health, ingress traffic, error budget left per app, RDS."""
    layout = _Layout()
    layout.prometheus(Panel("Argo CD applications not Healthy", ('sum by (health_status) (argocd_app_info{health_status!="Healthy"})',), legend="{{health_status}}"))
    layout.prometheus(Panel("Argo CD applications OutOfSync", ('sum(argocd_app_info{sync_status="OutOfSync"})',)))
    layout.prometheus(Panel("Ingress requests per second by service", ("sum by (service) (rate(kong_http_requests_total[5m]))",), "reqps", "{{service}}"))
    layout.prometheus(Panel("Ingress 5xx ratio by service", ('sum by (service) (rate(kong_http_requests_total{code=~"5.."}[5m])) / clamp_min(sum by (service) (rate(kong_http_requests_total[5m])), 1e-9)',), "percentunit", "{{service}}"))
    if slo_budgets:
        # Error budget left over 3 days: 1 - (bad-event ratio / allowed ratio).
        # One target per distinct objective, not one per app: a target per app made this ConfigMap
        # grow with the apps, past the 256 KiB manifest budget at ~1,300 apps (issue 14). The
        # series exist only for the apps with SLO rules in this env, so one objective needs no filter.
        by_allowed: dict[float, list[str]] = {}
        for app, allowed in sorted(slo_budgets.items()):
            by_allowed.setdefault(allowed, []).append(app)
        targets = []
        for allowed, apps in sorted(by_allowed.items()):
            selector = "" if len(by_allowed) == 1 else '{app=~"' + "|".join(apps) + '"}'
            targets.append({"expr": f"1 - max by (app) (app:slo_errors:ratio_rate3d{selector}) / {allowed:.6g}", "legendFormat": "{{app}}"})
        layout.add("Availability error budget left (3d)", PROMETHEUS, targets, "percentunit", w=24)
    for title, metric, unit in RDS_METRICS:
        layout.add(f"RDS: {title}", CLOUDWATCH, rds_targets(config, env, metric), unit, w=8)
    return _model(uid=naming.dashboard_uid(env, "platform"), title=f"Platform overview ({env})", tags=["platform", env], panels=layout.panels)


class DashboardConfigMap(Construct):
    """The ConfigMap the Grafana sidecar loads: ``naming.dashboard_configmap(owner)`` in ``namespace``."""

    def __init__(
        self, scope: Construct, id: str, *, env: str, owner: str, namespace: str, signals: Signals | None = None,
        extra: tuple[Panel, ...] = (), model: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.model = model or dashboard(
            uid=naming.dashboard_uid(env, owner),
            title=f"{owner} ({env}): golden signals",
            namespace=namespace,
            signals=signals,
            tags=["golden-signals", env, owner],
            extra=extra,
        )
        self.this = k8s.KubeConfigMap(
            self,
            "configmap",
            metadata=k8s.ObjectMeta(
                name=naming.dashboard_configmap(owner),
                namespace=namespace,
                labels={naming.DASHBOARD_LABEL: naming.DASHBOARD_LABEL_VALUE},
            ),
            data={f"{owner}.json": json.dumps(self.model, indent=2, sort_keys=True)},
        )
