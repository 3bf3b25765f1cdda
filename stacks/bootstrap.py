"""The ``<env>-bootstrap`` stack: Argo CD by Helm, then the root Application that syncs the rest.

This is the only thing Terraform installs into the cluster; everything else arrives through
GitOps from ``dist/gitops/<env>/apps`` on the env's branch (DESIGN §5). Two releases, in order:

1. ``<env>-argocd`` (argo-cd chart, the tree's argocd values): Argo CD and its CRDs. The chart
   ships the CRDs as templates of this release, so it cannot also carry an Application: Helm
   maps every object's kind before creating any, and a fresh cluster has no Application kind.
2. ``<env>-root-apps`` (argocd-apps chart, ``model.ROOT_APPS_CHART``): the root Application
   (``helm_values.root_application``), installed only after the first release is ready.

The Helm provider authenticates with ``aws eks get-token`` (exec) for the identity that runs
`cdktf deploy`, which must be one of ``platform.admin_principals`` (the cluster stack's access
entries). A token read once at plan time (``aws_eks_cluster_auth``) expires after ~15 minutes,
shorter than an install that waits for Argo CD (Helm provider docs, "Exec plugins").

Helm creates the ``argocd`` namespace (``create_namespace``); the GitOps tree owns the Namespace
object itself (labels, Pod Security), so it has exactly one owner. No Kubernetes provider: loading
its jsii assembly alone costs ~1 s of every synth for one namespace.
"""

from __future__ import annotations

from typing import Any

import yaml
from cdktf import Fn
from cdktf_cdktf_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktf_cdktf_provider_helm.provider import HelmProvider
from cdktf_cdktf_provider_helm.release import Release
from constructs import Construct

from goldenpath import helm_values, naming
from goldenpath.config import PlatformConfig
from goldenpath.model import ROOT_APPS_CHART
from stacks.base import PlatformStack
from stacks.cluster import ClusterStack

HELM_TIMEOUT_SECONDS = 900
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


def argocd_values(config: PlatformConfig, env: str) -> str:
    """The values document Terraform hands to the argo-cd chart (deterministic: keys sorted)."""
    return yaml.safe_dump(helm_values.argocd_bootstrap(config, env), sort_keys=True)


def root_apps_values(config: PlatformConfig, env: str) -> dict[str, Any]:
    """argocd-apps 2.x values holding :func:`helm_values.root_application`: ``applications`` is
    a map keyed by the Application's name; the rest of each entry is its metadata.namespace,
    finalizers and spec fields (chart templates/applications.yaml)."""
    root = helm_values.root_application(config, env)
    metadata = root["metadata"]
    entry = {"namespace": metadata["namespace"], "finalizers": metadata["finalizers"], **root["spec"]}
    return {"applications": {metadata["name"]: entry}}


class BootstrapStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig, env: str, cluster: ClusterStack) -> None:
        super().__init__(scope, naming.env_stack(env, "bootstrap"), config=config, env=env)
        platform = self.platform
        eks = DataAwsEksCluster(self, "cluster", name=cluster.cluster_name)
        connection = {
            "host": eks.endpoint,
            "cluster_ca_certificate": Fn.base64decode(eks.certificate_authority.get(0).data),
            # A fresh token for every Helm call, for as long as the install takes.
            "exec": {
                "api_version": EXEC_API_VERSION,
                "command": "aws",
                "args": ["eks", "get-token", "--cluster-name", eks.name, "--region", platform.region],
            },
        }
        HelmProvider(self, "helm", kubernetes=connection)

        chart = platform.components["argocd"].chart
        self.this = Release(
            self,
            "argocd",
            name=naming.release(env, "argocd"),
            namespace=naming.ARGOCD_NAMESPACE,
            create_namespace=True,
            repository=chart.repository,
            chart=chart.name,
            version=config.chart_version(env, "argocd"),
            values=[argocd_values(config, env)],
            atomic=True,
            wait=True,  # the Application CRD is established and Argo CD is ready before step 2
            timeout=HELM_TIMEOUT_SECONDS,
        )
        self.root_apps = Release(
            self,
            "root_apps",
            name=naming.root_apps_release(env),
            namespace=naming.ARGOCD_NAMESPACE,
            repository=ROOT_APPS_CHART.repository,
            chart=ROOT_APPS_CHART.name,
            version=ROOT_APPS_CHART.version,
            values=[yaml.safe_dump(root_apps_values(config, env), sort_keys=True)],
            atomic=True,
            wait=True,
            timeout=HELM_TIMEOUT_SECONDS,
            depends_on=[self.this],
        )
        self.output("argocd_release", self.this.name, "Helm release of Argo CD")
        self.output("root_application", naming.root_application(env), f"Argo CD Application syncing {naming.gitops_path(env, 'apps')}")
        argocd_host = config.platform.components["argocd"].host if "argocd" in config.platform.components else None
        if argocd_host:
            self.output("argocd_url", f"https://{naming.host(config.platform, env, argocd_host)}", "Argo CD's UI and API (argocd login <host> --sso)")
