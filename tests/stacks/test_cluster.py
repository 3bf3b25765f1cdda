"""stacks/cluster.py (+ stacks/irsa.py): EKS security settings and per-env least-privilege IRSA roles."""

from __future__ import annotations

import pytest

from goldenpath import naming
from tests.stacks.conftest import policy, resources

ENVS = ["dev", "staging", "prod"]


@pytest.mark.parametrize("env", ENVS)
def test_control_plane_logs_secrets_encryption_and_endpoint(stack, default_config, env: str) -> None:
    # GIVEN an env's cluster stack
    doc = stack(f"{env}-cluster")
    cluster = resources(doc, "aws_eks_cluster")["cluster"]
    # THEN the name, version and all five control-plane log types are set
    assert cluster["name"] == naming.cluster(default_config.platform, env)
    assert cluster["version"] == "1.33"
    assert cluster["enabled_cluster_log_types"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    # AND Kubernetes Secrets are encrypted with a rotating customer-managed key
    assert cluster["encryption_config"] == {"resources": ["secrets"], "provider": {"key_arn": "${aws_kms_key.secrets_key.arn}"}}
    assert resources(doc, "aws_kms_key")["secrets_key"]["enable_key_rotation"] is True
    # AND the private endpoint is on; the public one only admits the admin CIDRs (never 0.0.0.0/0)
    vpc = cluster["vpc_config"]
    assert vpc["endpoint_private_access"] is True
    assert vpc["endpoint_public_access"] is True
    assert vpc["public_access_cidrs"] == ["198.51.100.0/24"]
    # AND the control plane and nodes sit in the private subnets only
    assert all("private" in s for s in vpc["subnet_ids"]) and len(vpc["subnet_ids"]) == len(default_config.platform.environments[env].network.availability_zones)
    # AND authentication uses access entries, not the aws-auth ConfigMap
    assert cluster["access_config"] == {"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True}
    # AND the log group is created first (retention, KMS) under the name EKS writes to
    group = resources(doc, "aws_cloudwatch_log_group")["control_plane_logs"]
    assert group["name"] == f"/aws/eks/goldenpath-{env}-eks/cluster" and group["retention_in_days"] == 365
    assert group["kms_key_id"] == "${aws_kms_key.logs_key.arn}"


def test_public_endpoint_off_when_the_env_says_so(variant_stack) -> None:
    # GIVEN staging with cluster.public_endpoint: false
    vpc = resources(variant_stack("staging-cluster"), "aws_eks_cluster")["cluster"]["vpc_config"]
    # THEN the API is reachable only inside the VPC, and no CIDR list is kept around
    assert (vpc["endpoint_private_access"], vpc["endpoint_public_access"]) == (True, False)
    assert "public_access_cidrs" not in vpc


def test_node_groups_follow_the_model(stack, default_config) -> None:
    # GIVEN prod (two node groups, one SPOT)
    groups = resources(stack("prod-cluster"), "aws_eks_node_group")
    assert sorted(g["node_group_name"] for g in groups.values()) == ["burst", "general"]
    burst = groups["node_group_burst"]
    assert burst["capacity_type"] == "SPOT"
    assert burst["instance_types"] == ["m6i.large", "m5.large"]
    assert burst["scaling_config"] == {"min_size": 0, "max_size": 6, "desired_size": 0}
    assert all("private" in s for s in burst["subnet_ids"])
    # AND the autoscaler, not Terraform, owns the desired size
    assert burst["lifecycle"] == {"ignore_changes": ["scaling_config[0].desired_size"]}


def test_core_addons_and_ebs_csi_role(stack) -> None:
    addons = resources(stack("dev-cluster"), "aws_eks_addon")
    assert sorted(a["addon_name"] for a in addons.values()) == ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]
    assert addons["addon_aws_ebs_csi_driver"]["service_account_role_arn"] == "${aws_iam_role.irsa_ebs_csi.arn}"


def test_oidc_provider_for_sts(stack) -> None:
    doc = stack("dev-cluster")
    oidc = resources(doc, "aws_iam_openid_connect_provider")["oidc"]
    assert oidc["client_id_list"] == ["sts.amazonaws.com"]
    assert oidc["url"] == "${aws_eks_cluster.cluster.identity[0].oidc[0].issuer}"
    assert doc["locals"]["oidc_issuer"] == '${replace(aws_eks_cluster.cluster.identity[0].oidc[0].issuer, "https://", "")}'


@pytest.mark.parametrize("env", ENVS)
def test_irsa_roles_trust_exactly_one_service_account(stack, default_config, env: str) -> None:
    # GIVEN the IRSA bindings the GitOps values use
    roles = resources(stack(f"{env}-cluster"), "aws_iam_role")
    bindings = naming.irsa_bindings(default_config.platform, env)
    assert len(bindings) == 5
    for binding in bindings:
        role = roles[f"irsa_{binding.purpose.replace('-', '_')}"]
        # THEN the role has the per-env name ...
        assert role["name"] == naming.iam_role(default_config.platform, env, binding.purpose) == f"goldenpath-{env}-{binding.purpose}"
        # ... and only this cluster's OIDC provider, for this one service account, may assume it
        (statement,) = policy(role["assume_role_policy"])["Statement"]
        assert statement == {
            "Effect": "Allow",
            "Principal": {"Federated": "${aws_iam_openid_connect_provider.oidc.arn}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    "${local.oidc_issuer}:aud": "sts.amazonaws.com",
                    "${local.oidc_issuer}:sub": f"system:serviceaccount:{binding.namespace}:{binding.service_account}",
                }
            },
        }
    subjects = {b.purpose: b.subject for b in bindings}
    assert subjects["external-secrets"] == "system:serviceaccount:external-secrets:external-secrets"
    assert subjects["ebs-csi"] == "system:serviceaccount:kube-system:ebs-csi-controller-sa"


def _inline(stack, env: str, purpose: str) -> list[dict]:
    doc = stack(f"{env}-cluster")
    attached = resources(doc, "aws_iam_role_policy")[f"irsa_{purpose.replace('-', '_')}_policy"]
    assert attached["role"] == f"${{aws_iam_role.irsa_{purpose.replace('-', '_')}.id}}"
    return policy(attached["policy"])["Statement"]


@pytest.mark.parametrize("env", ENVS)
def test_external_secrets_reads_only_its_env(stack, env: str) -> None:
    statements = {s["Sid"]: s for s in _inline(stack, env, "external-secrets")}
    # THEN named secrets are readable only under goldenpath/<env>/
    assert statements["ReadEnvSecrets"] == {
        "Sid": "ReadEnvSecrets",
        "Effect": "Allow",
        "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
        "Resource": f"arn:aws:secretsmanager:eu-west-2:593517239005:secret:goldenpath/{env}/*",
    }
    # AND the RDS-managed master secret only through the tag naming this env's instance
    master = statements["ReadRdsMasterSecret"]
    assert master["Resource"] == "*"
    assert master["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert master["Condition"] == {
        "StringEquals": {"secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": f"arn:aws:rds:eu-west-2:593517239005:db:goldenpath-{env}-postgres"}
    }
    # AND the only unscoped action is ListSecrets (not resource-scopable; needed by dataFrom.find)
    assert statements["FindSecretsByTag"]["Action"] == "secretsmanager:ListSecrets"
    assert set(statements) == {"ReadEnvSecrets", "ReadRdsMasterSecret", "FindSecretsByTag"}


def test_image_updater_reads_only_app_repositories(stack, default_config) -> None:
    statements = {s["Sid"]: s for s in _inline(stack, "dev", "image-updater")}
    assert statements["RegistryLogin"]["Action"] == "ecr:GetAuthorizationToken"
    assert statements["ReadAppRepositories"]["Resource"] == sorted(
        f"arn:aws:ecr:eu-west-2:593517239005:repository/goldenpath/{a.name}" for a in default_config.apps_in("dev")
    )
    assert not any(a.startswith("ecr:Put") or a.startswith("ecr:Delete") for a in statements["ReadAppRepositories"]["Action"])


def test_cluster_autoscaler_scales_only_its_own_node_groups(stack) -> None:
    statements = {s["Sid"]: s for s in _inline(stack, "staging", "cluster-autoscaler")}
    assert statements["ScaleOwnNodeGroups"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/goldenpath-staging-eks": "owned"}
    }


def test_load_balancer_controller_writes_only_tagged_resources(stack) -> None:
    statements = _inline(stack, "prod", "aws-load-balancer-controller")
    deletes = [s for s in statements if "elasticloadbalancing:DeleteLoadBalancer" in s["Action"]]
    assert deletes == [s for s in deletes if s["Condition"] == {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}] and deletes
    creates = [s for s in statements if "elasticloadbalancing:CreateLoadBalancer" in s["Action"]]
    assert [s["Condition"] for s in creates] == [{"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}}]


def test_ebs_csi_uses_the_aws_managed_policy(stack) -> None:
    attachment = resources(stack("dev-cluster"), "aws_iam_role_policy_attachment")["irsa_ebs_csi_managed_0"]
    assert attachment == attachment | {"policy_arn": "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy", "role": "${aws_iam_role.irsa_ebs_csi.name}"}
