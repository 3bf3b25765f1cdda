"""The ``<env>-bootstrap`` stack: Argo CD by Helm, plus the root Application that syncs the rest.

This is the only thing Terraform installs into the cluster; everything else arrives through
GitOps from ``dist/gitops/<env>/apps`` on the env's branch (DESIGN §5). The root Application
travels in the chart's ``extraObjects`` so no Argo CD CRD has to exist when Terraform plans.
The Helm provider authenticates with a short-lived token for the identity that runs
`cdktf deploy` (it is cluster admin through the cluster's creator access entry).

Helm creates the ``argocd`` namespace (``create_namespace``); the GitOps tree owns the Namespace
object itself (labels, Pod Security), so it has exactly one owner. No Kubernetes provider: loading
its jsii assembly alone costs ~1 s of every synth for one namespace.
"""

from __future__ import annotations

import yaml
from cdktf import Fn
from cdktf_cdktf_provider_aws.data_aws_eks_cluster import DataAwsEksCluster
from cdktf_cdktf_provider_aws.data_aws_eks_cluster_auth import DataAwsEksClusterAuth
from cdktf_cdktf_provider_helm.provider import HelmProvider
from cdktf_cdktf_provider_helm.release import Release
from constructs import Construct

from goldenpath import helm_values, naming
from goldenpath.config import PlatformConfig
from stacks.base import PlatformStack
from stacks.cluster import ClusterStack

HELM_TIMEOUT_SECONDS = 900


def argocd_values(config: PlatformConfig, env: str) -> str:
    """The values document Terraform hands to Helm (deterministic: keys sorted)."""
    return yaml.safe_dump(helm_values.argocd_bootstrap(config, env), sort_keys=True)


class BootstrapStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig, env: str, cluster: ClusterStack) -> None:
        super().__init__(scope, naming.env_stack(env, "bootstrap"), config=config, env=env)
        platform = self.platform
        eks = DataAwsEksCluster(self, "cluster", name=cluster.cluster_name)
        auth = DataAwsEksClusterAuth(self, "cluster_auth", name=cluster.cluster_name)
        connection = {
            "host": eks.endpoint,
            "cluster_ca_certificate": Fn.base64decode(eks.certificate_authority.get(0).data),
            "token": auth.token,
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
            wait=True,
            timeout=HELM_TIMEOUT_SECONDS,
        )
