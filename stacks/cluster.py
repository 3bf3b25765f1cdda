"""The ``<env>-cluster`` stack: EKS, managed node groups, OIDC provider, core add-ons, IRSA roles.

- Control-plane logs (all five types) go to a log group created here first, so it has a
  retention and a KMS key instead of EKS's never-expiring default.
- Kubernetes Secrets are envelope-encrypted with a customer-managed key (rotation on).
- The API endpoint is private inside the VPC; the public endpoint, when the env enables it,
  accepts only ``platform.admin_cidrs``.
- Authentication uses EKS access entries (``API`` mode, no aws-auth ConfigMap). The identity
  that deploys gets cluster-admin (``bootstrap_cluster_creator_admin_permissions``): the
  bootstrap stack installs Argo CD with it. Managed node groups register their own entries.
- IRSA roles are per env (the predecessor's account-global names collided, seed plan §0), each
  trusted only by ``system:serviceaccount:<ns>:<sa>`` of this cluster's OIDC issuer.
"""

from __future__ import annotations

from cdktf import Fn, TerraformLocal
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.eks_addon import EksAddon
from cdktf_cdktf_provider_aws.eks_cluster import EksCluster
from cdktf_cdktf_provider_aws.eks_node_group import EksNodeGroup
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from stacks import irsa
from stacks.base import LOG_RETENTION_DAYS, PlatformStack, policy_json
from stacks.network import NetworkStack

CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
STS_AUDIENCE = "sts.amazonaws.com"
CLUSTER_POLICIES = ("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",)
NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
)
# Core add-ons at the version EKS picks as default for the cluster version; coredns and the EBS
# CSI controller need nodes, so they wait for the node groups.
ADDONS = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver")
ADDONS_NEEDING_NODES = ("coredns", "aws-ebs-csi-driver")


def resource_id(name: str) -> str:
    return name.replace("-", "_")


class ClusterStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig, env: str, network: NetworkStack) -> None:
        super().__init__(scope, naming.env_stack(env, "cluster"), config=config, env=env)
        platform = self.platform
        spec = platform.environments[env].cluster
        name = naming.cluster(platform, env)

        secrets_key = self.kms_key("secrets_key", purpose="eks-secrets", description=f"EKS {name} Kubernetes Secrets encryption")
        log_group_name = naming.eks_log_group(platform, env)
        logs_key = self.kms_key(
            "logs_key",
            purpose="eks-logs",
            description=f"EKS {name} control-plane logs",
            service_statements=[self.logs_key_statement(self.log_group_arn(log_group_name))],
        )
        log_group = CloudwatchLogGroup(self, "control_plane_logs", name=log_group_name, retention_in_days=LOG_RETENTION_DAYS, kms_key_id=logs_key.arn)

        cluster_role = self.service_role("cluster_role", purpose="eks-cluster", service="eks.amazonaws.com", managed_policies=CLUSTER_POLICIES)
        self.this = EksCluster(
            self,
            "cluster",
            name=name,
            version=spec.kubernetes_version,
            role_arn=cluster_role.arn,
            enabled_cluster_log_types=CONTROL_PLANE_LOGS,
            encryption_config={"resources": ["secrets"], "provider": {"key_arn": secrets_key.arn}},
            vpc_config={
                "subnet_ids": network.private_subnet_ids,
                "endpoint_private_access": True,
                "endpoint_public_access": spec.public_endpoint,
                "public_access_cidrs": list(platform.admin_cidrs) if spec.public_endpoint else None,
            },
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            depends_on=[log_group],
        )
        self.cluster_name: str = self.this.name
        # EKS creates this group; nodes of managed node groups use it, so the database allows it.
        self.cluster_security_group_id: str = self.this.vpc_config.cluster_security_group_id

        node_role = self.service_role("node_role", purpose="eks-node", service="ec2.amazonaws.com", managed_policies=NODE_POLICIES)
        node_groups = []
        for group in spec.node_groups:
            node_groups.append(
                EksNodeGroup(
                    self,
                    f"node_group_{resource_id(group.name)}",
                    cluster_name=self.this.name,
                    node_group_name=group.name,
                    node_role_arn=node_role.arn,
                    subnet_ids=network.private_subnet_ids,
                    instance_types=list(group.instance_types),
                    capacity_type=group.capacity_type,
                    disk_size=group.disk_size_gib,
                    scaling_config={"min_size": group.min_size, "max_size": group.max_size, "desired_size": group.desired_size},
                    update_config={"max_unavailable": 1},
                    labels={"goldenpath.io/node-group": group.name},
                    # cluster-autoscaler owns the desired size once the group exists.
                    lifecycle={"ignore_changes": ["scaling_config[0].desired_size"]},
                )
            )

        self.oidc = IamOpenidConnectProvider(
            self,
            "oidc",
            url=self.this.identity.get(0).oidc.get(0).issuer,
            client_id_list=[STS_AUDIENCE],
        )
        # The issuer without its scheme, as IAM condition keys want it. A local keeps the trust
        # policies plain JSON strings (`${local.oidc_issuer}:sub`) that parse offline.
        issuer = TerraformLocal(self, "oidc_issuer", Fn.replace(self.this.identity.get(0).oidc.get(0).issuer, "https://", ""))

        self.irsa_roles: dict[str, IamRole] = {}
        for binding in naming.irsa_bindings(platform, env):
            rid = f"irsa_{resource_id(binding.purpose)}"
            role = IamRole(
                self,
                rid,
                name=naming.iam_role(platform, env, binding.purpose),
                assume_role_policy=policy_json(
                    [
                        {
                            "Effect": "Allow",
                            "Principal": {"Federated": self.oidc.arn},
                            "Action": "sts:AssumeRoleWithWebIdentity",
                            "Condition": {
                                "StringEquals": {
                                    f"{issuer.as_string}:aud": STS_AUDIENCE,
                                    f"{issuer.as_string}:sub": binding.subject,
                                }
                            },
                        }
                    ]
                ),
            )
            if binding.purpose in irsa.INLINE_POLICIES:
                IamRolePolicy(
                    self,
                    f"{rid}_policy",
                    name=binding.purpose,
                    role=role.id,
                    policy=policy_json(irsa.INLINE_POLICIES[binding.purpose](config, env)),
                )
            for index, arn in enumerate(irsa.MANAGED_POLICIES.get(binding.purpose, ())):
                IamRolePolicyAttachment(self, f"{rid}_managed_{index}", role=role.name, policy_arn=arn)
            self.irsa_roles[binding.purpose] = role

        for addon in ADDONS:
            EksAddon(
                self,
                f"addon_{resource_id(addon)}",
                cluster_name=self.this.name,
                addon_name=addon,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                service_account_role_arn=self.irsa_roles["ebs-csi"].arn if addon == "aws-ebs-csi-driver" else None,
                depends_on=node_groups if addon in ADDONS_NEEDING_NODES else None,
            )
