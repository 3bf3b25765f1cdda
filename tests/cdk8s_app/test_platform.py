"""Cluster-wide objects: namespaces, issuers, the secret store, Kong's Prometheus plugin."""

from __future__ import annotations

import pytest

from goldenpath import naming
from goldenpath.config import PlatformConfig
from tests.cdk8s_app.conftest import Tree, named, of_kind

ENVS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVS)
def test_both_issuers_exist_in_every_env_with_http01_through_kong(tree: Tree, env: str) -> None:
    issuers = {o["metadata"]["name"]: o["spec"]["acme"] for o in of_kind(tree[env], "ClusterIssuer").values()}
    assert sorted(issuers) == ["letsencrypt-prod", "letsencrypt-staging"]
    assert issuers["letsencrypt-prod"]["server"] == "https://acme-v02.api.letsencrypt.org/directory"
    assert issuers["letsencrypt-staging"]["server"] == "https://acme-staging-v02.api.letsencrypt.org/directory"
    for acme in issuers.values():
        assert acme["email"] == "platform@goldenpathidp.io"
        assert acme["solvers"] == [{"http01": {"ingress": {"ingressClassName": "kong"}}}]


@pytest.mark.parametrize("env", ENVS)
def test_cluster_secret_store_uses_the_irsa_service_account(config: PlatformConfig, tree: Tree, env: str) -> None:
    store = named(tree[env], "ClusterSecretStore", naming.CLUSTER_SECRET_STORE)
    binding = next(b for b in naming.irsa_bindings(config.platform, env) if b.purpose == "external-secrets")
    assert store["apiVersion"] == "external-secrets.io/v1"
    assert store["spec"]["provider"]["aws"] == {
        "service": "SecretsManager",
        "region": "eu-west-2",
        "auth": {"jwt": {"serviceAccountRef": {"name": binding.service_account, "namespace": binding.namespace}}},
    }
    # AND only the platform's namespaces may use it (ESO refuses an ExternalSecret elsewhere), never an app's
    (condition,) = store["spec"]["conditions"]
    assert condition == {"namespaces": sorted(condition["namespaces"])}
    assert not [ns for ns in condition["namespaces"] if ns.startswith("apps-")]
    assert {"argocd", "backstage", "external-secrets", "keycloak", "monitoring", naming.DATABASE_NAMESPACE} <= set(condition["namespaces"])


@pytest.mark.parametrize("env", ENVS)
def test_every_app_namespace_has_a_tenant_store_tagged_with_its_app(config: PlatformConfig, tree: Tree, env: str) -> None:
    stores = {o["metadata"]["namespace"]: o for o in of_kind(tree[env], "SecretStore").values()}
    # THEN one store per app namespace, none elsewhere
    assert sorted(stores) == sorted(naming.app_namespace(a) for a in config.apps_in(env))
    for app in config.apps_in(env):
        store = stores[naming.app_namespace(app)]
        assert store["apiVersion"] == "external-secrets.io/v1"
        assert store["metadata"]["name"] == naming.TENANT_SECRET_STORE
        # AND it assumes the env's tenant role with exactly one session tag, the app; no auth (the
        # controller's own IRSA identity, which alone the role trusts) and no sessionTagsPolicy
        # (Simple/Custom would replace these tags)
        assert store["spec"] == {
            "provider": {
                "aws": {
                    "service": "SecretsManager",
                    "region": "eu-west-2",
                    "role": f"arn:aws:iam::593517239005:role/goldenpath-{env}-tenant-secrets",
                    "sessionTags": [{"key": "Application", "value": app.name}],
                }
            }
        }


def test_tenant_stores_live_in_the_platform_owned_secret_store_section(tree: Tree) -> None:
    # Teams' AppProjects cannot create SecretStores, so the platform Application must own them.
    paths = sorted(p for p, o in of_kind(tree["dev"], "SecretStore").items())
    assert paths and all(p.startswith("platform/secret-store/") for p in paths)


@pytest.mark.parametrize("env", ENVS)
def test_admission_policy_holds_app_namespace_stores_to_the_tenant_shape(config: PlatformConfig, tree: Tree, env: str) -> None:
    name = naming.tenant_store_policy(config.platform)
    policy = named(tree[env], "ValidatingAdmissionPolicy", name)
    binding = named(tree[env], "ValidatingAdmissionPolicyBinding", name)
    assert name == "goldenpath-tenant-secret-stores" and policy["apiVersion"] == binding["apiVersion"] == "admissionregistration.k8s.io/v1"
    spec = policy["spec"]
    # THEN an expression error denies (fail closed) and the binding enforces with Deny, unnarrowed
    assert spec["failurePolicy"] == "Fail"
    assert binding["spec"] == {"policyName": name, "validationActions": ["Deny"]}
    # AND it sees every write of a SecretStore (any version) but not the controller's status
    # subresource or deletes, and only in app namespaces, by prefix (no per-app list)
    assert spec["matchConstraints"] == {
        "resourceRules": [
            {"apiGroups": ["external-secrets.io"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["secretstores"], "scope": "Namespaced"}
        ]
    }
    assert spec["matchConditions"] == [{"name": "app-namespace", "expression": 'request.namespace.startsWith("apps-")'}]
    # AND the env's facts are literals in one place each: the tenant role and the session tag key
    variables = {v["name"]: v["expression"] for v in spec["variables"]}
    assert variables["tenantRole"] == f'"arn:aws:iam::593517239005:role/goldenpath-{env}-tenant-secrets"'
    assert variables["tenantTag"] == '"Application"'
    assert {v["reason"] for v in spec["validations"]} == {"Forbidden"} and all(v["message"] for v in spec["validations"])
    text = str(policy)
    assert not [a.name for a in config.apps if f"apps-{a.name}" in text or f"'{a.name}'" in text]
    paths = [p for p, o in tree[env].items() if o.get("kind", "").startswith("ValidatingAdmissionPolicy")]
    assert sorted(paths) == [
        f"platform/secret-store/validatingadmissionpolicy-{name}.yaml",
        f"platform/secret-store/validatingadmissionpolicybinding-{name}.yaml",
    ]


@pytest.mark.parametrize("env", ENVS)
def test_namespaces_carry_pod_security_labels(config: PlatformConfig, tree: Tree, env: str) -> None:
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in of_kind(tree[env], "Namespace").values()}
    assert "kube-system" not in namespaces  # owned by EKS, never by Argo CD
    for app in config.apps_in(env):
        assert namespaces[naming.app_namespace(app)]["pod-security.kubernetes.io/enforce"] == "restricted"
    for component in config.components_in(env):
        ns = config.platform.components[component].namespace
        if ns != "kube-system":
            assert namespaces[ns]["pod-security.kubernetes.io/enforce"] in ("baseline", "privileged")
    assert namespaces["monitoring"]["pod-security.kubernetes.io/enforce"] == "privileged"  # node-exporter
    assert namespaces[naming.DATABASE_NAMESPACE]["pod-security.kubernetes.io/enforce"] == "restricted"  # provisioning Job
    assert all(labels["pod-security.kubernetes.io/warn"] == "restricted" for labels in namespaces.values())
    # every namespace an Application deploys into exists (CreateNamespace=false)
    targets = {a["spec"]["destination"]["namespace"] for a in of_kind(tree[env], "Application").values()}
    assert targets - set(namespaces) <= {"kube-system"}


def test_kong_prometheus_plugin_is_global(tree: Tree) -> None:
    plugin = named(tree["dev"], "KongClusterPlugin", "prometheus")
    assert plugin["plugin"] == "prometheus"
    assert plugin["metadata"]["labels"] == {"global": "true"}
