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


# ---- the quick twin (jsonschema_rs) may only skip work: never accept what jsonschema rejects ----


def _variants(obj: dict, budget: int) -> list[dict]:  # type: ignore[type-arg]
    """Deterministic breakages of ``obj``, each at one place: an unknown key in a mapping, a key
    removed, a scalar of another type, and the values on which regex dialects and number models
    differ (a trailing newline, a non-ASCII digit, an empty string, a float, a huge int)."""
    out: list[dict] = []  # type: ignore[type-arg]

    def at(path: list[object], change) -> None:  # type: ignore[no-untyped-def]
        copied = copy.deepcopy(obj)
        node = copied
        for part in path[:-1]:
            node = node[part]  # type: ignore[index]
        change(node, path[-1])
        out.append(copied)

    def walk(node: object, path: list[object]) -> None:
        if len(out) >= budget:
            return
        if isinstance(node, dict):
            at([*path, None], lambda n, _k: n.__setitem__("zzUnknownField", 1)) if path else None
            for key in sorted(node):
                at([*path, key], lambda n, k: n.pop(k))
                walk(node[key], [*path, key])
        elif isinstance(node, list):
            for index, item in enumerate(node[:2]):
                walk(item, [*path, index])
            at([*path, None], lambda n, _k: n.append(n[0])) if node and path else None
        elif path:
            replacements: list[object] = [{"a": 1}, [1]]
            if isinstance(node, str):
                replacements += [1, node + "\n", "", "١٢", node.upper() + " x"]
            elif isinstance(node, bool):
                replacements += ["true", 1]
            elif isinstance(node, int):
                replacements += ["1", 1.5, -1, 2**70, True]
            for value in replacements:
                at(path, lambda n, k, v=value: n.__setitem__(k, v))

    walk(obj, [])
    return [o for o in out[:budget]]


def _each_kind(root):  # type: ignore[no-untyped-def]
    import yaml

    seen = {}
    for path in sorted(root.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and "apiVersion" in doc and doc.get("kind") != "Kustomization":
                seen.setdefault((doc["apiVersion"], doc["kind"]), doc)
    return seen


def test_the_quick_twin_never_accepts_what_jsonschema_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenpath import schemas
    from tests.conftest import REPO

    kinds = _each_kind(REPO / "dist" / "gitops")
    assert len(kinds) >= 20
    cases, quick, slow = [], [], []
    for (api_version, kind), obj in kinds.items():
        validator = schemas._validator_for(api_version, kind)
        assert validator is not None
        for case in [obj, *_variants(obj, 60)]:
            cases.append(case)
            quick.append(schemas._quickly_valid(validator, case))
            slow.append(not any(True for _ in validator.iter_errors(case)))
    accepted_wrongly = [cases[i] for i in range(len(cases)) if quick[i] and not slow[i]]
    assert accepted_wrongly == []
    # the corpus has teeth: most breakages are invalid, and the twin sees nearly all of them
    assert slow.count(False) > len(cases) // 2
    assert sum(q == s for q, s in zip(quick, slow, strict=True)) > 0.95 * len(cases)
    # AND with optimisation off there is no twin at all
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    assert not schemas._quickly_valid(schemas._core_validator("apps/v1", "Deployment"), DEPLOYMENT)  # type: ignore[arg-type]


def test_values_the_twin_cannot_take_go_to_jsonschema() -> None:
    import datetime

    from goldenpath import schemas

    dated = copy.deepcopy(DEPLOYMENT)
    dated["metadata"]["annotations"] = {"when": datetime.date(2026, 1, 1)}  # a YAML date
    validator = schemas._core_validator("apps/v1", "Deployment")
    assert validator is not None and not schemas._quickly_valid(validator, dated)
    assert validate_manifest(dated) != []  # jsonschema: not a string
