"""PrometheusRules: the platform's alerts, and per app its SLOs as multi-window burn-rate alerts.

Every alert carries ``severity``, a ``summary`` and a ``runbook_url`` to ``docs/runbooks/<alert>.md``
in the platform repository (the verifier checks the page exists). Metric names are the ones the
components document (the verifier checks them against ``goldenpath/verify/metrics/``).

Burn-rate alerting follows the Google SRE workbook, "Alerting on SLOs", table 5 (multiwindow,
multi-burn-rate): page at 14.4x over 1h and 5m or 6x over 6h and 30m; ticket at 3x over 1d and 2h
or 1x over 3d and 6h. Ratios are recorded once per window so the alerts stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import cdk8s
from constructs import Construct

from cdk8s_app.dashboards import kong_service_selector
from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.model import App
from imports.prometheus_prometheusrule.com.coreos.monitoring import (
    PrometheusRule,
    PrometheusRuleSpec,
    PrometheusRuleSpecGroups,
    PrometheusRuleSpecGroupsRules,
    PrometheusRuleSpecGroupsRulesExpr,
)

RUNBOOK_DIR = "docs/runbooks"
WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
# (severity, long window, short window, burn rate)
BURN_RATES = (("critical", "1h", "5m", 14.4), ("critical", "6h", "30m", 6.0), ("warning", "1d", "2h", 3.0), ("warning", "3d", "6h", 1.0))


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    for_: str
    severity: str
    summary: str


# Sources of the metric names: Argo CD "Metrics" docs (argocd_app_info), cert-manager
# "Prometheus Metrics" docs, External Secrets "Metrics" docs (externalsecret_status_condition),
# Kong Prometheus plugin docs, kubelet volume stats and kube-state-metrics docs (kube_node_*,
# kube_pod_container_status_waiting_reason, kube_job_status_failed).
PLATFORM_ALERTS = (
    Alert("ArgoCDAppOutOfSync", 'max by (name, project) (argocd_app_info{sync_status="OutOfSync"}) == 1', "30m", "warning",
          "Argo CD Application {{ $labels.name }} has been OutOfSync for 30 minutes"),
    Alert("ArgoCDAppDegraded", 'max by (name, project) (argocd_app_info{health_status=~"Degraded|Missing"}) == 1', "10m", "critical",
          "Argo CD Application {{ $labels.name }} is {{ $labels.health_status }}"),
    Alert("CertificateExpiringSoon", "min by (name, namespace) (certmanager_certificate_expiration_timestamp_seconds) - time() < 14 * 24 * 3600", "1h", "warning",
          "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days"),
    Alert("CertificateNotReady", 'max by (name, namespace) (certmanager_certificate_ready_status{condition="False"}) == 1', "15m", "warning",
          "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not Ready"),
    Alert("ExternalSecretSyncFailing", 'max by (name, namespace) (externalsecret_status_condition{condition="Ready",status="False"}) == 1', "15m", "warning",
          "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} cannot sync from Secrets Manager"),
    Alert("KongHigh5xxRatio", 'sum(rate(kong_http_requests_total{code=~"5.."}[5m])) / clamp_min(sum(rate(kong_http_requests_total[5m])), 1) > 0.05', "10m", "critical",
          "More than 5% of requests through Kong fail with 5xx"),
    Alert("PersistentVolumeAlmostFull", "max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes) > 0.85", "15m", "warning",
          "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is more than 85% full"),
    Alert("NodeNotReady", 'max by (node) (kube_node_status_condition{condition="Ready",status="true"}) == 0', "10m", "critical",
          "Node {{ $labels.node }} has not been Ready for 10 minutes"),
    Alert("PodCrashLooping", 'max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) == 1', "15m", "warning",
          "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is crash looping"),
    Alert("DatabaseProvisioningFailed", f'max by (job_name) (kube_job_status_failed{{namespace="{naming.DATABASE_NAMESPACE}"}}) > 0', "5m", "critical",
          "The database provisioning Job {{ $labels.job_name }} failed: roles or databases are missing"),
)


def runbook_url(config: PlatformConfig, env: str, alert: str) -> str:
    """The runbook page on the env's branch of the platform repository."""
    repo = config.platform.git.repo_url.removesuffix(".git")
    return f"{repo}/blob/{config.platform.environments[env].branch}/{RUNBOOK_DIR}/{alert}.md"


def _rule(*, expr: str, alert: str | None = None, record: str | None = None, for_: str | None = None,
          labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None) -> PrometheusRuleSpecGroupsRules:
    return PrometheusRuleSpecGroupsRules(
        expr=PrometheusRuleSpecGroupsRulesExpr.from_string(expr), alert=alert, record=record, for_=for_, labels=labels, annotations=annotations
    )


def _alert(config: PlatformConfig, env: str, alert: Alert, labels: dict[str, str] | None = None) -> PrometheusRuleSpecGroupsRules:
    return _rule(
        expr=alert.expr, alert=alert.name, for_=alert.for_, labels={"severity": alert.severity, **(labels or {})},
        annotations={"summary": alert.summary, "runbook_url": runbook_url(config, env, alert.name)},
    )


class PlatformAlerts(Construct):
    """The platform's own alerts (kube-prometheus-stack's default rules cover Kubernetes itself)."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str, namespace: str) -> None:
        super().__init__(scope, id)
        self.this = PrometheusRule(
            self,
            "rule",
            metadata=cdk8s.ApiObjectMetadata(name="platform-alerts", namespace=namespace),
            spec=PrometheusRuleSpec(groups=[PrometheusRuleSpecGroups(name="platform", rules=[_alert(config, env, a) for a in PLATFORM_ALERTS])]),
        )


@dataclass(frozen=True)
class SloQueries:
    """PromQL for an app's bad-event ratios over a window ``{w}``."""

    errors: str
    slow: str


def le_matcher(bound: float) -> str:
    """Matches a histogram bucket bound however the exporter spells it: Kong's
    nginx-lua-prometheus zero-pads (``00300.0``), client libraries write ``0.25`` or ``1.0``,
    Prometheus 3 normalises to floats. An exact ``le="300"`` would silently match nothing."""
    whole, _, fraction = f"{bound:f}".rstrip("0").partition(".")
    fraction_re = f"\\\\.{fraction}0*" if fraction else "(\\\\.0+)?"
    return f'le=~"0*{whole}{fraction_re}"'


def slo_queries(app: App) -> SloQueries:
    """Kong's metrics for public apps (kong_http_requests_total, kong_request_latency_ms), the
    Prometheus client libraries' conventional HTTP metrics for internal ones."""
    namespace = naming.app_namespace(app)
    if app.public is not None:
        sel = kong_service_selector(namespace, app.name)
        return SloQueries(
            errors=f'sum(rate(kong_http_requests_total{{{sel},code=~"5.."}}[{{w}}])) / clamp_min(sum(rate(kong_http_requests_total{{{sel}}}[{{w}}])), 1e-9)',
            slow=f"1 - sum(rate(kong_request_latency_ms_bucket{{{sel},{le_matcher(app.slo.latency_ms)}}}[{{w}}])) / clamp_min(sum(rate(kong_request_latency_ms_count{{{sel}}}[{{w}}])), 1e-9)",
        )
    sel = f'namespace="{namespace}"'
    return SloQueries(
        errors=f'sum(rate(http_requests_total{{{sel},status=~"5.."}}[{{w}}])) / clamp_min(sum(rate(http_requests_total{{{sel}}}[{{w}}])), 1e-9)',
        slow=f"1 - sum(rate(http_request_duration_seconds_bucket{{{sel},{le_matcher(app.slo.latency_ms / 1000)}}}[{{w}}])) / clamp_min(sum(rate(http_request_duration_seconds_count{{{sel}}}[{{w}}])), 1e-9)",
    )


def slo_record(kind: str, window: str) -> str:
    """Recorded bad-event ratio of one SLO (``errors`` or ``slow``) over ``window``."""
    return f"app:slo_{kind}:ratio_rate{window}"


class AppSloRules(Construct):
    """Recording rules for the app's bad-event ratios and the burn-rate alerts on them."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str, app: App) -> None:
        super().__init__(scope, id)
        namespace = naming.app_namespace(app)
        queries = slo_queries(app)
        identity = {"app": app.name}
        recordings = [
            _rule(expr=template.replace("{w}", window), record=slo_record(kind, window), labels=identity)
            for kind, template in (("errors", queries.errors), ("slow", queries.slow))
            for window in WINDOWS
        ]
        alerts = []
        objectives = (("errors", "AppAvailabilityBudgetBurn", 1 - app.slo.availability / 100, f"availability {app.slo.availability}%"),
                      ("slow", "AppLatencyBudgetBurn", 1 - app.slo.latency_percent / 100, f"{app.slo.latency_percent}% of requests under {app.slo.latency_ms} ms"))
        for kind, name, budget, objective in objectives:
            for severity in ("critical", "warning"):
                pairs = [(long, short, rate) for sev, long, short, rate in BURN_RATES if sev == severity]
                sel = f'app="{app.name}"'
                expr = " or ".join(
                    f"({slo_record(kind, long)}{{{sel}}} > {rate * budget:.6g} and {slo_record(kind, short)}{{{sel}}} > {rate * budget:.6g})"
                    for long, short, rate in pairs
                )
                summary = f"{app.name} burns its error budget ({objective}) {'fast: page' if severity == 'critical' else 'steadily: ticket'}"
                alerts.append(_alert(config, env, Alert(name, expr, "2m" if severity == "critical" else "15m", severity, summary), labels=identity))
        self.this = PrometheusRule(
            self,
            "rule",
            metadata=cdk8s.ApiObjectMetadata(name=f"{app.name}-slo", namespace=namespace),
            spec=PrometheusRuleSpec(groups=[
                PrometheusRuleSpecGroups(name=f"{app.name}-slo-ratios", rules=recordings),
                PrometheusRuleSpecGroups(name=f"{app.name}-slo-alerts", rules=alerts),
            ]),
        )


ALERT_NAMES = tuple(sorted({a.name for a in PLATFORM_ALERTS} | {"AppAvailabilityBudgetBurn", "AppLatencyBudgetBurn"}))
