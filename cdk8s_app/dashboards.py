"""Grafana dashboard ConfigMaps with RED golden signals (seed report I, L, M).

The ConfigMaps carry ``naming.DASHBOARD_LABEL: naming.DASHBOARD_LABEL_VALUE``, the label the
Grafana sidecar in the rendered kube-prometheus-stack values watches in all namespaces. Every
dashboard has a unique, deterministic ``uid`` and selects its data sources through the
``${datasource}`` (Prometheus) and ``${loki}`` template variables, so it works in any Grafana.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cdk8s_plus_33 import k8s
from constructs import Construct

from goldenpath import naming


@dataclass(frozen=True)
class Signals:
    """PromQL for the RED panels of one service; ``{sel}``-free, already scoped."""

    rate: str
    errors: str  # ratio 0..1
    latency_bucket: str  # histogram bucket series (summed by le)
    latency_unit: str  # "ms" or "s"


def kong_signals(namespace: str, service: str | None = None) -> Signals:
    """RED from Kong's prometheus plugin; ``service`` labels look like ``<namespace>.<service>.<port>``."""
    sel = f'service=~"{namespace}\\\\.{service}\\\\..*"' if service else ""
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


def _panel(
    pid: int, title: str, x: int, y: int, targets: list[dict[str, Any]], unit: str, kind: str = "timeseries", w: int = 12
) -> dict[str, Any]:
    datasource = {"type": "loki", "uid": "${loki}"} if kind == "logs" else {"type": "prometheus", "uid": "${datasource}"}
    panel: dict[str, Any] = {
        "id": pid,
        "type": kind,
        "title": title,
        "datasource": datasource,
        "gridPos": {"x": x, "y": y, "w": w, "h": 8},
        "targets": [{**t, "datasource": datasource, "refId": chr(ord("A") + i)} for i, t in enumerate(targets)],
    }
    if kind == "timeseries":
        panel["fieldConfig"] = {"defaults": {"unit": unit}, "overrides": []}
    else:
        panel["options"] = {"showTime": True, "wrapLogMessage": True, "sortOrder": "Descending"}
    return panel


def dashboard(*, uid: str, title: str, namespace: str, signals: Signals, tags: list[str]) -> dict[str, Any]:
    """A Grafana dashboard model: rate, errors, duration p50/p95/p99, saturation, logs."""
    ns = f'namespace="{namespace}"'
    quantiles = [
        {"expr": f"histogram_quantile({q}, {signals.latency_bucket})", "legendFormat": f"p{int(q * 100)}"} for q in (0.5, 0.95, 0.99)
    ]
    panels = [
        _panel(1, "Rate: requests per second", 0, 0, [{"expr": signals.rate, "legendFormat": "rps"}], "reqps"),
        _panel(2, "Errors: 5xx ratio", 12, 0, [{"expr": signals.errors, "legendFormat": "5xx"}], "percentunit"),
        _panel(3, "Duration: p50 / p95 / p99", 0, 8, quantiles, signals.latency_unit),
        _panel(
            4,
            "Saturation: CPU (cores)",
            12,
            8,
            [{"expr": f'sum by (pod) (rate(container_cpu_usage_seconds_total{{{ns},container!=""}}[5m]))', "legendFormat": "{{pod}}"}],
            "short",
            w=6,
        ),
        _panel(
            5,
            "Saturation: memory (working set)",
            18,
            8,
            [{"expr": f'sum by (pod) (container_memory_working_set_bytes{{{ns},container!=""}})', "legendFormat": "{{pod}}"}],
            "bytes",
            w=6,
        ),
        _panel(6, "Logs", 0, 16, [{"expr": f"{{{ns}}}"}], "", kind="logs", w=24),
    ]
    variables = [
        {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus", "hide": 0, "current": {}},
        {"name": "loki", "label": "Loki", "type": "datasource", "query": "loki", "hide": 0, "current": {}},
    ]
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
        "templating": {"list": variables},
        "annotations": {"list": []},
        "panels": panels,
    }


class DashboardConfigMap(Construct):
    """The ConfigMap the Grafana sidecar loads: ``naming.dashboard_configmap(owner)`` in ``namespace``."""

    def __init__(self, scope: Construct, id: str, *, env: str, owner: str, namespace: str, signals: Signals) -> None:
        super().__init__(scope, id)
        self.model = dashboard(
            uid=naming.dashboard_uid(env, owner),
            title=f"{owner} ({env}): golden signals",
            namespace=namespace,
            signals=signals,
            tags=["golden-signals", env, owner],
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
