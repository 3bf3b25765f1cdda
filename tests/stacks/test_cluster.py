"""stacks/cluster.py (+ stacks/irsa.py): EKS security settings and per-env least-privilege IRSA roles."""

from __future__ import annotations

import json

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
    # AND authentication uses access entries, not the aws-auth ConfigMap, and the creator gets no
    # implicit admin (invisible to Terraform, unchangeable without replacing the cluster)
    assert cluster["access_config"] == {"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False}
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
    assert len(bindings) == 6  # ebs-csi, external-secrets, cluster-autoscaler, LB controller, image updater, grafana
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
def test_external_secrets_reads_only_platform_secrets_of_its_env(stack, env: str) -> None:
    statements = {s["Sid"]: s for s in _inline(stack, env, "external-secrets")}
    read = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    arn = f"arn:aws:secretsmanager:eu-west-2:593517239005:secret:goldenpath/{env}"
    # THEN named secrets are readable only for the platform components of goldenpath/<env>/ ...
    assert statements["ReadPlatformSecrets"] == {
        "Sid": "ReadPlatformSecrets",
        "Effect": "Allow",
        "Action": read,
        "Resource": [f"{arn}/backstage/*", f"{arn}/keycloak/*", f"{arn}/kube-prometheus-stack/*"],
    }
    # AND every owner's database credentials (the provisioning Job sets each role's password),
    # but no app's declared secrets: those only the tenant role reads
    assert statements["ReadDatabaseCredentials"] == {"Sid": "ReadDatabaseCredentials", "Effect": "Allow", "Action": read, "Resource": f"{arn}/*/postgres-??????"}
    # AND the RDS-managed master secret only through the tag naming this env's instance
    master = statements["ReadRdsMasterSecret"]
    assert master["Resource"] == "*"
    assert master["Action"] == read
    assert master["Condition"] == {
        "StringEquals": {"secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": f"arn:aws:rds:eu-west-2:593517239005:db:goldenpath-{env}-postgres"}
    }
    # AND the only unscoped actions are the two lookups a find-by-tags makes (BatchGetSecretValue
    # with tag filters, ListSecrets); neither is resource-scopable and neither returns a value the
    # role could not GetSecretValue anyway
    assert statements["FindSecretsByTag"] == {
        "Sid": "FindSecretsByTag",
        "Effect": "Allow",
        "Action": ["secretsmanager:BatchGetSecretValue", "secretsmanager:ListSecrets"],
        "Resource": "*",
    }
    # AND it may become the env's tenant reader (with session tags), nothing else
    assert statements["AssumeTenantSecretsReader"] == {
        "Sid": "AssumeTenantSecretsReader",
        "Effect": "Allow",
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Resource": f"arn:aws:iam::593517239005:role/goldenpath-{env}-tenant-secrets",
    }
    reads = [s for s in statements.values() if "secretsmanager:GetSecretValue" in s["Action"]]
    assert [s["Sid"] for s in reads] == ["ReadPlatformSecrets", "ReadDatabaseCredentials", "ReadRdsMasterSecret"]
    assert set(statements) == {"ReadPlatformSecrets", "ReadDatabaseCredentials", "ReadRdsMasterSecret", "FindSecretsByTag", "AssumeTenantSecretsReader"}


@pytest.mark.parametrize("env", ENVS)
def test_tenant_reader_reads_only_the_tagged_apps_secrets(stack, env: str) -> None:
    doc = stack(f"{env}-cluster")
    role = resources(doc, "aws_iam_role")["tenant_secrets"]
    assert role["name"] == f"goldenpath-{env}-tenant-secrets"
    # THEN the permission: GetSecretValue only, on goldenpath/<env>/<session tag>/* AND only on
    # secrets whose Application resource tag equals the session tag (policy variables escaped for
    # Terraform: $${ becomes ${ in the policy IAM receives)
    (attached,) = [p for p in resources(doc, "aws_iam_role_policy").values() if p["role"] == "${aws_iam_role.tenant_secrets.id}"]
    assert policy(attached["policy"])["Statement"] == [
        {
            "Sid": "ReadOwnAppSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": f"arn:aws:secretsmanager:eu-west-2:593517239005:secret:goldenpath/{env}/$${{aws:PrincipalTag/Application}}/*",
            "Condition": {"StringEquals": {"secretsmanager:ResourceTag/Application": "$${aws:PrincipalTag/Application}"}},
        }
    ]
    # AND the trust: only the External Secrets operator's role, only with exactly the Application tag
    assert policy(role["assume_role_policy"])["Statement"] == [
        {
            "Sid": "ExternalSecretsOperatorWithAppTag",
            "Effect": "Allow",
            "Principal": {"AWS": "${aws_iam_role.irsa_external_secrets.arn}"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringLike": {"aws:RequestTag/Application": "?*"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["Application"]}},
        }
    ]
    assert doc["output"]["tenant_secrets_role_arn"]["value"] == "${aws_iam_role.tenant_secrets.arn}"


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


@pytest.mark.parametrize("env", ENVS)
def test_cluster_and_nodes_depend_on_their_policy_attachments(stack, env: str) -> None:
    # GIVEN the cluster and node roles' managed-policy attachments
    doc = stack(f"{env}-cluster")
    attachments = resources(doc, "aws_iam_role_policy_attachment")
    cluster_attachments = sorted(f"aws_iam_role_policy_attachment.{k}" for k, v in attachments.items() if v["role"] == "${aws_iam_role.cluster_role.name}")
    node_attachments = sorted(f"aws_iam_role_policy_attachment.{k}" for k, v in attachments.items() if v["role"] == "${aws_iam_role.node_role.name}")
    assert len(cluster_attachments) == 1 and len(node_attachments) == 3
    # THEN the cluster and every node group wait for them (and are destroyed before them: no leaked ENIs)
    cluster = resources(doc, "aws_eks_cluster")["cluster"]
    assert cluster["depends_on"] == ["aws_cloudwatch_log_group.control_plane_logs", *cluster_attachments]
    for group in resources(doc, "aws_eks_node_group").values():
        assert sorted(group["depends_on"]) == node_attachments


def test_admin_principals_get_access_entries_and_cluster_admin(stack, default_config) -> None:
    # GIVEN the configured admin principals
    doc = stack("prod-cluster")
    (arn,) = default_config.platform.admin_principals
    # THEN each has a STANDARD access entry on this cluster ...
    assert resources(doc, "aws_eks_access_entry") == {
        "admin_593517239005_role_goldenpath_platform_admin": {
            "//": {"metadata": {"path": "prod-cluster/admin_593517239005_role_goldenpath_platform_admin", "uniqueId": "admin_593517239005_role_goldenpath_platform_admin"}},
            "cluster_name": "${aws_eks_cluster.cluster.name}",
            "principal_arn": arn,
            "type": "STANDARD",
        }
    }
    # ... and the cluster-admin access policy, cluster-wide, after the entry exists
    (association,) = resources(doc, "aws_eks_access_policy_association").values()
    assert {k: v for k, v in association.items() if k != "//"} == {
        "cluster_name": "${aws_eks_cluster.cluster.name}",
        "principal_arn": arn,
        "policy_arn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        "access_scope": {"type": "cluster"},
        "depends_on": ["aws_eks_access_entry.admin_593517239005_role_goldenpath_platform_admin"],
    }


@pytest.mark.parametrize(("env", "protected"), [("dev", False), ("staging", True), ("prod", True)])
def test_deletion_protection_where_the_env_protects_data(stack, env: str, protected: bool) -> None:
    assert resources(stack(f"{env}-cluster"), "aws_eks_cluster")["cluster"]["deletion_protection"] is protected


@pytest.mark.parametrize("env", ENVS)
def test_nodes_boot_from_a_hardened_launch_template(stack, default_config, env: str) -> None:
    doc = stack(f"{env}-cluster")
    templates = resources(doc, "aws_launch_template")
    for spec in default_config.platform.environments[env].cluster.node_groups:
        group = resources(doc, "aws_eks_node_group")[f"node_group_{spec.name}"]
        template = templates[f"node_group_{spec.name}_launch_template"]
        # THEN IMDSv2 is required and pods (one hop further) cannot reach the node's credentials
        assert template["metadata_options"] == {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}
        # AND the root volume is encrypted gp3 of the configured size
        assert template["block_device_mappings"] == [
            {"device_name": "/dev/xvda", "ebs": {"volume_size": spec.disk_size_gib, "volume_type": "gp3", "encrypted": "true", "delete_on_termination": "true"}}
        ]
        assert template["name"] == f"goldenpath-{env}-nodes-{spec.name}"
        # AND the group uses the template's latest version, has no disk_size of its own (EKS rejects both),
        # and names its Kubernetes version and AMI type, so a cluster upgrade moves the nodes
        assert group["launch_template"] == {
            "id": f"${{aws_launch_template.node_group_{spec.name}_launch_template.id}}",
            "version": f"${{aws_launch_template.node_group_{spec.name}_launch_template.latest_version}}",
        }
        assert "disk_size" not in group
        assert group["version"] == "${aws_eks_cluster.cluster.version}"
        assert group["ami_type"] == "AL2023_x86_64_STANDARD"


def test_graviton_node_groups_get_the_arm_ami(default_config) -> None:
    from goldenpath.model import NodeGroup
    from stacks.cluster import ami_type

    arm = NodeGroup(name="arm", instance_types=["m7g.large", "c7gn.large"], min_size=1, max_size=2, desired_size=1)
    assert ami_type(arm) == "AL2023_ARM_64_STANDARD"
    x86 = default_config.platform.environments["prod"].cluster.node_groups[0]
    assert ami_type(x86) == "AL2023_x86_64_STANDARD"


@pytest.mark.parametrize("env", ENVS)
def test_addon_versions_follow_the_cluster_version(stack, env: str) -> None:
    doc = stack(f"{env}-cluster")
    versions = doc["data"]["aws_eks_addon_version"]
    for rid, addon in resources(doc, "aws_eks_addon").items():
        # THEN every add-on's version is explicit: the newest one for this cluster's version
        assert addon["addon_version"] == f"${{data.aws_eks_addon_version.{rid}_version.version}}"
        lookup = versions[f"{rid}_version"]
        assert (lookup["addon_name"], lookup["kubernetes_version"], lookup["most_recent"]) == (addon["addon_name"], "${aws_eks_cluster.cluster.version}", True)


@pytest.mark.parametrize("env", ENVS)
def test_vpc_cni_enforces_network_policies(stack, env: str) -> None:
    addon = resources(stack(f"{env}-cluster"), "aws_eks_addon")["addon_vpc_cni"]
    assert json.loads(addon["configuration_values"]) == {"enableNetworkPolicy": "true"}


@pytest.mark.parametrize(("env", "reclaim"), [("dev", "Delete"), ("staging", "Retain"), ("prod", "Retain")])
def test_ebs_csi_makes_an_encrypted_gp3_default_storage_class(stack, env: str, reclaim: str) -> None:
    addon = resources(stack(f"{env}-cluster"), "aws_eks_addon")["addon_aws_ebs_csi_driver"]
    # THEN EKS >= 1.30 (which ships no default class) gets exactly one default: gp3, encrypted
    assert json.loads(addon["configuration_values"]) == {
        "storageClasses": [
            {
                "name": "gp3-encrypted",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
                "allowVolumeExpansion": True,
                "volumeBindingMode": "WaitForFirstConsumer",
                "reclaimPolicy": reclaim,
                "parameters": {"type": "gp3", "encrypted": "true"},
            }
        ]
    }
    assert naming.DEFAULT_STORAGE_CLASS == "gp3-encrypted"


def test_cluster_outputs_for_operators(stack) -> None:
    outputs = stack("dev-cluster")["output"]
    assert outputs["cluster_name"]["value"] == "${aws_eks_cluster.cluster.name}"
    assert outputs["cluster_endpoint"]["value"] == "${aws_eks_cluster.cluster.endpoint}"
    assert outputs["oidc_provider_arn"]["value"] == "${aws_iam_openid_connect_provider.oidc.arn}"


@pytest.mark.parametrize("env", ENVS)
def test_provisioner_egress_still_reaches_rds_once_policies_are_enforced(stack, default_config, env: str) -> None:
    # GIVEN VPC CNI now enforces NetworkPolicies, and the committed tree's provisioner policy
    assert json.loads(resources(stack(f"{env}-cluster"), "aws_eks_addon")["addon_vpc_cni"]["configuration_values"])["enableNetworkPolicy"] == "true"
    import yaml

    from tests.conftest import REPO

    netpol = yaml.safe_load((REPO / "dist" / "gitops" / env / "platform" / "database" / "networkpolicy-db-provisioner.yaml").read_text())
    dns, postgres = netpol["spec"]["egress"]
    # THEN DNS stays open and PostgreSQL is allowed to the env's VPC range, where the RDS instance's
    # subnets (the network stack's private subnets) and port (the database stack's) are
    assert dns == {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}
    vpc_cidr = resources(stack(f"{env}-network"), "aws_vpc")["vpc"]["cidr_block"]
    port = resources(stack(f"{env}-database"), "aws_db_instance")["postgres"]["port"]
    assert postgres == {"ports": [{"port": port, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": vpc_cidr}}]}


@pytest.mark.parametrize("env", ENVS)
def test_every_volume_of_the_tree_uses_the_default_storage_class(env: str) -> None:
    # GIVEN the committed tree's PVCs, StatefulSet claim templates and the Grafana/Loki persistence values
    import yaml

    from tests.conftest import REPO

    root = REPO / "dist" / "gitops" / env
    claims = []
    for path in sorted(root.rglob("*.yaml")):
        for obj in yaml.safe_load_all(path.read_text()):
            if not isinstance(obj, dict):
                continue
            if obj.get("kind") == "PersistentVolumeClaim":
                claims.append(obj["spec"])
            if obj.get("kind") == "StatefulSet":
                claims += [t["spec"] for t in obj["spec"].get("volumeClaimTemplates") or []]
    values = {c: yaml.safe_load((root / "values" / f"{c}.yaml").read_text()) for c in ("kube-prometheus-stack", "loki")}
    persistence = [values["kube-prometheus-stack"]["grafana"]["persistence"], values["loki"]["singleBinary"]["persistence"]]
    assert claims and all(p["enabled"] for p in persistence)
    # THEN none names a class, so each is provisioned from the add-on's default (encrypted gp3);
    # naming another class would need that class to exist
    assert [c.get("storageClassName") for c in claims] == [None] * len(claims)
    assert [p.get("storageClassName") for p in persistence] == [None, None]
