"""stacks/database.py: private, encrypted, TLS-only RDS reachable only from the cluster; secrets with declared key sets."""

from __future__ import annotations

import json

import pytest

from goldenpath import naming
from tests.stacks.conftest import policy, resources

ENVS = ["dev", "staging", "prod"]


def _remote(stack_name: str, doc: dict, output_value: str, producer: dict) -> str:
    """The `${data.terraform_remote_state...}` reference to the producer output holding ``output_value``."""
    (name,) = [n for n, o in producer["output"].items() if o["value"] == output_value]
    return f"${{data.terraform_remote_state.cross-stack-reference-input-{stack_name}.outputs.{name}}}"


@pytest.mark.parametrize("env", ENVS)
def test_instance_is_private_encrypted_and_iam_enabled(stack, default_config, env: str) -> None:
    db = resources(stack(f"{env}-database"), "aws_db_instance")["postgres"]
    spec = default_config.platform.environments[env].database
    assert db["identifier"] == naming.rds_identifier(default_config.platform, env) == f"goldenpath-{env}-postgres"
    assert (db["engine"], db["engine_version"], db["instance_class"]) == ("postgres", spec.engine_version, spec.instance_class)
    # AND the engine is pinned to the major only: RDS upgrades the minor (auto_minor_version_upgrade)
    # and a pinned minor would make the next plan ask for a downgrade RDS rejects
    assert db["engine_version"] == "15"
    # THEN storage, the managed master secret and Performance Insights use the env's data key
    assert db["storage_encrypted"] is True
    assert db["kms_key_id"] == db["master_user_secret_kms_key_id"] == db["performance_insights_kms_key_id"] == "${aws_kms_key.data_key.arn}"
    # AND it is not reachable from the internet
    assert db["publicly_accessible"] is False
    # AND RDS manages the master password (no password in Terraform)
    assert db["manage_master_user_password"] is True and "password" not in db
    assert db["iam_database_authentication_enabled"] is True
    assert db["copy_tags_to_snapshot"] is True and db["auto_minor_version_upgrade"] is True
    assert db["backup_retention_period"] == spec.backup_retention_days


def test_deletion_protection_final_snapshot_and_multi_az_per_env(stack) -> None:
    # GIVEN dev (disposable), staging (protected) and prod (protected, Multi-AZ)
    dev, staging, prod = (resources(stack(f"{e}-database"), "aws_db_instance")["postgres"] for e in ENVS)
    # THEN dev may be destroyed without a snapshot
    assert (dev["deletion_protection"], dev["skip_final_snapshot"], dev["multi_az"]) == (False, True, False)
    assert "final_snapshot_identifier" not in dev
    # AND staging and prod keep deletion protection and a final snapshot whose name carries the
    # instance's creation time (unique: a recreated instance's destroy does not collide), fixed at creation
    for env, db in (("staging", staging), ("prod", prod)):
        assert db["deletion_protection"] is True and db["skip_final_snapshot"] is False
        assert db["final_snapshot_identifier"] == f'goldenpath-{env}-postgres-final-${{formatdate("YYYYMMDDhhmmss", timestamp())}}'
        assert db["lifecycle"] == {"ignore_changes": ["final_snapshot_identifier"]}
    assert "lifecycle" not in dev
    # AND only prod runs Multi-AZ
    assert staging["multi_az"] is False and prod["multi_az"] is True


@pytest.mark.parametrize("env", ENVS)
def test_force_ssl_parameter_group(stack, env: str) -> None:
    group = resources(stack(f"{env}-database"), "aws_db_parameter_group")["parameter_group"]
    assert group["family"] == "postgres15"  # derived from engine_version
    params = {p["name"]: p["value"] for p in group["parameter"]}
    assert params["rds.force_ssl"] == "1"
    assert resources(stack(f"{env}-database"), "aws_db_instance")["postgres"]["parameter_group_name"] == "${aws_db_parameter_group.parameter_group.name}"


@pytest.mark.parametrize("env", ENVS)
def test_only_the_cluster_security_group_reaches_5432(stack, env: str) -> None:
    doc = stack(f"{env}-database")
    (group,) = resources(doc, "aws_security_group").values()
    # THEN exactly one ingress rule: 5432/tcp from the EKS cluster security group (cross-stack), no CIDR at all
    cluster_sg = _remote(f"{env}-cluster", doc, "${aws_eks_cluster.cluster.vpc_config[0].cluster_security_group_id}", stack(f"{env}-cluster"))
    (rule,) = group["ingress"]
    assert (rule["from_port"], rule["to_port"], rule["protocol"]) == (5432, 5432, "tcp")
    assert rule["security_groups"] == [cluster_sg]
    assert rule["cidr_blocks"] == [] and rule["ipv6_cidr_blocks"] == [] and rule["prefix_list_ids"] == []
    assert group["egress"] == []
    # AND nowhere in the stack is 0.0.0.0/0 mentioned
    assert "0.0.0.0/0" not in json.dumps(doc) and "::/0" not in json.dumps(doc)
    # AND the instance lives in the private subnets
    subnets = resources(doc, "aws_db_subnet_group")["subnet_group"]["subnet_ids"]
    assert subnets and all("aws_subnetprivate_" in s for s in subnets)


@pytest.mark.parametrize("env", ENVS)
def test_private_zone_names_the_endpoint(stack, default_config, env: str) -> None:
    # GIVEN the database stack WHEN synthesized
    doc = stack(f"{env}-database")
    zone = resources(doc, "aws_route53_zone")["private_zone"]
    record = resources(doc, "aws_route53_record")["postgres_host"]
    # THEN a private zone bound to the env's VPC holds a CNAME from the stable name to the endpoint
    assert zone["name"] == naming.private_zone(default_config.platform, env)
    assert [v["vpc_id"] for v in zone["vpc"]] == [f"${{data.terraform_remote_state.cross-stack-reference-input-{env}-network.outputs.cross-stack-output-aws_vpcvpcid}}"]
    assert (record["name"], record["type"], record["records"]) == (naming.database_host(default_config.platform, env), "CNAME", ["${aws_db_instance.postgres.address}"])
    assert record["zone_id"] == "${aws_route53_zone.private_zone.zone_id}"


@pytest.mark.parametrize("env", ENVS)
def test_one_credentials_secret_per_database_owner(stack, default_config, env: str) -> None:
    doc = stack(f"{env}-database")
    secrets = resources(doc, "aws_secretsmanager_secret")
    versions = resources(doc, "aws_secretsmanager_secret_version")
    owners = naming.database_owners(default_config.platform, default_config.apps_in(env), env)
    assert [o.owner for o in owners] == ["backstage", "keycloak", "orders"]
    for owner in owners:
        rid = f"{owner.owner}_postgres"
        # THEN the secret has the derived name and is encrypted with the data key
        assert secrets[rid]["name"] == naming.database_secret(default_config.platform, env, owner.owner) == f"goldenpath/{env}/{owner.owner}/postgres"
        assert secrets[rid]["kms_key_id"] == "${aws_kms_key.data_key.arn}"
        # AND its value is a JSON object with exactly the agreed keys
        version = versions[f"{rid}_value"]
        value = json.loads(version["secret_string"])
        assert tuple(sorted(value)) == naming.DATABASE_SECRET_KEYS
        assert value["dbname"] == owner.database.name
        assert value["username"] == owner.database.role
        # AND the host is the env's stable private name (a CNAME to the instance), not the endpoint
        assert value["host"] == naming.database_host(default_config.platform, env) == f"postgres.{env}.goldenpath.internal"
        assert value["port"] == "5432"
        assert value["password"] == f"${{data.aws_secretsmanager_random_password.{rid}_password.random_password}}"
        # AND the generated password never changes after creation
        assert version["lifecycle"] == {"ignore_changes": ["secret_string"]}


def test_declared_secrets_hold_exactly_their_keys(stack, default_config) -> None:
    doc = stack("dev-database")
    secrets = resources(doc, "aws_secretsmanager_secret")
    versions = resources(doc, "aws_secretsmanager_secret_version")
    generated = "${data.aws_secretsmanager_random_password.%s.random_password}"
    expected = {
        # passwords and signing secrets start random (never ""); tokens issued elsewhere start empty for a human
        "backstage_secrets": ("goldenpath/dev/backstage/secrets", {"backend-secret": generated % "backstage_secrets_backend_secret", "github-token": ""}),
        "keycloak_admin": ("goldenpath/dev/keycloak/admin", {"password": generated % "keycloak_admin_password"}),
        "kube_prometheus_stack_grafana_admin": (
            "goldenpath/dev/kube-prometheus-stack/grafana-admin",
            {"admin-password": generated % "kube_prometheus_stack_grafana_admin_admin_password", "admin-user": "admin"},
        ),
        "sample_stateless_api": ("goldenpath/dev/sample-stateless/api", {"api-key": ""}),
    }
    passwords = {k: v for k, v in doc["data"]["aws_secretsmanager_random_password"].items() if "postgres" not in k}
    assert sorted(passwords) == ["backstage_secrets_backend_secret", "keycloak_admin_password", "kube_prometheus_stack_grafana_admin_admin_password"]
    assert all(p["password_length"] >= 32 and p["exclude_punctuation"] is True for p in passwords.values())
    for rid, (name, value) in expected.items():
        assert secrets[rid]["name"] == name
        assert json.loads(versions[f"{rid}_value"]["secret_string"]) == value
        assert versions[f"{rid}_value"]["lifecycle"] == {"ignore_changes": ["secret_string"]}
    # AND every secret of the env lives under the prefix External Secrets may read
    assert all(s["name"].startswith(naming.secret_prefix(default_config.platform, "dev")) for s in secrets.values())


def test_external_secrets_may_decrypt_with_the_data_key(stack) -> None:
    doc = stack("prod-database")
    grant = resources(doc, "aws_iam_role_policy")["external_secrets_decrypt"]
    assert grant["role"] == _remote("prod-cluster", doc, "${aws_iam_role.irsa_external_secrets.name}", stack("prod-cluster"))
    (statement,) = policy(grant["policy"])["Statement"]
    assert statement["Action"] == ["kms:Decrypt", "kms:DescribeKey"] and statement["Resource"] == "${aws_kms_key.data_key.arn}"


def test_tenant_reader_decrypts_only_app_secrets_through_secrets_manager(stack) -> None:
    doc = stack("prod-database")
    grant = resources(doc, "aws_iam_role_policy")["tenant_secrets_decrypt"]
    assert grant["role"] == _remote("prod-cluster", doc, "${aws_iam_role.tenant_secrets.name}", stack("prod-cluster"))
    assert policy(grant["policy"])["Statement"] == [
        {
            "Sid": "DecryptOwnAppSecrets",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "${aws_kms_key.data_key.arn}",
            "Condition": {
                "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-2.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:eu-west-2:593517239005:secret:goldenpath/prod/$${aws:PrincipalTag/Application}/*"},
            },
        }
    ]


def test_app_secrets_carry_the_tenant_tag_and_platform_secrets_do_not(stack) -> None:
    secrets = resources(stack("dev-database"), "aws_secretsmanager_secret")
    # THEN the tenant role's resource-tag condition matches an app's secrets ...
    assert secrets["orders_postgres"]["tags"]["Application"] == "orders"
    assert secrets["sample_stateless_api"]["tags"]["Application"] == "sample-stateless"
    # ... and never a component's (whatever tag value a session could carry)
    assert all("Application" not in (secrets[k].get("tags") or {}) for k in ("keycloak_admin", "keycloak_postgres", "backstage_secrets"))


def test_parameter_group_family_follows_the_major(default_config) -> None:
    spec = default_config.platform.environments["dev"].database
    assert spec.parameter_group_family == "postgres15"
    assert spec.model_copy(update={"engine_version": "16"}).parameter_group_family == "postgres16"


@pytest.mark.parametrize("env", ENVS)
def test_exported_logs_go_to_precreated_encrypted_log_groups(stack, env: str) -> None:
    doc = stack(f"{env}-database")
    db = resources(doc, "aws_db_instance")["postgres"]
    groups = resources(doc, "aws_cloudwatch_log_group")
    # THEN each exported log has its group, created first, with a retention and the logs key
    assert db["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    assert db["depends_on"] == ["aws_cloudwatch_log_group.log_group_postgresql", "aws_cloudwatch_log_group.log_group_upgrade"]
    for log in ("postgresql", "upgrade"):
        group = groups[f"log_group_{log}"]
        assert group["name"] == f"/aws/rds/instance/goldenpath-{env}-postgres/{log}"
        assert (group["retention_in_days"], group["kms_key_id"]) == (365, "${aws_kms_key.logs_key.arn}")
    # AND CloudWatch Logs may use that key only for this instance's groups
    statements = policy(resources(doc, "aws_kms_key")["logs_key"]["policy"])["Statement"]
    assert statements[1]["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-2:593517239005:log-group:/aws/rds/instance/goldenpath-{env}-postgres/*"}
    }


@pytest.mark.parametrize(("env", "days"), [("dev", 0), ("staging", 30), ("prod", 30)])
def test_secret_recovery_window_zero_only_in_disposable_envs(stack, env: str, days: int) -> None:
    secrets = resources(stack(f"{env}-database"), "aws_secretsmanager_secret")
    assert secrets and {s["recovery_window_in_days"] for s in secrets.values()} == {days}


def test_database_outputs_for_operators(stack) -> None:
    outputs = stack("staging-database")["output"]
    assert outputs["rds_endpoint"]["value"] == "${aws_db_instance.postgres.endpoint}"
    assert outputs["rds_master_secret_arn"]["value"] == "${aws_db_instance.postgres.master_user_secret[0].secret_arn}"
