"""The ``<env>-database`` stack: RDS PostgreSQL and the Secrets Manager secrets apps read.

- One encrypted, private instance per env (``naming.rds_identifier``), reachable on 5432 only
  from the EKS cluster security group (nodes and pods of managed node groups use it).
- ``rds.force_ssl=1``: clients must use TLS (seed report B: Backstage/Keycloak need ssl config).
- The master password is managed by RDS in Secrets Manager (``manage_master_user_password``),
  encrypted with the env's data key; the GitOps side finds that secret by the tag RDS puts on it.
- A private Route53 zone for the VPC with ``naming.database_host`` -> the RDS endpoint.
- Per database owner (component or app, ``naming.database_owners``) a secret
  ``naming.database_secret`` whose value is a JSON object with exactly
  ``naming.DATABASE_SECRET_KEYS`` (seed report D: the credentials exist before the provisioning
  Job creates the role). The value is written as a JSON *template* — Terraform fills the
  ``${...}`` references — so the key set can be read offline from cdk.tf.json.
  The password comes from ``data.aws_secretsmanager_random_password`` (no ``random`` provider
  is installed); that data source returns a new value on every read, so the secret version
  ignores later changes of its value: the password is set once, at creation.
- Declared secrets (``component.secrets``, ``app.secrets``) get a version with exactly the
  declared keys: passwords and signing secrets generated, admin user names set, every other key
  empty for a human (`goldenpath secrets` prints the command); Terraform never overwrites them.
- ``engine_version`` is the major only ("15"): RDS upgrades the minor (auto_minor_version_upgrade)
  and a pinned minor would make the next plan ask for a downgrade. The parameter group family
  follows the major.
- The log groups RDS exports to are created first, with a retention and a KMS key (otherwise RDS
  creates them on first export, never expiring and unencrypted).
- Envs that protect data keep a final snapshot whose name carries the instance's creation time
  (a recreated instance's second destroy would otherwise collide with the first snapshot; the rds
  module appends a random_id for the same reason) and 30 days to recover a deleted secret;
  disposable envs delete secrets at once, so destroy + recreate does not hit "scheduled for deletion".
"""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_secretsmanager_random_password import DataAwsSecretsmanagerRandomPassword
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from cdktf_cdktf_provider_aws.route53_zone import Route53Zone, Route53ZoneVpc
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from cdktf_cdktf_provider_aws.secretsmanager_secret_version import SecretsmanagerSecretVersion
from cdktf_cdktf_provider_aws.security_group import SecurityGroup, SecurityGroupIngress
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.model import SecretSpec
from stacks import irsa
from stacks.alarms import add_rds_alarms
from stacks.base import LOG_RETENTION_DAYS, PlatformStack, policy_json
from stacks.cluster import ClusterStack
from stacks.network import NetworkStack

POSTGRES_PORT = naming.DATABASE_PORT  # the provisioning Job and the apps connect to the same port
SNAPSHOT_TIME_FORMAT = "YYYYMMDDhhmmss"  # Terraform formatdate(): the creation time in the final snapshot's name
MASTER_USERNAME = "postgres"
PASSWORD_LENGTH = 32
MONITORING_INTERVAL_SECONDS = 60
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7  # the free tier
LOG_EXPORTS = ["postgresql", "upgrade"]
PARAMETERS = {
    "rds.force_ssl": "1",
    "log_connections": "1",
    "log_disconnections": "1",
    "log_min_duration_statement": "1000",  # ms: slow queries
    "log_statement": "ddl",
}


resource_id = naming.terraform_id


def placeholder(spec: SecretSpec, generated: dict[str, str] | None = None) -> str:
    """Initial value of a declared secret: exactly its keys, sorted; generated values
    (``naming.generated_secret_value``) where there are some, empty for a human to fill."""
    return json.dumps({key: (generated or {}).get(key, "") for key in spec.keys}, sort_keys=True)


class DatabaseStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig, env: str, network: NetworkStack, cluster: ClusterStack) -> None:
        super().__init__(scope, naming.env_stack(env, "database"), config=config, env=env)
        platform = self.platform
        environment = platform.environments[env]
        spec = environment.database
        identifier = naming.rds_identifier(platform, env)

        self.key = self.kms_key("data_key", purpose="data", description=f"RDS {identifier} storage, its secrets and Performance Insights")

        security_group = SecurityGroup(
            self,
            "security_group",
            name=identifier,
            description=f"PostgreSQL {identifier}: reachable only from the EKS cluster {naming.cluster(platform, env)}",
            vpc_id=network.vpc_id,
            ingress=[
                SecurityGroupIngress(
                    description="PostgreSQL from the EKS cluster security group",
                    from_port=POSTGRES_PORT,
                    to_port=POSTGRES_PORT,
                    protocol="tcp",
                    security_groups=[cluster.cluster_security_group_id],
                    cidr_blocks=[],  # never a CIDR: only the cluster's group
                    ipv6_cidr_blocks=[],
                    prefix_list_ids=[],
                    self_attribute=False,
                )
            ],
            egress=[],  # RDS opens no connections
        )
        subnet_group = DbSubnetGroup(self, "subnet_group", name=identifier, description=f"private subnets of {env}", subnet_ids=network.private_subnet_ids)
        parameter_group = DbParameterGroup(
            self,
            "parameter_group",
            name=identifier,
            family=spec.parameter_group_family,
            description=f"{identifier}: TLS only, connection and slow-query logging",
            parameter=[DbParameterGroupParameter(name=name, value=value, apply_method="immediate") for name, value in sorted(PARAMETERS.items())],
        )
        monitoring_role = self.service_role(
            "monitoring_role",
            purpose="rds-monitoring",
            service="monitoring.rds.amazonaws.com",
            managed_policies=("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",),
        )
        log_groups_key = self.kms_key(
            "logs_key",
            purpose="rds-logs",
            description=f"RDS {identifier} exported logs",
            service_statements=[self.logs_key_statement(self.log_group_arn(naming.rds_log_group(platform, env, "*")))],
        )
        log_groups = [
            CloudwatchLogGroup(
                self,
                f"log_group_{log}",
                name=naming.rds_log_group(platform, env, log),
                retention_in_days=LOG_RETENTION_DAYS,
                kms_key_id=log_groups_key.arn,
            )
            for log in LOG_EXPORTS
        ]
        keep = environment.protects_data
        final_snapshot = f'{naming.rds_final_snapshot(platform, env)}-${{formatdate("{SNAPSHOT_TIME_FORMAT}", timestamp())}}'
        self.this = DbInstance(
            self,
            "postgres",
            identifier=identifier,
            engine="postgres",
            engine_version=spec.engine_version,
            instance_class=spec.instance_class,
            allocated_storage=spec.allocated_storage_gib,
            max_allocated_storage=spec.max_allocated_storage_gib,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=self.key.arn,
            port=POSTGRES_PORT,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[security_group.id],
            parameter_group_name=parameter_group.name,
            publicly_accessible=False,
            multi_az=spec.multi_az,
            username=MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.key.arn,
            iam_database_authentication_enabled=True,
            backup_retention_period=spec.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=keep,
            skip_final_snapshot=not keep,
            final_snapshot_identifier=final_snapshot if keep else None,
            auto_minor_version_upgrade=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=self.key.arn,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_RETENTION_DAYS,
            monitoring_interval=MONITORING_INTERVAL_SECONDS,
            monitoring_role_arn=monitoring_role.arn,
            # The snapshot name is fixed at creation; timestamp() must not change it on every plan.
            lifecycle={"ignore_changes": ["final_snapshot_identifier"]} if keep else None,
            depends_on=log_groups,
        )

        self.alarm_topic = add_rds_alarms(self, instance=self.this, spec=spec, identifier=identifier)

        # A stable name for the endpoint, resolvable only inside the env's VPC: charts that need
        # a host at render time (Keycloak 25's externalDatabase.host) and the app secrets name
        # it, so they never hold a stale endpoint when RDS replaces the instance.
        self.private_zone = Route53Zone(
            self,
            "private_zone",
            name=naming.private_zone(platform, env),
            comment=f"private names of {env} (VPC {naming.vpc(platform, env)} only)",
            vpc=[Route53ZoneVpc(vpc_id=network.vpc_id)],
        )
        Route53Record(
            self,
            "postgres_host",
            zone_id=self.private_zone.zone_id,
            name=naming.database_host(platform, env),
            type="CNAME",
            ttl=60,
            records=[self.this.address],
        )

        recovery_days = 30 if keep else 0  # 0: delete at once (disposable env)
        self.secrets: dict[str, SecretsmanagerSecret] = {}
        apps = {app.name: app for app in config.apps}

        def tags(owner_name: str) -> dict[str, str] | None:
            app = apps.get(owner_name)
            return naming.app_tags(platform, app) if app is not None else None

        for owner in naming.database_owners(platform, config.apps_in(env), env):
            rid = resource_id(owner.owner, "postgres")
            secret_name = naming.database_secret(platform, env, owner.owner)
            secret = self._secret(rid, secret_name, f"PostgreSQL credentials of {owner.owner} (database {owner.database.name})", recovery_days, tags(owner.owner))
            password = DataAwsSecretsmanagerRandomPassword(
                self, f"{rid}_password", password_length=PASSWORD_LENGTH, exclude_punctuation=True  # keeps the JSON template valid
            )
            value = {
                "dbname": owner.database.name,
                "host": naming.database_host(platform, env),
                "password": password.random_password,
                "port": str(POSTGRES_PORT),
                "username": owner.database.role,
            }
            assert tuple(sorted(value)) == naming.DATABASE_SECRET_KEYS
            self._version(rid, secret, json.dumps(value, sort_keys=True))
            self.secrets[secret_name] = secret

        declared = [(name, s) for name in config.components_in(env) for s in platform.components[name].secrets]
        declared += [(app.name, s) for app in config.apps_in(env) for s in app.secrets]
        for owner_name, secret_spec in sorted(declared, key=lambda pair: (pair[0], pair[1].name)):
            rid = resource_id(owner_name, secret_spec.name)
            secret_name = naming.secret(platform, env, owner_name, secret_spec.name)
            description = f"{secret_spec.name} of {owner_name}: keys {', '.join(secret_spec.keys)} (filled in by hand)"
            secret = self._secret(rid, secret_name, description, recovery_days, tags(owner_name))
            self._version(rid, secret, placeholder(secret_spec, self._generated(rid, secret_spec)))
            self.secrets[secret_name] = secret

        # External Secrets decrypts every secret above (and the RDS master secret) with this key.
        reader = cluster.irsa_roles.get("external-secrets")
        if reader is not None:
            IamRolePolicy(
                self,
                "external_secrets_decrypt",
                name="decrypt-env-secrets",
                role=reader.name,
                policy=policy_json([{"Sid": "DecryptEnvSecrets", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": self.key.arn}]),
            )

        # The tenant role decrypts only through Secrets Manager and only app secrets of the env:
        # Secrets Manager calls KMS with the encryption context SecretARN (Secrets Manager User
        # Guide, "Secret encryption and decryption"), the name part of which the tag scopes.
        tenant = cluster.tenant_secrets_role
        if tenant is not None:
            IamRolePolicy(
                self,
                "tenant_secrets_decrypt",
                name="decrypt-app-secrets",
                role=tenant.name,
                policy=policy_json(
                    [
                        {
                            "Sid": "DecryptOwnAppSecrets",
                            "Effect": "Allow",
                            "Action": "kms:Decrypt",
                            "Resource": self.key.arn,
                            "Condition": {
                                "StringEquals": {"kms:ViaService": f"secretsmanager.{platform.region}.amazonaws.com"},
                                "StringLike": {"kms:EncryptionContext:SecretARN": irsa.terraform_escape(naming.tenant_secret_arn_pattern(platform, env))},
                            },
                        }
                    ]
                ),
            )

        self.output("rds_endpoint", self.this.endpoint, f"PostgreSQL endpoint (host:port) of {identifier}")
        self.output("rds_master_secret_arn", self.this.master_user_secret.get(0).secret_arn, f"RDS-managed master credentials of {identifier}")

    def _generated(self, rid: str, spec: SecretSpec) -> dict[str, str]:
        """Admin passwords and signing secrets start random (never ""), admin user keys start "admin"."""
        values: dict[str, str] = {}
        for key in spec.keys:
            kind = naming.generated_secret_value(key)
            if kind == "password":
                values[key] = DataAwsSecretsmanagerRandomPassword(
                    self, f"{rid}_{resource_id(key)}", password_length=PASSWORD_LENGTH, exclude_punctuation=True
                ).random_password
            elif kind is not None:
                values[key] = kind
        return values

    def _secret(self, rid: str, name: str, description: str, recovery_days: int, tags: dict[str, str] | None) -> SecretsmanagerSecret:
        return SecretsmanagerSecret(
            self, rid, name=name, description=description, kms_key_id=self.key.arn, recovery_window_in_days=recovery_days, tags=tags
        )

    def _version(self, rid: str, secret: SecretsmanagerSecret, secret_string: str) -> None:
        """The first value only: later values belong to the provisioning Job or to humans (and a
        changing generated password must not rotate the secret on every plan)."""
        SecretsmanagerSecretVersion(
            self, f"{rid}_value", secret_id=secret.id, secret_string=secret_string, lifecycle={"ignore_changes": ["secret_string"]}
        )
