"""Cluster-wide objects: Namespaces, the secret stores, ClusterIssuers, Kong's global plugin.

Each lives in its own ``platform/<section>`` directory so its Application can be ordered by sync
wave after the operator that provides its CRD (seed report C: the store was created by hand).
"""

from __future__ import annotations

import json
from typing import Any

import cdk8s
from cdk8s_plus_33 import k8s
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from imports.certmanager_clusterissuer.io.cert_manager import (
    ClusterIssuer,
    ClusterIssuerSpec,
    ClusterIssuerSpecAcme,
    ClusterIssuerSpecAcmePrivateKeySecretRef,
    ClusterIssuerSpecAcmeSolvers,
    ClusterIssuerSpecAcmeSolversHttp01,
    ClusterIssuerSpecAcmeSolversHttp01Ingress,
)
from imports.kong_kongclusterplugin.com.konghq.configuration import KongClusterPlugin

# Namespaces Kubernetes/EKS own; never rendered (Argo CD would try to own them).
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
# Pod Security: apps get `restricted`; the monitoring stack runs node-exporter with host
# namespaces and hostPath, which only `privileged` admits; other tooling runs under `baseline`.
PRIVILEGED_NAMESPACES = frozenset({"monitoring"})
ACME_SERVERS = {
    "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
}


def pod_security_labels(level: str) -> dict[str, str]:
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }


class Namespaces(Construct):
    """Every namespace a component or app of ``env`` runs in, with Pod Security labels."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, id)
        platform = config.platform
        levels: dict[str, str] = {naming.ARGOCD_NAMESPACE: "baseline"}
        for component in config.components_in(env):
            ns = platform.components[component].namespace
            levels[ns] = "privileged" if ns in PRIVILEGED_NAMESPACES else "baseline"
        for app in config.apps_in(env):
            levels[naming.app_namespace(app)] = "restricted"
        if naming.database_owners(platform, config.apps, env):  # the database provisioning Job runs there
            levels[naming.DATABASE_NAMESPACE] = "restricted"
        for ns in sorted(set(levels) - SYSTEM_NAMESPACES):
            k8s.KubeNamespace(self, ns, metadata=k8s.ObjectMeta(name=ns, labels=pod_security_labels(levels[ns])))


def _aws_provider(config: PlatformConfig, env: str) -> dict[str, Any]:
    """Secrets Manager in the platform region, authenticated as the operator's IRSA ServiceAccount."""
    binding = next(b for b in naming.irsa_bindings(config.platform, env) if b.component == "external-secrets")
    return {
        "service": "SecretsManager",
        "region": config.platform.region,
        "auth": {"jwt": {"serviceAccountRef": {"name": binding.service_account, "namespace": binding.namespace}}},
    }


def platform_namespaces(config: PlatformConfig, env: str) -> list[str]:
    """Namespaces whose ExternalSecrets may use the ClusterSecretStore: the components' and the
    database provisioner's, never an app's (``apps-<app>``)."""
    namespaces = {config.platform.components[c].namespace for c in config.components_in(env)}
    if naming.database_owners(config.platform, config.apps, env):
        namespaces.add(naming.DATABASE_NAMESPACE)
    return sorted(namespaces)


class SecretStore(Construct):
    """ClusterSecretStore ``naming.CLUSTER_SECRET_STORE`` for the platform namespaces only, and one
    SecretStore ``naming.TENANT_SECRET_STORE`` per app namespace (issue 12, tenant isolation).

    The ClusterSecretStore authenticates as the operator's IRSA role, which reads platform
    secrets only; ``conditions`` (ESO client_manager.go shouldProcessSecret: a namespace must match
    one condition) name the platform namespaces, so an ExternalSecret in an app namespace that
    names it is refused. Each app's SecretStore assumes the env's tenant role with session tag
    ``Application=<app>``, which reads only that app's secrets (stacks/irsa.tenant_secrets). A
    SecretStore is namespaced, so an app's ExternalSecrets can only name their own namespace's;
    the team AppProjects cannot create SecretStores (cdk8s_app/argocd.APP_KINDS), so this section,
    owned by the platform project, is the only source of them.

    Plain ApiObjects: jsii cannot compile the pinned (Cluster)SecretStore CRDs (see goldenpath/imports.py).
    """

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, id)
        provider = _aws_provider(config, env)
        self.this = cdk8s.ApiObject(
            self,
            "store",
            api_version="external-secrets.io/v1",
            kind="ClusterSecretStore",
            metadata=cdk8s.ApiObjectMetadata(name=naming.CLUSTER_SECRET_STORE),
        )
        self.this.add_json_patch(
            cdk8s.JsonPatch.add("/spec", {"conditions": [{"namespaces": platform_namespaces(config, env)}], "provider": {"aws": provider}})
        )
        self.tenants: dict[str, cdk8s.ApiObject] = {}
        for app in config.apps_in(env):
            store = cdk8s.ApiObject(
                self,
                f"tenant-{app.name}",
                api_version="external-secrets.io/v1",
                kind="SecretStore",
                metadata=cdk8s.ApiObjectMetadata(
                    name=naming.TENANT_SECRET_STORE, namespace=naming.app_namespace(app), labels=naming.app_labels(config.platform, app)
                ),
            )
            # No `auth`: in a namespaced store serviceAccountRef could only name a ServiceAccount of
            # the app namespace (ESO ValidateReferentServiceAccountSelector), so the store uses the
            # controller's own IRSA credentials (the operator role) and assumes the tenant role.
            tenant = {
                "service": provider["service"],
                "region": provider["region"],
                "role": naming.tenant_secrets_role_arn(config.platform, env),
                "sessionTags": [{"key": naming.TENANT_TAG, "value": app.name}],
            }
            store.add_json_patch(cdk8s.JsonPatch.add("/spec", {"provider": {"aws": tenant}}))
            self.tenants[app.name] = store
        self.admission = TenantStorePolicy(self, "admission", config=config, env=env)


def cel_string(value: str) -> str:
    """A CEL string literal (JSON's double-quoted escapes are CEL's)."""
    return json.dumps(value)


# Every validation but the first holds vacuously when the store has no AWS provider, so a store is
# denied by exactly the validation it breaks (tests/cdk8s_app/test_admission.py evaluates them).
_AWS = "object.spec.provider.aws"
_HAS_AWS = f"has(object.spec) && has(object.spec.provider) && has({_AWS})"  # variables.hasAws
_FORBIDDEN_FIELDS = {
    "additionalRoles": "a role chain ends in a session that the tenant role's session tag does not scope",
    "customSessionTags": "custom session tags are added beside the Application tag (sessionTagsPolicy Custom)",
    "transitiveTagKeys": "transitive tags would carry the Application tag into sessions the store chains to",
    "externalID": "the tenant role's trust names no external ID; a store that needs one assumes another role",
    "auth": "the tenant store authenticates as the External Secrets controller, the only principal the tenant role trusts",
}


def tenant_store_variables(config: PlatformConfig, env: str) -> list[tuple[str, str]]:
    """(name, CEL expression) of the policy's variables: the env's facts as literals, in one place
    each (tenant-admission reads tenantRole and tenantTag back)."""
    return [
        ("tenantRole", cel_string(naming.tenant_secrets_role_arn(config.platform, env))),
        ("tenantTag", cel_string(naming.TENANT_TAG)),
        ("hasAws", _HAS_AWS),
    ]


def tenant_store_validations(config: PlatformConfig, env: str) -> list[tuple[str, str]]:
    """(CEL expression, message) of every rule an app namespace's SecretStore must pass, in terms
    of the policy's variables (:func:`tenant_store_variables`)."""
    role = naming.tenant_secrets_role_arn(config.platform, env)
    prefix = cel_string(naming.APP_NAMESPACE_PREFIX)
    rules = [
        (
            "variables.hasAws",
            f"a SecretStore in an app namespace ({naming.APP_NAMESPACE_PREFIX}<app>) must use the AWS provider (spec.provider.aws) with the tenant role",
        ),
        (
            f"!variables.hasAws || (has({_AWS}.role) && {_AWS}.role == variables.tenantRole)",
            f"spec.provider.aws.role must be the {env} tenant role {role}",
        ),
        (
            f"!variables.hasAws || (has({_AWS}.sessionTags) && size({_AWS}.sessionTags) == 1"
            f" && {_AWS}.sessionTags[0].key == variables.tenantTag && {prefix} + {_AWS}.sessionTags[0].value == request.namespace)",
            f"spec.provider.aws.sessionTags must be exactly one tag {naming.TENANT_TAG}=<app>, the app of the namespace {naming.APP_NAMESPACE_PREFIX}<app>",
        ),
        (
            # The CRD defaults sessionTagsPolicy to None before admission; Simple and Custom change
            # the session's tags (esoNamespace, esoStoreName, esoStoreKind; ESO providers/v1/aws newClient).
            f'!variables.hasAws || !has({_AWS}.sessionTagsPolicy) || {_AWS}.sessionTagsPolicy == "None"',
            "spec.provider.aws.sessionTagsPolicy must be None (the default): Simple and Custom change the session tags",
        ),
    ]
    rules += [
        (f"!variables.hasAws || !has({_AWS}.{field})", f"spec.provider.aws.{field} must not be set: {why}")
        for field, why in _FORBIDDEN_FIELDS.items()
    ]
    return rules


class TenantStorePolicy(Construct):
    """ValidatingAdmissionPolicy + Binding ``naming.tenant_store_policy`` (Deny): every SecretStore
    created or updated in an app namespace has exactly the tenant shape SecretStore renders.

    Why: ESO assumes every store's role with its one controller identity, so IAM cannot tell one
    app's store from another's; whoever may write a SecretStore in an app namespace (kubectl RBAC,
    not Argo CD: the team AppProjects exclude the kind) could otherwise claim another app's tag,
    chain roles or drop the tag. Matched by a ``matchConditions`` expression on the namespace
    prefix, not a per-app list, so the objects stay the same size at 2,000 apps.

    failurePolicy Fail: an expression error denies rather than admits. It cannot block the
    platform's own objects: the rules match only the ``secretstores`` resource (not the
    ``secretstores/status`` subresource the controller writes), CREATE/UPDATE (never DELETE), and
    only app namespaces, where our rendered stores pass (tests/cdk8s_app/test_admission.py); the
    ESO chart creates no SecretStores. Kubernetes docs, Validating Admission Policy (matching
    requests: matchConditions; failure policy; variables; validation expressions and the
    ``request``/``namespaceObject`` variables):
    https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
    """

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, id)
        name = naming.tenant_store_policy(config.platform)
        self.this = k8s.KubeValidatingAdmissionPolicy(
            self,
            "policy",
            metadata=k8s.ObjectMeta(name=name),
            spec=k8s.ValidatingAdmissionPolicySpec(
                failure_policy="Fail",
                match_constraints=k8s.MatchResources(
                    resource_rules=[
                        k8s.NamedRuleWithOperations(
                            api_groups=["external-secrets.io"],
                            api_versions=["*"],
                            operations=["CREATE", "UPDATE"],
                            resources=["secretstores"],
                            scope="Namespaced",
                        )
                    ]
                ),
                match_conditions=[
                    k8s.MatchCondition(
                        name="app-namespace", expression=f"request.namespace.startsWith({cel_string(naming.APP_NAMESPACE_PREFIX)})"
                    )
                ],
                variables=[k8s.Variable(name=n, expression=e) for n, e in tenant_store_variables(config, env)],
                validations=[k8s.Validation(expression=e, message=m, reason="Forbidden") for e, m in tenant_store_validations(config, env)],
            ),
        )
        self.binding = k8s.KubeValidatingAdmissionPolicyBinding(
            self,
            "binding",
            metadata=k8s.ObjectMeta(name=name),
            spec=k8s.ValidatingAdmissionPolicyBindingSpec(policy_name=name, validation_actions=["Deny"]),
        )


class ClusterIssuers(Construct):
    """Both Let's Encrypt issuers in every env, so an issuer annotation can never name a missing
    issuer (seed report H: the staging issuer existed in one env only). HTTP-01 through Kong."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, id)
        for name, server in sorted(ACME_SERVERS.items()):
            ClusterIssuer(
                self,
                name,
                metadata=cdk8s.ApiObjectMetadata(name=name),
                spec=ClusterIssuerSpec(
                    acme=ClusterIssuerSpecAcme(
                        server=server,
                        email=naming.acme_email(config.platform),
                        private_key_secret_ref=ClusterIssuerSpecAcmePrivateKeySecretRef(name=f"{name}-account-key"),
                        solvers=[
                            ClusterIssuerSpecAcmeSolvers(
                                http01=ClusterIssuerSpecAcmeSolversHttp01(
                                    ingress=ClusterIssuerSpecAcmeSolversHttp01Ingress(ingress_class_name="kong")
                                )
                            )
                        ],
                    )
                ),
            )


class KongPrometheusPlugin(Construct):
    """KongClusterPlugin ``prometheus`` applied globally: RED metrics for every route."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.this = KongClusterPlugin(
            self,
            "prometheus",
            metadata=cdk8s.ApiObjectMetadata(
                name="prometheus",
                labels={"global": "true"},
                annotations={"kubernetes.io/ingress.class": "kong"},
            ),
            plugin="prometheus",
            config={"status_code_metrics": True, "latency_metrics": True, "bandwidth_metrics": True, "upstream_health_metrics": True},
        )
