"""Dashboards: found by the sidecar, valid Grafana JSON, unique uids, RED panels (seed I, L, M)."""

from __future__ import annotations

import json

from goldenpath import naming
from goldenpath.config import PlatformConfig
from tests.cdk8s_app.conftest import Tree, of_kind


def dashboards(tree: Tree) -> list[tuple[str, dict, dict]]:
    out = []
    for env, files in tree.items():
        for cm in of_kind(files, "ConfigMap").values():
            if naming.DASHBOARD_LABEL in cm["metadata"].get("labels", {}):
                (body,) = cm["data"].values()
                out.append((env, cm, json.loads(body)))
    return out


def test_sidecar_watches_the_label_the_dashboards_carry(tree: Tree) -> None:
    for env, files in tree.items():
        sidecar = files["values/kube-prometheus-stack.yaml"]["grafana"]["sidecar"]["dashboards"]
        assert sidecar["enabled"] is True
        assert sidecar["searchNamespace"] == "ALL"
        for _env, cm, _ in (d for d in dashboards(tree) if d[0] == env):
            assert cm["metadata"]["labels"][sidecar["label"]] == sidecar["labelValue"]


def test_one_dashboard_per_tooling_component_and_dashboard_app(config: PlatformConfig, tree: Tree) -> None:
    for env in tree:
        names = {cm["metadata"]["name"] for e, cm, _ in dashboards(tree) if e == env}
        want = {naming.dashboard_configmap(o) for o in ("argocd", "backstage", "cert-manager", "external-secrets", "keycloak", "kong", "platform")}
        want |= {naming.dashboard_configmap(a.name) for a in config.apps_in(env) if a.dashboard}
        assert names == want


def test_dashboards_have_unique_uids_and_name_the_provisioned_datasources(tree: Tree) -> None:
    all_dashboards = dashboards(tree)
    uids = [d["uid"] for _, _, d in all_dashboards]
    assert len(uids) == len(set(uids)) and all(0 < len(u) <= 40 for u in uids)
    for _env, cm, model in all_dashboards:
        titles = " ".join(p["title"] for p in model["panels"]).lower()
        name = cm["metadata"]["name"]
        if name == "platform-dashboard":
            assert {p["datasource"]["uid"] for p in model["panels"]} == {"prometheus", "cloudwatch"}
            continue
        # saturation and logs everywhere; golden signals wherever the service has traffic metrics
        for signal in ("saturation", "logs"):
            assert signal in titles, (name, signal)
        if name not in ("cert-manager-dashboard", "external-secrets-dashboard"):
            for signal in ("rate", "errors", "duration"):
                assert signal in titles, (name, signal)
            exprs = [t["expr"] for p in model["panels"] for t in p["targets"]]
            assert sum(e.startswith("histogram_quantile(0.") and "latency" in e or "duration" in e for e in exprs) >= 3
        assert {p["datasource"]["uid"] for p in model["panels"]} == {"prometheus", "loki"}
        assert all(p["targets"] for p in model["panels"])
        ids = [p["id"] for p in model["panels"]]
        assert len(ids) == len(set(ids))
