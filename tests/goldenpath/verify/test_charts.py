"""Charts layer: the real charts render clean with the real tree; one minimal, realistic edit of
the artifacts breaks exactly one rule (and the rule sees it through the chart's own render)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from goldenpath.verify import engine
from tests.goldenpath.verify.test_consistency import Mutation, _set, edit_yaml

LAYERS = ("schema", "consistency", "charts")


def _rules(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for v in engine.run(root / "cdktf.out", root / "gitops", layers=LAYERS):
        found.setdefault(v.rule, []).append(str(v))
    return found


def _drop_sync_option(option: str):  # type: ignore[no-untyped-def]
    def change(obj: dict[str, Any]) -> None:
        options = obj["spec"]["syncPolicy"]["syncOptions"]
        options.remove(option)

    return change


def _drop_annotation(name: str):  # type: ignore[no-untyped-def]
    def change(obj: dict[str, Any]) -> None:
        del obj["metadata"]["annotations"][name]

    return change


def _backstage_reads_other_key(values: dict[str, Any]) -> None:
    for variable in values["backstage"]["extraEnvVars"]:
        ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
        if ref and ref["key"] == "github-token":
            ref["key"] = "github_token"  # seed C/D: the Secret has github-token


def _many_catalog_locations(values: dict[str, Any]) -> None:
    catalog = values["backstage"]["appConfig"]["catalog"]
    template = catalog["locations"][0]["target"]
    catalog["locations"] = [{"type": "url", "target": template.replace("*", f"bench-app-{i:04d}")} for i in range(3000)]


CASES: dict[str, Mutation] = {
    # A value the chart's values.schema.json rejects (Argo CD: ComparisonError, nothing deployed).
    "chart-render": lambda r: edit_yaml(r, "dev/values/cert-manager.yaml", _set(["replicaCount"], "two")),
    # A typo at the top level: Helm ignores it and the default Service type ships.
    "chart-values-known": lambda r: edit_yaml(r, "dev/values/kong.yaml", _set(["proxyy"], {"type": "ClusterIP"})),
    # An annotation value that is not a string renders an object the API server rejects.
    "chart-schema": lambda r: edit_yaml(r, "dev/values/cluster-autoscaler.yaml", _set(["podAnnotations"], {"example.com/revision": 3})),
    # Kong's genCA webhook certificate changes on every render.
    "chart-settle": lambda r: edit_yaml(r, "dev/apps/application-dev-kong.yaml", _set(["spec", "ignoreDifferences"], [])),
    # external-secrets' SecretStore CRDs are larger than the last-applied annotation allows.
    "chart-crd-size": lambda r: edit_yaml(r, "dev/apps/application-dev-external-secrets.yaml", _drop_sync_option("ServerSideApply=true")),
    # One catalog location per app (the 2,000-app values before the fix): the app-config ConfigMap
    # Backstage's chart renders from them passes 256 KiB.
    "chart-object-size": lambda r: edit_yaml(r, "dev/values/backstage.yaml", _many_catalog_locations),
    # node-exporter needs the host's network, PID namespace and paths: only `privileged` admits it.
    "chart-pod-security": lambda r: edit_yaml(r, "dev/platform/namespaces/namespace-monitoring.yaml", _set(["metadata", "labels", "pod-security.kubernetes.io/enforce"], "baseline")),
    # Argo CD's Application and Terraform's bootstrap release both create every Argo CD object.
    "chart-single-owner": lambda r: edit_yaml(r, "dev/apps/application-dev-argocd.yaml", _drop_annotation("goldenpath.io/adopts-helm-release")),
    "chart-secret-refs": lambda r: edit_yaml(r, "dev/values/backstage.yaml", _backstage_reads_other_key),
    # The chart default for Backstage is the mutable `latest`.
    "image-pinned": lambda r: edit_yaml(r, "dev/values/backstage.yaml", _set(["backstage", "image", "tag"], "latest")),
}


def test_default_platform_charts_verify_clean(synthesized: Path) -> None:
    # GIVEN the default platform WHEN every chart is rendered with its values THEN nothing is wrong
    assert {k: v for k, v in _rules(synthesized).items()} == {}


def test_every_charts_rule_has_a_mutation() -> None:
    assert {r.id for r in engine.all_rules() if r.layer == "charts"} == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_mutation_breaks_exactly_its_rule(artifact_copy: Path, rule_id: str) -> None:
    # GIVEN the real artifacts WHEN one realistic edit is applied
    CASES[rule_id](artifact_copy)
    # THEN that rule, and only that rule, reports (seen through the chart's render)
    found = _rules(artifact_copy)
    assert set(found) == {rule_id}, found


def test_every_env_and_component_is_rendered(synthesized: Path) -> None:
    from goldenpath.verify.artifacts import load
    from goldenpath.verify.releases import releases

    found = releases(load(synthesized / "cdktf.out", synthesized / "gitops"))
    by_env: dict[str, set[str]] = {}
    for release in found:
        assert release.render is not None and release.error is None, release.error
        assert release.objects, f"{release.owner.ref} rendered nothing"
        if not release.by_terraform:
            by_env.setdefault(release.env, set()).add(release.chart)
    charts = {"alloy", "tempo", "argo-cd", "argocd-image-updater", "aws-load-balancer-controller", "backstage", "cert-manager", "cluster-autoscaler",
              "external-secrets", "keycloak", "kong", "kube-prometheus-stack", "loki"}
    assert by_env == {"dev": charts, "staging": charts, "prod": charts}
    # AND Terraform's bootstrap release is rendered too, in every env
    assert sorted(r.env for r in found if r.by_terraform and r.chart == "argo-cd") == ["dev", "prod", "staging"]


def test_keycloak_without_a_host_does_not_render(artifact_copy: Path) -> None:
    """The defect this layer was built for: Keycloak 25 refuses to render without
    externalDatabase.host (its NOTES.txt validation), so Argo CD would deploy nothing."""
    edit_yaml(artifact_copy, "dev/values/keycloak.yaml", _set(["externalDatabase", "host"], ""))
    found = _rules(artifact_copy)
    assert "You disabled the PostgreSQL sub-chart but did not specify an external PostgreSQL host" in " ".join(found["chart-render"])


def test_keycloak_uses_the_provisioned_database(synthesized: Path) -> None:
    """Decision from the chart's README (25.x): host/port/database are values, credentials come
    from the existing Secret; the JDBC URL must name the database the provisioning Job creates."""
    from goldenpath.verify.artifacts import load
    from goldenpath.verify.releases import releases

    (keycloak,) = [r for r in releases(load(synthesized / "cdktf.out", synthesized / "gitops")) if r.env == "dev" and r.chart == "keycloak"]
    env_cm = next(o.obj for o in keycloak.objects if o.obj["kind"] == "ConfigMap" and o.obj["metadata"]["name"].endswith("-env-vars"))
    assert env_cm["data"]["KC_DB_URL"] == "jdbc:postgresql://postgres.dev.goldenpath.internal:5432/keycloak?currentSchema=public&sslmode=require"
