"""goldenpath.schemas: the offline validator rejects what the API server (or a CRD) would."""

from __future__ import annotations

import copy

import kubernetes_validate
import pytest

from goldenpath.schemas import validate_manifest

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "apps-web"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
    },
}
ISSUER = {
    "apiVersion": "cert-manager.io/v1",
    "kind": "ClusterIssuer",
    "metadata": {"name": "letsencrypt-prod"},
    "spec": {
        "acme": {
            "server": "https://acme-v02.api.letsencrypt.org/directory",
            "privateKeySecretRef": {"name": "key"},
            "solvers": [{"http01": {"ingress": {"ingressClassName": "kong"}}}],
        }
    },
}


def test_valid_core_object_and_custom_resource_pass() -> None:
    assert validate_manifest(DEPLOYMENT) == []
    assert validate_manifest(ISSUER) == []


def test_broken_core_object_is_rejected_with_paths() -> None:
    # GIVEN a Deployment with a wrong type and a misspelt field (strict mode)
    broken = copy.deepcopy(DEPLOYMENT)
    broken["spec"]["replicas"] = "two"
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    errors = validate_manifest(broken)
    # THEN both are reported with their location
    assert any(e.startswith("spec.replicas:") for e in errors)
    assert any(e.startswith("spec.template.spec.containers[0]:") and "imagePullPolicyy" in e for e in errors)
    # AND kubernetes-validate's own API agrees that the object is invalid
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.33.0", strict=True)


def test_unknown_kind_and_unknown_version_are_errors() -> None:
    # kubernetes-validate's CLI exits 0 for these (DESIGN §2 traps)
    assert validate_manifest({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}) != []
    assert validate_manifest({**DEPLOYMENT, "apiVersion": "apps/v1beta1"}) != []
    assert validate_manifest({**ISSUER, "apiVersion": "cert-manager.io/v1alpha2"}) != []
    assert validate_manifest({"kind": "Deployment"}) != []


def test_custom_resource_violating_its_crd_is_rejected() -> None:
    # GIVEN a ClusterIssuer with a misspelt field and a wrong type
    broken = copy.deepcopy(ISSUER)
    broken["spec"]["acme"]["solvers"][0]["http01"]["ingress"] = {"ingressClass": "kong"}
    broken["spec"]["acme"]["skipTLSVerify"] = "yes"
    errors = validate_manifest(broken)
    assert any("ingressClass" in e for e in errors)
    assert any(e.startswith("spec.acme.skipTLSVerify:") for e in errors)


def test_custom_resource_missing_required_field_and_bad_metadata() -> None:
    es = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "x", "namespace": "y", "labells": {}},
        "spec": {"data": [{"secretKey": "a", "remoteRef": {}}]},
    }
    errors = validate_manifest(es)
    assert any("'key' is a required property" in e for e in errors)
    assert any(e.startswith("metadata:") and "labells" in e for e in errors)


def test_preserve_unknown_fields_is_respected() -> None:
    # KongClusterPlugin.config is free-form (x-kubernetes-preserve-unknown-fields / untyped JSON)
    plugin = {
        "apiVersion": "configuration.konghq.com/v1",
        "kind": "KongClusterPlugin",
        "metadata": {"name": "p"},
        "plugin": "prometheus",
        "config": {"anything": {"goes": 1}},
    }
    assert validate_manifest(plugin) == []


def test_the_cheap_crd_index_agrees_with_a_full_parse() -> None:
    # schemas._crd_files finds (group, kind) by a text scan to avoid parsing 4 MB of YAML.
    from goldenpath import schemas

    directory = schemas.crd_dir()
    scanned = schemas._crd_files(str(directory))
    parsed = {}
    for path in sorted(directory.rglob("*.yaml")):
        for api_version, kind in schemas._crd_schemas(path):
            parsed[(api_version.split("/")[0], kind)] = path
    assert scanned == parsed
    assert len(scanned) >= 9
