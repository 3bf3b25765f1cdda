"""Argo CD objects in ``apps/`` (synced by the Terraform-made root Application): the AppProjects,
repository settings for OCI chart registries, and one Application per Section/component.

Component Applications are multi-source (seed report B.4/E.2: relative valueFiles paths failed):
the chart, a ``ref: values`` source on the platform repo at the env's branch, and — when the
component has objects of its own — ``dist/gitops/<env>/components/<component>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cdk8s
from cdk8s_plus_33 import k8s
from constructs import Construct

from cdk8s_app.layout import WAVE_PROJECTS, Section
from goldenpath import naming
from goldenpath.config import PlatformConfig
from imports.argocd_application.io.argoproj import (
    Application,
    ApplicationSpec,
    ApplicationSpecDestination,
    ApplicationSpecIgnoreDifferences,
    ApplicationSpecSource,
    ApplicationSpecSources,
    ApplicationSpecSourcesHelm,
    ApplicationSpecSyncPolicy,
    ApplicationSpecSyncPolicyAutomated,
    ApplicationSpecSyncPolicyRetry,
    ApplicationSpecSyncPolicyRetryBackoff,
)
from imports.argocd_appproject.io.argoproj import (
    AppProject,
    AppProjectSpec,
    AppProjectSpecClusterResourceWhitelist,
    AppProjectSpecDestinations,
    AppProjectSpecNamespaceResourceWhitelist,
    AppProjectSpecRoles,
)

IN_CLUSTER = "https://kubernetes.default.svc"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
# CRDs too large for client-side apply's last-applied annotation (262144 bytes).
# The charts layer (chart-crd-size) measures the rendered CRDs and fails when one is missing here.
SERVER_SIDE_APPLY = frozenset({"argocd", "external-secrets", "kube-prometheus-stack"})

_WEBHOOKS = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
_CA_BUNDLE = ".webhooks[]?.clientConfig.caBundle"


@dataclass(frozen=True)
class Ignore:
    group: str
    kind: str
    jq: str


# Fields that controllers write after sync (webhook caBundles injected at runtime, self-signed
# webhook certs re-generated on every helm template): without these, Argo CD never settles.
IGNORE_DIFFERENCES: dict[str, tuple[Ignore, ...]] = {
    "cert-manager": tuple(Ignore("admissionregistration.k8s.io", k, _CA_BUNDLE) for k in _WEBHOOKS),
    "external-secrets": (
        Ignore("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", _CA_BUNDLE),
        Ignore("apiextensions.k8s.io", "CustomResourceDefinition", ".spec.conversion.webhook.clientConfig.caBundle"),
    ),
    "kube-prometheus-stack": tuple(Ignore("admissionregistration.k8s.io", k, _CA_BUNDLE) for k in _WEBHOOKS),
    # Kong generates its admission webhook's CA and certificate with genCA on every render.
    "kong": (
        Ignore("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", _CA_BUNDLE),
        Ignore("", "Secret", ".data"),
    ),
    "aws-load-balancer-controller": (
        *(Ignore("admissionregistration.k8s.io", k, _CA_BUNDLE) for k in _WEBHOOKS),
        Ignore("", "Secret", ".data"),
    ),
}

# Kinds an app's workload directory may contain (the apps project allows nothing else).
# Deliberately no SecretStore, ClusterSecretStore, PushSecret or generator: an app's store assumes
# the tenant role with the app as session tag, and a team that could write its own store could
# claim another app's tag (issue 12). The platform project owns each app namespace's store
# (cdk8s_app/platform.SecretStore); ExternalSecrets can only name that store or the cluster one,
# whose conditions refuse app namespaces.
APP_KINDS = (
    ("", "ConfigMap"),
    ("", "Service"),
    ("", "ServiceAccount"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("external-secrets.io", "ExternalSecret"),
    ("monitoring.coreos.com", "PrometheusRule"),
    ("monitoring.coreos.com", "ServiceMonitor"),
    ("networking.k8s.io", "Ingress"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("policy", "PodDisruptionBudget"),
)


def external_secret_ignores(section: Section | None) -> list[ApplicationSpecIgnoreDifferences]:
    """Secrets that External Secrets writes from a section's ExternalSecrets: their data comes
    from AWS, not git, so self-heal must not fight the operator over it (argocd-source-lint
    missing-ignore-diff)."""
    if section is None:
        return []
    ignores = []
    for manifest in section.manifests():  # memoised: the writer reads the same manifests
        if manifest["kind"] == "ExternalSecret":
            target = (manifest.get("spec") or {}).get("target") or {}
            ignores.append(
                ApplicationSpecIgnoreDifferences(
                    group="", kind="Secret", name=target.get("name") or manifest["metadata"]["name"],
                    namespace=manifest["metadata"].get("namespace"), json_pointers=["/data"],
                )
            )
    return sorted(ignores, key=lambda i: (i.namespace or "", i.name or ""))


def handover_annotations(config: PlatformConfig, env: str, component: str) -> dict[str, str]:
    """Declares that this Application adopts the Helm release Terraform's bootstrap installed
    (read by the verifier's chart-single-owner rule; otherwise two owners fight)."""
    if not config.platform.components[component].adopts_bootstrap_release:
        return {}
    return {naming.ADOPTS_HELM_RELEASE_ANNOTATION: naming.release(env, component)}


def values_ref(env: str, component: str) -> str:
    """The ``$values`` path an Application names; the file is ``naming.values_file(env, component)``."""
    return f"$values/{naming.values_file(env, component)}"


def _metadata(
    name: str, wave: int, annotations: dict[str, str] | None = None, labels: dict[str, str] | None = None
) -> cdk8s.ApiObjectMetadata:
    return cdk8s.ApiObjectMetadata(
        name=name,
        namespace=naming.ARGOCD_NAMESPACE,
        annotations={WAVE_ANNOTATION: str(wave), **(annotations or {})},
        labels=labels or None,
        finalizers=[FINALIZER],
    )


def _sync_policy(automated: bool, server_side: bool = False) -> ApplicationSpecSyncPolicy:
    options = ["CreateNamespace=false"] + (["ServerSideApply=true"] if server_side else [])
    if not automated:  # prod apps: a person presses sync
        return ApplicationSpecSyncPolicy(sync_options=options)
    return ApplicationSpecSyncPolicy(
        automated=ApplicationSpecSyncPolicyAutomated(prune=True, self_heal=True),
        sync_options=options,
        # A CRD from an earlier wave may still be registering; retry instead of failing once.
        retry=ApplicationSpecSyncPolicyRetry(
            limit=5, backoff=ApplicationSpecSyncPolicyRetryBackoff(duration="10s", factor=2, max_duration="3m")
        ),
    )


def team_policies(team: str) -> list[str]:
    """Argo CD RBAC lines of a team's role: see and sync the Applications of its own project only
    (Argo CD RBAC docs: ``p, <role>, applications, <action>, <project>/<application>, allow``)."""
    project = naming.team_project(team)
    return [f"p, proj:{project}:{naming.TEAM_ROLE}, applications, {action}, {project}/*, allow" for action in ("get", "sync")]


class Projects(Construct):
    """AppProject ``platform`` (tooling, cluster-wide) and one per team: its apps' namespaces only,
    the platform repository only, no cluster-wide objects, and a role bound to the team's groups."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, id)
        platform = config.platform
        chart_repos = sorted({naming.argocd_repo_url(platform.components[c].chart.repository) for c in config.components_in(env)})
        annotations = {WAVE_ANNOTATION: str(WAVE_PROJECTS)}
        disabled = sorted(set(platform.components) - set(config.components_in(env)))
        if disabled:
            # Read by the verifier's env-parity rule: a missing component is deliberate, not drift.
            annotations[naming.DISABLED_COMPONENTS_ANNOTATION] = ",".join(disabled)
        # Read by the verifier's image-pinned rule: the registries images may come from.
        annotations[naming.IMAGE_REGISTRIES_ANNOTATION] = ",".join(naming.image_registries(platform))
        AppProject(
            self,
            "platform",
            metadata=cdk8s.ApiObjectMetadata(name=naming.PLATFORM_PROJECT, namespace=naming.ARGOCD_NAMESPACE, annotations=annotations),
            spec=AppProjectSpec(
                description=f"Platform tooling and cluster-wide objects ({env})",
                source_repos=[platform.git.repo_url, *chart_repos],
                destinations=[AppProjectSpecDestinations(server=IN_CLUSTER, namespace="*")],
                cluster_resource_whitelist=[AppProjectSpecClusterResourceWhitelist(group="*", kind="*")],
            ),
        )
        for team, spec in sorted(platform.teams.items()):
            apps = [a for a in config.apps_in(env) if a.owner == team]
            project = naming.team_project(team)
            AppProject(
                self,
                f"team-{team}",
                metadata=cdk8s.ApiObjectMetadata(
                    name=project,
                    namespace=naming.ARGOCD_NAMESPACE,
                    annotations={
                        WAVE_ANNOTATION: str(WAVE_PROJECTS),
                        # Argo CD cannot limit a project to paths of a repository; the verifier's
                        # team-source-paths rule holds every Application of the project to these.
                        naming.SOURCE_PATHS_ANNOTATION: ",".join(naming.gitops_path(env, "workloads", a.name) for a in apps),
                    },
                    labels={naming.TEAM_LABEL: team, naming.COST_CENTER_LABEL: spec.cost_center},
                ),
                spec=AppProjectSpec(
                    description=f"Apps of team {team} ({env}): their own namespaces, no cluster-wide objects",
                    source_repos=[platform.git.repo_url],
                    destinations=[AppProjectSpecDestinations(server=IN_CLUSTER, namespace=naming.app_namespace(a)) for a in apps],
                    cluster_resource_whitelist=[],
                    namespace_resource_whitelist=[AppProjectSpecNamespaceResourceWhitelist(group=g, kind=k) for g, k in APP_KINDS],
                    roles=[
                        AppProjectSpecRoles(
                            name=naming.TEAM_ROLE,
                            description=f"members of {', '.join(spec.groups)}: see and sync the apps of {team}",
                            groups=list(spec.groups),
                            policies=team_policies(team),
                        )
                    ],
                ),
            )


class OciRepositories(Construct):
    """Argo CD repository Secrets flagging Helm OCI registries (``enableOCI``); no credentials."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, id)
        platform = config.platform
        repos = sorted({platform.components[c].chart.repository for c in config.components_in(env)})
        for repo in (r for r in repos if r.startswith("oci://")):
            name = naming.helm_oci_repository(repo)
            k8s.KubeSecret(
                self,
                name,
                metadata=k8s.ObjectMeta(
                    name=name,
                    namespace=naming.ARGOCD_NAMESPACE,
                    labels={"argocd.argoproj.io/secret-type": "repository"},
                    annotations={WAVE_ANNOTATION: str(WAVE_PROJECTS)},
                ),
                string_data={"name": name, "type": "helm", "url": naming.argocd_repo_url(repo), "enableOCI": "true"},
            )


class ComponentApplication(Construct):
    """Multi-source Application of one platform component."""

    def __init__(
        self, scope: Construct, id: str, *, config: PlatformConfig, env: str, component: str, wave: int, extras: Section | None
    ) -> None:
        super().__init__(scope, id)
        platform = config.platform
        spec = platform.components[component]
        branch = platform.environments[env].branch
        sources = [
            ApplicationSpecSources(
                repo_url=naming.argocd_repo_url(spec.chart.repository),
                chart=spec.chart.name,
                target_revision=config.chart_version(env, component),
                helm=ApplicationSpecSourcesHelm(release_name=naming.release(env, component), value_files=[values_ref(env, component)]),
            ),
            ApplicationSpecSources(repo_url=platform.git.repo_url, target_revision=branch, ref="values"),
        ]
        if extras is not None and extras.has_objects:
            sources.append(
                ApplicationSpecSources(
                    repo_url=platform.git.repo_url, target_revision=branch, path=naming.gitops_path(env, extras.directory)
                )
            )
        ignores = IGNORE_DIFFERENCES.get(component, ())
        self.this = Application(
            self,
            "application",
            metadata=_metadata(naming.application(env, component), wave, handover_annotations(config, env, component)),
            spec=ApplicationSpec(
                project=naming.PLATFORM_PROJECT,
                destination=ApplicationSpecDestination(server=IN_CLUSTER, namespace=spec.namespace),
                sources=sources,
                sync_policy=_sync_policy(True, component in SERVER_SIDE_APPLY),
                ignore_differences=[
                    ApplicationSpecIgnoreDifferences(group=i.group, kind=i.kind, jq_path_expressions=[i.jq]) for i in ignores
                ]
                + external_secret_ignores(extras)
                or None,
            ),
        )


class DirectoryApplication(Construct):
    """Application syncing one rendered directory (``platform/*``, ``workloads/*``, ...)."""

    def __init__(
        self, scope: Construct, id: str, *, config: PlatformConfig, section: Section, labels: dict[str, str] | None = None
    ) -> None:
        super().__init__(scope, id)
        assert section.sync is not None
        platform = config.platform
        sync = section.sync
        self.this = Application(
            self,
            "application",
            metadata=_metadata(sync.application, sync.wave, labels=labels),
            spec=ApplicationSpec(
                project=sync.project,
                destination=ApplicationSpecDestination(server=IN_CLUSTER, namespace=sync.namespace),
                # Single source: Argo CD Image Updater writes back to `spec.source` only.
                source=ApplicationSpecSource(
                    repo_url=platform.git.repo_url,
                    target_revision=platform.environments[section.env].branch,
                    path=naming.gitops_path(section.env, section.directory),
                ),
                sync_policy=_sync_policy(sync.automated),
                ignore_differences=external_secret_ignores(section) or None,
            ),
        )
