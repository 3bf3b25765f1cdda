"""The ``<env>-cluster`` stack: EKS, managed node groups, OIDC provider, core add-ons, IRSA roles.

- Control-plane logs (all five types) go to a log group created here first, so it has a
  retention and a KMS key instead of EKS's never-expiring default.
- Kubernetes Secrets are envelope-encrypted with a customer-managed key (rotation on).
- The API endpoint is private inside the VPC; the public endpoint, when the env enables it,
  accepts only ``platform.admin_cidrs``.
- Authentication uses EKS access entries (``API`` mode, no aws-auth ConfigMap). Cluster admins
  are exactly ``platform.admin_principals`` (an access entry + AmazonEKSClusterAdminPolicy each);
  the creator gets no implicit admin (``bootstrap_cluster_creator_admin_permissions = false``),
  which could not be changed later without replacing the cluster and is invisible to Terraform
  (terraform-aws-eks v21 main.tf does the same). Managed node groups register their own entries.
- The cluster and the node groups depend on their roles' policy attachments, so a destroy
  removes them before the permissions EKS needs to clean up ENIs and security groups (AWS
  provider docs, aws_eks_cluster / aws_eks_node_group examples; eks module depends_on).
- Nodes boot from a launch template: IMDSv2 required with hop limit 1 (pods cannot reach node
  credentials; every controller gets its region/VPC from values and its identity from IRSA),
  encrypted gp3 root volume; the node group's Kubernetes version and AMI type are explicit, so a
  cluster upgrade moves them, and add-on versions come from ``aws_eks_addon_version`` for the
  cluster version (eks module v21 ``data "aws_eks_addon_version"``).
- IRSA roles are per env (the predecessor's account-global names collided, seed plan §0), each
  trusted only by ``system:serviceaccount:<ns>:<sa>`` of this cluster's OIDC issuer.
"""

from __future__ import annotations

import json

from cdktf import Fn, TerraformLocal, Token
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_eks_addon_version import DataAwsEksAddonVersion
from cdktf_cdktf_provider_aws.eks_access_entry import EksAccessEntry
from cdktf_cdktf_provider_aws.eks_access_policy_association import EksAccessPolicyAssociation
from cdktf_cdktf_provider_aws.eks_addon import EksAddon
from cdktf_cdktf_provider_aws.eks_cluster import EksCluster
from cdktf_cdktf_provider_aws.eks_node_group import EksNodeGroup
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.launch_template import LaunchTemplate, LaunchTemplateBlockDeviceMappings, LaunchTemplateBlockDeviceMappingsEbs
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.model import NodeGroup
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
CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
# IMDSv2 only, one hop: pods (one hop further) cannot read the node role's credentials
# (terraform-aws-eks v21 eks-managed-node-group metadata_options defaults; checkov CKV_AWS_341).
NODE_METADATA_OPTIONS = {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}
NODE_ROOT_DEVICE = "/dev/xvda"  # root device of the EKS AL2023 AMIs
STORAGE_CLASS_DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


def resource_id(name: str) -> str:
    return name.replace("-", "_")


principal_id = naming.admin_principal_id


def ami_type(group: NodeGroup) -> str:
    """EKS-optimized AL2023 AMI of the group's architecture (config validation keeps it to one)."""
    return "AL2023_ARM_64_STANDARD" if group.architecture == "arm64" else "AL2023_x86_64_STANDARD"


def vpc_cni_configuration() -> str:
    """VPC CNI enforces NetworkPolicies only with its network policy agent enabled (EKS user
    guide "Limit pod traffic with Kubernetes network policies": enableNetworkPolicy)."""
    return json.dumps({"enableNetworkPolicy": "true"}, sort_keys=True)


def ebs_csi_configuration(protects_data: bool) -> str:
    """The cluster's default StorageClass, made by the EBS CSI add-on (EKS >= 1.30 creates none,
    so PVCs without a class stay Pending): gp3, encrypted, bound where the pod lands. The chart's
    ``storageClasses`` values (aws-ebs-csi-driver templates/storageclass.yaml). Volumes of envs
    that protect data outlive a deleted PVC (Retain)."""
    storage_class = {
        "name": naming.DEFAULT_STORAGE_CLASS,
        "annotations": {STORAGE_CLASS_DEFAULT_ANNOTATION: "true"},
        "allowVolumeExpansion": True,
        "volumeBindingMode": "WaitForFirstConsumer",
        "reclaimPolicy": "Retain" if protects_data else "Delete",
        "parameters": {"type": "gp3", "encrypted": "true"},
    }
    return json.dumps({"storageClasses": [storage_class]}, sort_keys=True)


ADDON_CONFIGURATION = {"vpc-cni": lambda protects_data: vpc_cni_configuration(), "aws-ebs-csi-driver": ebs_csi_configuration}


class ClusterStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig, env: str, network: NetworkStack) -> None:
        super().__init__(scope, naming.env_stack(env, "cluster"), config=config, env=env)
        platform = self.platform
        environment = platform.environments[env]
        spec = environment.cluster
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
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False},
            deletion_protection=environment.protects_data,
            depends_on=[log_group, *self.role_attachments["cluster_role"]],
        )
        self.cluster_name: str = self.this.name
        # EKS creates this group; nodes of managed node groups use it, so the database allows it.
        self.cluster_security_group_id: str = self.this.vpc_config.cluster_security_group_id

        for arn in platform.admin_principals:
            rid = principal_id(arn)
            entry = EksAccessEntry(self, rid, cluster_name=self.this.name, principal_arn=arn, type="STANDARD")
            EksAccessPolicyAssociation(
                self,
                f"{rid}_cluster_admin",
                cluster_name=self.this.name,
                principal_arn=arn,
                policy_arn=CLUSTER_ADMIN_POLICY,
                access_scope={"type": "cluster"},
                depends_on=[entry],
            )

        node_role = self.service_role("node_role", purpose="eks-node", service="ec2.amazonaws.com", managed_policies=NODE_POLICIES)
        node_groups = []
        for group in spec.node_groups:
            rid = f"node_group_{resource_id(group.name)}"
            template = LaunchTemplate(
                self,
                f"{rid}_launch_template",
                name=naming.resource(platform, env, "nodes", group.name),
                description=f"EKS {name} node group {group.name}: IMDSv2, encrypted gp3 root volume",
                update_default_version=True,
                metadata_options=NODE_METADATA_OPTIONS,
                block_device_mappings=[
                    LaunchTemplateBlockDeviceMappings(
                        device_name=NODE_ROOT_DEVICE,
                        ebs=LaunchTemplateBlockDeviceMappingsEbs(volume_size=group.disk_size_gib, volume_type="gp3", encrypted="true", delete_on_termination="true"),
                    )
                ],
            )
            node_groups.append(
                EksNodeGroup(
                    self,
                    rid,
                    cluster_name=self.this.name,
                    node_group_name=group.name,
                    node_role_arn=node_role.arn,
                    subnet_ids=network.private_subnet_ids,
                    version=self.this.version,  # a cluster upgrade moves the nodes too
                    ami_type=ami_type(group),
                    instance_types=list(group.instance_types),
                    capacity_type=group.capacity_type,
                    launch_template={"id": template.id, "version": Token.as_string(template.latest_version)},
                    scaling_config={"min_size": group.min_size, "max_size": group.max_size, "desired_size": group.desired_size},
                    update_config={"max_unavailable": 1},
                    labels={"goldenpath.io/node-group": group.name},
                    # cluster-autoscaler owns the desired size once the group exists.
                    lifecycle={"ignore_changes": ["scaling_config[0].desired_size"]},
                    depends_on=self.role_attachments["node_role"],
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

        # Tenant isolation (issue 12): one reader role per env that only the External Secrets
        # operator may assume, tagged with the app whose SecretStore asks (see irsa.tenant_secrets).
        self.tenant_secrets_role: IamRole | None = None
        operator = self.irsa_roles.get("external-secrets")
        if operator is not None:
            self.tenant_secrets_role = IamRole(
                self,
                "tenant_secrets",
                name=naming.tenant_secrets_role(platform, env),
                description=f"Reads the secrets of the app named by the session tag {naming.TENANT_TAG} ({env})",
                assume_role_policy=policy_json(irsa.tenant_secrets_trust(config, env, operator.arn)),
            )
            IamRolePolicy(
                self,
                "tenant_secrets_policy",
                name=naming.TENANT_SECRETS_PURPOSE,
                role=self.tenant_secrets_role.id,
                policy=policy_json(irsa.tenant_secrets(config, env)),
            )

        for addon in ADDONS:
            version = DataAwsEksAddonVersion(
                self, f"addon_{resource_id(addon)}_version", addon_name=addon, kubernetes_version=self.this.version, most_recent=True
            )
            configure = ADDON_CONFIGURATION.get(addon)
            EksAddon(
                self,
                f"addon_{resource_id(addon)}",
                cluster_name=self.this.name,
                addon_name=addon,
                addon_version=version.version,
                configuration_values=configure(environment.protects_data) if configure else None,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                service_account_role_arn=self.irsa_roles["ebs-csi"].arn if addon == "aws-ebs-csi-driver" else None,
                depends_on=node_groups if addon in ADDONS_NEEDING_NODES else None,
            )

        self.output("cluster_name", self.this.name, f"EKS cluster of {env}")
        self.output("cluster_endpoint", self.this.endpoint, f"API endpoint of {name} (aws eks update-kubeconfig --name {name})")
        self.output("oidc_provider_arn", self.oidc.arn, f"IRSA OIDC provider of {name}")
        if self.tenant_secrets_role is not None:
            self.output("tenant_secrets_role_arn", self.tenant_secrets_role.arn, f"Role every app SecretStore of {env} assumes (session tag {naming.TENANT_TAG})")
        self.output("kubeconfig_command", f"aws eks update-kubeconfig --region {self.platform.region} --name {name}", f"kubectl access to {name}")
