"""What a platform component needs beside its Helm chart: ExternalSecrets, its Kong Ingress,
its dashboard and, where its chart cannot make one, a ServiceMonitor. These objects are the
third source (``components/<component>/``) of the component's Application."""

from __future__ import annotations

from cdk8s_plus_33 import k8s
from constructs import Construct

from cdk8s_app.alerts import PlatformAlerts
from cdk8s_app.dashboards import COMPONENT_PANELS, DashboardConfigMap, kong_signals, overview
from cdk8s_app.external_secrets import OwnerSecrets
from cdk8s_app.image_updates import AppImageUpdates
from cdk8s_app.ingress import PublicIngress
from cdk8s_app.monitoring import Monitor
from goldenpath import helm_values, naming
from goldenpath.config import PlatformConfig

# The tooling that gets a dashboard of its own signals (and, behind Kong, its golden signals).
DASHBOARD_COMPONENTS = tuple(sorted(COMPONENT_PANELS))


class BackstageClusterReader(Construct):
    """Read-only access for Backstage's Kubernetes plugin (the objects its UI shows; no Secrets)."""

    RESOURCES = (
        ("", ("configmaps", "limitranges", "pods", "resourcequotas", "services")),
        ("apps", ("daemonsets", "deployments", "replicasets", "statefulsets")),
        ("autoscaling", ("horizontalpodautoscalers",)),
        ("batch", ("cronjobs", "jobs")),
        ("networking.k8s.io", ("ingresses",)),
        ("metrics.k8s.io", ("pods",)),
    )

    def __init__(self, scope: Construct, id: str, *, env: str, namespace: str) -> None:
        super().__init__(scope, id)
        k8s.KubeClusterRole(
            self,
            "role",
            metadata=k8s.ObjectMeta(name=naming.BACKSTAGE_READER),
            rules=[k8s.PolicyRule(api_groups=[g], resources=list(r), verbs=["get", "list", "watch"]) for g, r in self.RESOURCES],
        )
        k8s.KubeClusterRoleBinding(
            self,
            "binding",
            metadata=k8s.ObjectMeta(name=naming.BACKSTAGE_READER),
            role_ref=k8s.RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name=naming.BACKSTAGE_READER),
            subjects=[k8s.Subject(kind="ServiceAccount", name=naming.backstage_service_account(env), namespace=namespace)],
        )


class ComponentExtras(Construct):
    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str, component: str) -> None:
        super().__init__(scope, id)
        platform = config.platform
        spec = platform.components[component]
        namespace = spec.namespace
        OwnerSecrets(
            self,
            "secrets",
            platform=platform,
            env=env,
            owner=component,
            namespace=namespace,
            has_database=spec.database is not None,
            secrets=spec.secrets,
        )
        if spec.host is not None:
            PublicIngress(
                self,
                "ingress",
                name=naming.release(env, component),
                namespace=namespace,
                host=naming.host(platform, env, spec.host),
                issuer=platform.environments[env].issuer,
                service=naming.component_service(env, component),
                port=helm_values.service_port(component),
            )
        if component in DASHBOARD_COMPONENTS:
            # Tooling with a UI is behind Kong (its golden signals); Kong's own dashboard shows all
            # of its traffic; operators without a UI show their own signals only.
            signals = None
            if component == "kong":
                signals = kong_signals(namespace)
            elif spec.host is not None:
                signals = kong_signals(namespace, naming.component_service(env, component))
            DashboardConfigMap(self, "dashboard", env=env, owner=component, namespace=namespace, signals=signals, extra=COMPONENT_PANELS[component])
        if component == "kube-prometheus-stack":
            PlatformAlerts(self, "alerts", config=config, env=env, namespace=namespace)
            budgets = {app.name: 1 - app.slo.availability / 100 for app in config.apps_in(env)}
            DashboardConfigMap(self, "overview", env=env, owner="platform", namespace=namespace, model=overview(config, env, budgets))
        if component == "argocd":
            # The argo-cd chart's metrics Services (server, controller, repo-server) all name their
            # port http-metrics and carry the release's instance label.
            Monitor(
                self,
                "monitor",
                name=naming.release(env, component),
                namespace=namespace,
                selector={"app.kubernetes.io/instance": naming.release(env, component)},
                port="http-metrics",
            )
        if component == "argocd-image-updater":
            AppImageUpdates(self, "image-updates", config=config, env=env)
        if component == "backstage":
            BackstageClusterReader(self, "kubernetes-reader", env=env, namespace=namespace)
