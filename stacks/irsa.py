"""IAM policies of the IRSA roles (one per :func:`goldenpath.naming.irsa_bindings` entry).

Least privilege, per environment: the predecessor's external-secrets role could read every
``goldenpath*`` secret of every env (seed report C). Pure data: no jsii here, so the tests and
the verifier can import it cheaply.
"""

from __future__ import annotations

from typing import Any

from goldenpath import naming
from goldenpath.config import PlatformConfig

EBS_CSI_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
SECRET_READ = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
FIND_SECRETS = ["secretsmanager:BatchGetSecretValue", "secretsmanager:ListSecrets"]
TENANT_ASSUME = ["sts:AssumeRole", "sts:TagSession"]


def platform_secret_owners(config: PlatformConfig, env: str) -> list[str]:
    """Components of ``env`` that own secrets (declared ones or database credentials)."""
    return sorted(c for c in config.components_in(env) if config.platform.components[c].secrets or config.platform.components[c].database)


def external_secrets(config: PlatformConfig, env: str) -> list[dict[str, Any]]:
    """The operator's own identity (the ClusterSecretStore of the platform namespaces): the
    platform components' secrets, every owner's database credentials (the provisioning Job in
    platform-db sets each role's password) and the RDS master secret. Not the apps' declared
    secrets: those only the tenant role reads, per app (issue 12). KMS decrypt on the env data
    key is granted by the database stack, which owns that key (it is created after this role)."""
    platform = config.platform
    owners = platform_secret_owners(config, env)
    statements: list[dict[str, Any]] = []
    if owners:
        resources = [naming.owner_secret_arn_pattern(platform, env, owner) for owner in owners]
        statements.append({"Sid": "ReadPlatformSecrets", "Effect": "Allow", "Action": SECRET_READ, "Resource": resources})
    statements += [
        {"Sid": "ReadDatabaseCredentials", "Effect": "Allow", "Action": SECRET_READ, "Resource": naming.database_secret_arn_pattern(platform, env)},
        {
            # The RDS-managed master secret is named rds!db-<uuid>: found by the tag RDS puts on it.
            "Sid": "ReadRdsMasterSecret",
            "Effect": "Allow",
            "Action": SECRET_READ,
            "Resource": "*",
            "Condition": {"StringEquals": {f"secretsmanager:ResourceTag/{naming.RDS_MASTER_SECRET_TAG}": naming.rds_arn(platform, env)}},
        },
        # Finding a secret by tags (the RDS master secret) calls BatchGetSecretValue with tag
        # filters (external-secrets providers/v1/aws/secretsmanager fetchWithBatch). Neither it nor
        # ListSecrets supports resource scoping, and neither widens what can be read:
        # BatchGetSecretValue returns only secrets the caller may also GetSecretValue (AWS Secrets
        # Manager API reference, BatchGetSecretValue "Required permissions"), i.e. the grants above.
        {"Sid": "FindSecretsByTag", "Effect": "Allow", "Action": FIND_SECRETS, "Resource": "*"},
        {
            # Each app namespace's SecretStore assumes the tenant role with the app as session tag
            # (ESO AWS provider `role` + `sessionTags`: providers/v1/aws/auth/auth.go createConfiguration).
            "Sid": "AssumeTenantSecretsReader",
            "Effect": "Allow",
            "Action": TENANT_ASSUME,
            "Resource": naming.tenant_secrets_role_arn(platform, env),
        },
    ]
    return statements


def tenant_secrets(config: PlatformConfig, env: str) -> list[dict[str, Any]]:
    """The tenant reader: a session tagged ``Application=<app>`` reads only that app's secrets.

    Why one role and a tag instead of a role per app: 2,000 apps x 3 envs would be 6,000 roles,
    above the IAM quota of roles per account (default 1,000, at most 5,000: IAM User Guide,
    "IAM and AWS STS quotas"). ABAC with session tags (IAM User Guide, "Pass session tags in AWS
    STS"; Secrets Manager User Guide, ABAC) is one role per env whatever the number of apps.

    Two independent checks must both hold: the secret's *name* is under ``<org>/<env>/<tag>/``
    (names are immutable) and the secret carries the resource tag ``Application=<tag>`` (so a
    component's or the RDS master secret, which carry no such tag, can never match, whatever
    tag value a session has). Only GetSecretValue: ESO reads with it alone (secretsmanager.go
    constructSecretValue; DescribeSecret only for metadataPolicy Fetch, which the tree never uses;
    no find-by-tag in app namespaces, the externalsecret-tenant rule forbids it).
    """
    platform = config.platform
    tag = naming.TENANT_TAG
    return [
        {
            "Sid": "ReadOwnAppSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": terraform_escape(naming.tenant_secret_arn_pattern(platform, env)),
            "Condition": {"StringEquals": {f"secretsmanager:ResourceTag/{tag}": terraform_escape(f"${{aws:PrincipalTag/{tag}}}")}},
        }
    ]


def tenant_secrets_trust(config: PlatformConfig, env: str, operator_role_arn: str) -> list[dict[str, Any]]:
    """Only the External Secrets operator's role may assume the tenant role, only with exactly
    one session tag, ``Application``, and a non-empty value (IAM User Guide, "Permissions
    required to add session tags": sts:TagSession in the trust policy; aws:RequestTag, aws:TagKeys)."""
    tag = naming.TENANT_TAG
    return [
        {
            "Sid": "ExternalSecretsOperatorWithAppTag",
            "Effect": "Allow",
            "Principal": {"AWS": operator_role_arn},
            "Action": TENANT_ASSUME,
            "Condition": {
                "StringLike": {f"aws:RequestTag/{tag}": "?*"},
                "ForAllValues:StringEquals": {"aws:TagKeys": [tag]},
            },
        }
    ]


def terraform_escape(value: str) -> str:
    """An IAM policy variable inside a Terraform string: ``${`` would be a Terraform interpolation."""
    return value.replace("${", "$${")


def cluster_autoscaler(config: PlatformConfig, env: str) -> list[dict[str, Any]]:
    """Upstream minimal policy; writes only to ASGs EKS tags as owned by this env's cluster."""
    cluster = naming.cluster(config.platform, env)
    return [
        {
            "Sid": "Discover",
            "Effect": "Allow",
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
                "eks:DescribeNodegroup",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ScaleOwnNodeGroups",
            "Effect": "Allow",
            "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            "Resource": "*",
            "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "owned"}},
        },
    ]


def image_updater(config: PlatformConfig, env: str) -> list[dict[str, Any]]:
    """ECR read-only on the app repositories (GetAuthorizationToken cannot be scoped)."""
    platform = config.platform
    repos = sorted(naming.ecr_repository_arn(platform, app) for app in config.apps_in(env))
    statements: list[dict[str, Any]] = [{"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]
    if repos:
        statements.append(
            {
                "Sid": "ReadAppRepositories",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:DescribeImages",
                    "ecr:DescribeRepositories",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:ListImages",
                ],
                "Resource": repos,
            }
        )
    return statements


_LB_TAG = "elbv2.k8s.aws/cluster"
_LB_RESOURCES = [
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
    "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
]


def aws_load_balancer_controller(config: PlatformConfig, env: str) -> list[dict[str, Any]]:
    """The upstream policy (kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json,
    v2.13), scoped exactly where upstream scopes it: writes to load balancers, target groups and
    security groups require the controller's ``elbv2.k8s.aws/cluster`` tag."""
    null_request_tag = {"Null": {f"aws:RequestTag/{_LB_TAG}": "false"}}
    owned = {"Null": {f"aws:ResourceTag/{_LB_TAG}": "false"}}
    retag = {"Null": {f"aws:RequestTag/{_LB_TAG}": "true", f"aws:ResourceTag/{_LB_TAG}": "false"}}
    return [
        {
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeCoipPools",
                "ec2:DescribeInstances",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeIpamPools",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeTags",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeVpcs",
                "ec2:GetCoipPoolUsage",
                "ec2:GetSecurityGroupsForVpc",
                "elasticloadbalancing:DescribeCapacityReservation",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTrustStores",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "acm:DescribeCertificate",
                "acm:ListCertificates",
                "cognito-idp:DescribeUserPoolClient",
                "iam:GetServerCertificate",
                "iam:ListServerCertificates",
                "shield:CreateProtection",
                "shield:DeleteProtection",
                "shield:DescribeProtection",
                "shield:GetSubscriptionState",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
            ],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["ec2:CreateSecurityGroup"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ec2:CreateTags"],
            "Resource": "arn:aws:ec2:*:*:security-group/*",
            "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}, **null_request_tag},
        },
        {"Effect": "Allow", "Action": ["ec2:CreateTags", "ec2:DeleteTags"], "Resource": "arn:aws:ec2:*:*:security-group/*", "Condition": retag},
        {
            "Effect": "Allow",
            "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupIngress"],
            "Resource": "*",
            "Condition": owned,
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            "Resource": "*",
            "Condition": null_request_tag,
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:DeleteRule",
            ],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], "Resource": _LB_RESOURCES, "Condition": retag},
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": [
                "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
            ],
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
            ],
            "Resource": "*",
            "Condition": owned,
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags"],
            "Resource": _LB_RESOURCES,
            "Condition": {"StringEquals": {"elasticloadbalancing:CreateAction": ["CreateLoadBalancer", "CreateTargetGroup"]}, **null_request_tag},
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
            "Resource": "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:SetRulePriorities",
                "elasticloadbalancing:SetWebAcl",
            ],
            "Resource": "*",
        },
    ]


def grafana(config: PlatformConfig, env: str) -> list[dict[str, Any]]:
    """Read-only CloudWatch metrics for the RDS panels (Grafana's CloudWatch data source docs,
    "IAM policies": metric reads have no resource-level permissions, hence "*"; nothing writes)."""
    return [
        {
            "Sid": "ReadMetrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:DescribeAlarmsForMetric", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
            "Resource": "*",
        },
        {"Sid": "ResolveDimensions", "Effect": "Allow", "Action": ["tag:GetResources", "rds:DescribeDBInstances"], "Resource": "*"},
    ]


# purpose -> inline policy statements; purposes missing here get only managed policies.
INLINE_POLICIES = {
    "aws-load-balancer-controller": aws_load_balancer_controller,
    "grafana": grafana,
    "cluster-autoscaler": cluster_autoscaler,
    "external-secrets": external_secrets,
    "image-updater": image_updater,
}
MANAGED_POLICIES = {"ebs-csi": (EBS_CSI_MANAGED_POLICY,)}
