"""An application's workload from its self-service request (``config/apps/<name>.yaml``).

Stateless apps become a Deployment; stateful apps a StatefulSet whose ReadWriteOnce volume is
per pod (a volumeClaimTemplate), which is what makes rolling updates safe for RWO storage
(seed report L: a Deployment sharing one RWO claim deadlocked on every rollout). Pods run under
the `restricted` Pod Security profile.
"""

from __future__ import annotations

from cdk8s_plus_33 import k8s
from constructs import Construct

from cdk8s_app.alerts import AppSloRules
from cdk8s_app.dashboards import DashboardConfigMap, app_signals, kong_signals
from cdk8s_app.external_secrets import OwnerSecrets
from cdk8s_app.ingress import PublicIngress
from cdk8s_app.monitoring import Monitor
from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.helm_values import env_var
from goldenpath.model import App, Platform

PORT_NAME = "http"
DATA_PATH = "/data"
RUN_AS = 10001  # any non-root uid; images must not depend on a particular one


def labels(platform: Platform, app: App) -> dict[str, str]:
    """Object and pod labels: the app's name plus its team, application and cost center (pods too,
    so cost tools that read pod labels attribute the app's usage)."""
    return {"app.kubernetes.io/name": app.name, "app.kubernetes.io/part-of": naming.apps_part_of(platform), **naming.app_labels(platform, app)}


def selector(app: App) -> dict[str, str]:
    return {"app.kubernetes.io/name": app.name}


def image_tag(app: App, env: str) -> str:
    return app.settings_for(env).image_tag or app.image_tag


def replicas(app: App, env: str) -> int:
    override = app.settings_for(env).replicas
    return app.replicas if override is None else override


def image_update(app: App, env: str) -> str:
    return app.settings_for(env).image_update or app.image_update


def _env_vars(config: PlatformConfig, env: str, app: App) -> list[k8s.EnvVar]:
    variables: list[k8s.EnvVar] = []
    if {"alloy", "tempo"} <= set(config.components_in(env)):
        # OpenTelemetry SDKs read these (OTel specification, "SDK environment variables").
        variables.append(k8s.EnvVar(name="OTEL_EXPORTER_OTLP_ENDPOINT", value=naming.otlp_endpoint(config.platform, env)))
        variables.append(k8s.EnvVar(name="OTEL_SERVICE_NAME", value=app.name))
    if app.database is not None:
        secret = naming.db_credentials_secret(app.name)
        for key in naming.DATABASE_SECRET_KEYS:
            variables.append(
                k8s.EnvVar(name=env_var("db", key), value_from=k8s.EnvVarSource(secret_key_ref=k8s.SecretKeySelector(name=secret, key=key)))
            )
        variables.append(k8s.EnvVar(name="PGSSLMODE", value="require"))  # RDS enforces TLS (rds.force_ssl=1)
    for spec in app.secrets:
        secret = naming.secret_k8s(app.name, spec.name)
        for key in spec.keys:
            variables.append(
                k8s.EnvVar(
                    name=env_var(spec.name, key), value_from=k8s.EnvVarSource(secret_key_ref=k8s.SecretKeySelector(name=secret, key=key))
                )
            )
    return variables


def _pod_template(config: PlatformConfig, env: str, app: App) -> k8s.PodTemplateSpec:
    mounts = [k8s.VolumeMount(name="tmp", mount_path="/tmp")]
    if app.kind == "stateful":
        mounts.append(k8s.VolumeMount(name="data", mount_path=DATA_PATH))
    probe = k8s.Probe(tcp_socket=k8s.TcpSocketAction(port=k8s.IntOrString.from_string(PORT_NAME)), period_seconds=10)
    container = k8s.Container(
        name=app.name,
        image=naming.image(config.platform, app, image_tag(app, env)),
        image_pull_policy="IfNotPresent",
        ports=[k8s.ContainerPort(name=PORT_NAME, container_port=app.port, protocol="TCP")],
        env=_env_vars(config, env, app) or None,
        resources=k8s.ResourceRequirements(
            requests={"cpu": k8s.Quantity.from_string(app.resources.cpu), "memory": k8s.Quantity.from_string(app.resources.memory)},
            limits={"memory": k8s.Quantity.from_string(app.resources.memory)},
        ),
        readiness_probe=probe,
        liveness_probe=k8s.Probe(
            tcp_socket=k8s.TcpSocketAction(port=k8s.IntOrString.from_string(PORT_NAME)), period_seconds=20, initial_delay_seconds=10
        ),
        security_context=k8s.SecurityContext(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            run_as_non_root=True,
            capabilities=k8s.Capabilities(drop=["ALL"]),
            seccomp_profile=k8s.SeccompProfile(type="RuntimeDefault"),
        ),
        volume_mounts=mounts,
    )
    return k8s.PodTemplateSpec(
        metadata=k8s.ObjectMeta(labels=labels(config.platform, app)),
        spec=k8s.PodSpec(
            service_account_name=naming.workload_service_account(app),
            automount_service_account_token=False,
            security_context=k8s.PodSecurityContext(
                run_as_non_root=True,
                run_as_user=RUN_AS,
                run_as_group=RUN_AS,
                fs_group=RUN_AS,
                seccomp_profile=k8s.SeccompProfile(type="RuntimeDefault"),
            ),
            containers=[container],
            volumes=[k8s.Volume(name="tmp", empty_dir=k8s.EmptyDirVolumeSource())],
        ),
    )


class AppWorkload(Construct):
    """Everything one app runs with in one env, in the app's namespace."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str, app: App) -> None:
        super().__init__(scope, id)
        platform = config.platform
        namespace = naming.app_namespace(app)
        meta = k8s.ObjectMeta(name=app.name, namespace=namespace, labels=labels(platform, app))

        k8s.KubeServiceAccount(
            self,
            "service-account",
            metadata=k8s.ObjectMeta(name=naming.workload_service_account(app), namespace=namespace, labels=labels(platform, app)),
            automount_service_account_token=False,
        )
        template = _pod_template(config, env, app)
        self.workload: k8s.KubeStatefulSet | k8s.KubeDeployment
        match_labels = k8s.LabelSelector(match_labels=selector(app))
        if app.kind == "stateful":
            assert app.storage_gib is not None  # the model guarantees it for stateful apps
            self.workload = k8s.KubeStatefulSet(
                self,
                "workload",
                metadata=meta,
                spec=k8s.StatefulSetSpec(
                    service_name=app.name,
                    replicas=replicas(app, env),
                    selector=match_labels,
                    template=template,
                    volume_claim_templates=[
                        k8s.KubePersistentVolumeClaimProps(
                            metadata=k8s.ObjectMeta(name="data"),
                            spec=k8s.PersistentVolumeClaimSpec(
                                access_modes=["ReadWriteOnce"],
                                resources=k8s.VolumeResourceRequirements(
                                    requests={"storage": k8s.Quantity.from_string(f"{app.storage_gib}Gi")}
                                ),
                            ),
                        )
                    ],
                ),
            )
        else:
            self.workload = k8s.KubeDeployment(
                self,
                "workload",
                metadata=meta,
                spec=k8s.DeploymentSpec(replicas=replicas(app, env), selector=match_labels, template=template),
            )
        k8s.KubeService(
            self,
            "service",
            metadata=meta,
            spec=k8s.ServiceSpec(
                type="ClusterIP",
                selector=selector(app),
                ports=[k8s.ServicePort(name=PORT_NAME, port=app.port, target_port=k8s.IntOrString.from_string(PORT_NAME), protocol="TCP")],
            ),
        )
        # maxUnavailable (not minAvailable) so a single-replica app never blocks a node drain.
        k8s.KubePodDisruptionBudget(
            self,
            "pdb",
            metadata=meta,
            spec=k8s.PodDisruptionBudgetSpec(max_unavailable=k8s.IntOrString.from_number(1), selector=match_labels),
        )
        if app.public is not None:
            PublicIngress(
                self,
                "ingress",
                name=app.name,
                namespace=namespace,
                host=naming.host(platform, env, app.public.subdomain),
                issuer=platform.environments[env].issuer,
                service=app.name,
                port=app.port,
            )
        OwnerSecrets(
            self,
            "secrets",
            platform=platform,
            env=env,
            owner=app.name,
            namespace=namespace,
            has_database=app.database is not None,
            secrets=app.secrets,
        )
        AppNetworkPolicy(self, "network-policy", config=config, env=env, app=app)
        if app.dashboard:
            signals = kong_signals(namespace, app.name) if app.public is not None else app_signals(namespace)
            DashboardConfigMap(self, "dashboard", env=env, owner=app.name, namespace=namespace, signals=signals)
        Monitor(self, "monitor", name=app.name, namespace=namespace, selector=selector(app), port=PORT_NAME)
        if "kube-prometheus-stack" in config.components_in(env):
            AppSloRules(self, "slo", config=config, env=env, app=app)


class AppNetworkPolicy(Construct):
    """Only Kong (public apps) and Prometheus reach an app's pods, and only on its port; egress
    stays open (apps call their database and external APIs)."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str, app: App) -> None:
        super().__init__(scope, id)
        components = config.components_in(env)
        sources = [c for c in ("kong", "kube-prometheus-stack") if c in components and (c != "kong" or app.public is not None)]
        namespaces = sorted({config.platform.components[c].namespace for c in sources})
        k8s.KubeNetworkPolicy(
            self,
            "policy",
            metadata=k8s.ObjectMeta(name=app.name, namespace=naming.app_namespace(app), labels=labels(config.platform, app)),
            spec=k8s.NetworkPolicySpec(
                pod_selector=k8s.LabelSelector(match_labels=selector(app)),
                policy_types=["Ingress"],
                ingress=[
                    k8s.NetworkPolicyIngressRule(
                        from_=[
                            k8s.NetworkPolicyPeer(namespace_selector=k8s.LabelSelector(match_labels={"kubernetes.io/metadata.name": ns}))
                            for ns in namespaces
                        ],
                        ports=[k8s.NetworkPolicyPort(protocol="TCP", port=k8s.IntOrString.from_number(app.port))],
                    )
                ],
            ),
        )
