"""The database provisioning step: login roles and databases on the environment's RDS instance.

Seed report D: Terraform wrote a Secrets Manager secret per application but nothing created the
PostgreSQL users, so Keycloak and Backstage crash-looped until someone ran ``CREATE USER``,
``CREATE DATABASE`` and ``ALTER USER backstage_app CREATEDB`` by hand. Here a Job does it on every
Argo CD sync of the environment's database directory, before the tooling and app waves.

What the Job runs is ``cdk8s_app/scripts/provision.sh`` + ``provision.sql``, byte for byte (they
are rendered into a ConfigMap next to the generated, non-secret ``databases.spec``), and the test
suite runs the same files against a real PostgreSQL 15. Credentials reach the Job only as
environment variables from Secrets that External Secrets makes:

- ``naming.DATABASE_MASTER_CREDENTIALS``: the RDS-managed master secret. Its name is random
  (``rds!db-<uuid>``), so it is found by the tag RDS puts on it (the instance ARN) and its JSON
  value is unpacked into ``username`` / ``password`` by a template.
- ``naming.db_credentials_secret(owner)`` per database owner: the secret the database stack writes
  (``naming.database_secret``) with ``naming.DATABASE_SECRET_KEYS``; host and port come from it.

The Job is an Argo CD ``Sync`` hook (delete policy ``BeforeHookCreation``), not a plain resource:
- it runs again on every sync, which is how a rotated secret or a new database is applied;
- a Job's pod template is immutable, so a plain Job would fail to update when the list changes;
- a finished plain Job removed by ``ttlSecondsAfterFinished`` would show as missing and be
  recreated by self-heal in a loop; hooks are not compared for drift.
Inside its Application the ExternalSecrets (wave 0, Argo CD waits for them to be Ready) come
before the Job (wave 1); the Application itself syncs at ``layout.WAVE_DATABASE``, before the
tooling and app waves.

Databases are provisioned in batches of at most ``BATCH_SIZE``, each batch its own Job and
ConfigMap (issue 14): one Job for every database of the env carried five secretKeyRefs per
database and reached 1.4 MB at 2,000 apps, near etcd's 1.5 MiB object limit (the platform's budget
is 256 KiB per manifest). The first batch keeps the unnumbered names, so adding databases only
adds objects (``db-provisioner-2``, ...); the batches run in parallel (one hook wave), which is safe
because every step of provision.sql touches one database and its role only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cdk8s
import cdk8s_plus_33.k8s as k8s
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.naming import DatabaseOwner

# A released PostgreSQL client by exact tag (uid 70 is the postgres user of the alpine image).
# psql 15 is needed for \getenv; the digest cannot be checked from the build machines, so none is
# invented here.
IMAGE = "postgres:15.10-alpine3.21"
POSTGRES_UID = 70
SCRIPTS = Path(__file__).resolve().parent / "scripts"
SCRIPT_FILES = ("provision.sh", "provision.sql")
SPEC_FILE = "databases.spec"
MOUNT = "/opt/provision"  # the ConfigMap: provision.sh, provision.sql, databases.spec
TMP = "/tmp"  # the only writable path (emptyDir); HOME points there
SECRET_FIELDS = {  # env suffix -> key of the owner's secret (naming.DATABASE_SECRET_KEYS)
    "DBNAME": "dbname",
    "HOST": "host",
    "PASSWORD": "password",
    "PORT": "port",
    "USERNAME": "username",
}
MASTER_FIELDS = {"PGUSER": "username", "PGPASSWORD": "password"}  # naming.MASTER_SECRET_KEYS
# Not secrets: connection behaviour only. Everything else in the Job's env comes from secretKeyRef.
PLAIN_ENV = {
    "HOME": TMP,
    "PGAPPNAME": naming.DATABASE_PROVISIONER,
    "PGCONNECT_TIMEOUT": "10",
    "PGDATABASE": "postgres",  # the master user's maintenance database (exists on every RDS instance)
    "PGSSLMODE": "require",  # RDS enforces rds.force_ssl=1 (seed report B.5)
}
BACKOFF_LIMIT = 3  # transient RDS/DNS failures; every step is idempotent, so retrying is safe
ACTIVE_DEADLINE_SECONDS = 600
TTL_SECONDS_AFTER_FINISHED = 86400  # keep the last run's logs for a day (the next sync replaces it anyway)
HOOK_ANNOTATIONS = {
    "argocd.argoproj.io/hook": "Sync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    "argocd.argoproj.io/sync-wave": "1",  # after the ExternalSecrets it reads (wave 0)
}
SECRET_REFRESH = "1h"
BATCH_SIZE = 25  # databases per Job and ConfigMap: ~60 KiB of Job at 25, whatever the env holds

assert set(SECRET_FIELDS.values()) == set(naming.DATABASE_SECRET_KEYS), "the per-owner env must cover the secret's key set"
assert set(MASTER_FIELDS.values()) == set(naming.MASTER_SECRET_KEYS)


def env_prefix(owner: str) -> str:
    """Environment variable prefix of one owner's credentials: ``keycloak`` -> ``DB_KEYCLOAK``."""
    return "DB_" + owner.upper().replace("-", "_")


def spec(owners: list[DatabaseOwner]) -> str:
    """``databases.spec``: what provision.sh provisions, one database per line, no secrets."""
    lines = ["# database role createdb connection_limit env_prefix (generated from config/ by cdk8s_app/database.py)"]
    for o in owners:
        db = o.database
        lines.append(f"{db.name} {naming.database_role(db)} {'true' if db.createdb else 'false'} {db.connection_limit} {env_prefix(o.owner)}")
    return "\n".join(lines) + "\n"


def batches(owners: list[DatabaseOwner], size: int | None = None) -> list[list[DatabaseOwner]]:
    """The owners in provisioning batches of at most ``size`` (default ``BATCH_SIZE``), in order."""
    size = size or BATCH_SIZE
    return [owners[i : i + size] for i in range(0, len(owners), size)]


def batch_name(index: int) -> str:
    """The Job's and ConfigMap's name of batch ``index`` (0: ``db-provisioner``, 1: ``db-provisioner-2``)."""
    return naming.DATABASE_PROVISIONER + _suffix(index)


def scripts() -> dict[str, str]:
    return {name: (SCRIPTS / name).read_text(encoding="utf-8") for name in SCRIPT_FILES}


def job_env(owners: list[DatabaseOwner]) -> list[dict[str, Any]]:
    """The Job's environment: plain connection settings plus secretKeyRefs, never a secret value."""
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(PLAIN_ENV.items())]
    env += [
        {"name": var, "valueFrom": {"secretKeyRef": {"name": naming.DATABASE_MASTER_CREDENTIALS, "key": key}}}
        for var, key in sorted(MASTER_FIELDS.items())
    ]
    for o in owners:
        env += [
            {"name": f"{env_prefix(o.owner)}_{suffix}", "valueFrom": {"secretKeyRef": {"name": naming.db_credentials_secret(o.owner), "key": key}}}
            for suffix, key in sorted(SECRET_FIELDS.items())
        ]
    return env


class DatabaseProvisioning(Construct):
    """Provisions every database of ``env`` (components and apps) on the env's RDS instance.

    Renders nothing when no enabled component or app of the environment asks for a database.
    Objects (all in ``naming.DATABASE_NAMESPACE``, which the platform Namespaces list must hold):
    ServiceAccount, ExternalSecret for the master credentials, one ExternalSecret per database
    owner, a NetworkPolicy for the Job pods and, per batch of ``BATCH_SIZE`` databases, a
    ConfigMap (scripts + that batch's spec) and the Job that provisions it.
    """

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, id)
        platform = config.platform
        self.owners = naming.database_owners(platform, config.apps, env)
        prefixes = [env_prefix(o.owner) for o in self.owners]
        if len(set(prefixes)) != len(prefixes):  # DNS labels cannot collide, but guard the invariant
            raise ValueError(f"database owners map to the same environment prefix: {prefixes}")
        if not self.owners:
            return
        ns = naming.DATABASE_NAMESPACE
        name = naming.DATABASE_PROVISIONER
        labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": platform.project}

        k8s.KubeServiceAccount(
            self, "service-account",
            metadata=k8s.ObjectMeta(name=name, namespace=ns, labels=labels),
            automount_service_account_token=False,  # the Job never talks to the Kubernetes API
        )
        owner_batches = batches(self.owners)
        config_maps = [
            k8s.KubeConfigMap(
                self, f"scripts{_suffix(index)}",
                metadata=k8s.ObjectMeta(name=batch_name(index), namespace=ns, labels=labels),
                data={**scripts(), SPEC_FILE: spec(batch)},
            )
            for index, batch in enumerate(owner_batches)
        ]
        self._external_secret(
            "master-credentials", naming.DATABASE_MASTER_CREDENTIALS, labels,
            {
                "dataFrom": [{
                    "find": {"tags": {naming.RDS_MASTER_SECRET_TAG: naming.rds_arn(platform, env)}},
                    # the secret's name (rds!db-<uuid>) is unknown and not a valid key: rename it
                    "rewrite": [{"regexp": {"source": ".*", "target": "master"}}],
                }],
                "target": {
                    "name": naming.DATABASE_MASTER_CREDENTIALS,
                    "creationPolicy": "Owner",
                    "template": {
                        "engineVersion": "v2",
                        "data": {key: f"{{{{ (.master | fromJson).{key} }}}}" for key in naming.MASTER_SECRET_KEYS},
                    },
                },
            },
        )
        for o in self.owners:
            secret = naming.db_credentials_secret(o.owner)
            self._external_secret(
                f"credentials-{o.owner}", secret, labels,
                {
                    "data": [
                        {"secretKey": key, "remoteRef": {"key": naming.database_secret(platform, env, o.owner), "property": key}}
                        for key in naming.DATABASE_SECRET_KEYS
                    ],
                    "target": {"name": secret, "creationPolicy": "Owner"},
                },
            )
        self.batches = [
            (config_map, self._job(f"job{_suffix(index)}", batch_name(index), ns, labels, batch, config_map))
            for index, (batch, config_map) in enumerate(zip(owner_batches, config_maps, strict=True))
        ]
        self.config_map, self.job = self.batches[0]
        # The pod accepts nothing and may reach only DNS and PostgreSQL inside the env's VPC.
        k8s.KubeNetworkPolicy(
            self, "network-policy",
            metadata=k8s.ObjectMeta(name=name, namespace=ns, labels=labels),
            spec=k8s.NetworkPolicySpec(
                pod_selector=k8s.LabelSelector(match_labels=labels),
                policy_types=["Ingress", "Egress"],
                egress=[
                    k8s.NetworkPolicyEgressRule(ports=[
                        k8s.NetworkPolicyPort(protocol=p, port=k8s.IntOrString.from_number(53)) for p in ("UDP", "TCP")
                    ]),
                    k8s.NetworkPolicyEgressRule(
                        to=[k8s.NetworkPolicyPeer(ip_block=k8s.IpBlock(cidr=platform.environments[env].network.cidr))],
                        ports=[k8s.NetworkPolicyPort(protocol="TCP", port=k8s.IntOrString.from_number(naming.DATABASE_PORT))],
                    ),
                ],
            ),
        )

    def _external_secret(self, id: str, name: str, labels: dict[str, str], spec: dict[str, Any]) -> cdk8s.ApiObject:
        obj = cdk8s.ApiObject(
            self, id, api_version="external-secrets.io/v1", kind="ExternalSecret",
            metadata=cdk8s.ApiObjectMetadata(name=name, namespace=naming.DATABASE_NAMESPACE, labels=labels),
        )
        obj.add_json_patch(cdk8s.JsonPatch.add("/spec", {
            "refreshInterval": SECRET_REFRESH,
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": naming.CLUSTER_SECRET_STORE},
            **spec,
        }))
        return obj

    def _job(self, id: str, name: str, ns: str, labels: dict[str, str], owners: list[DatabaseOwner], config_map: k8s.KubeConfigMap) -> k8s.KubeJob:
        runtime_default = k8s.SeccompProfile(type="RuntimeDefault")
        container = k8s.Container(
            name="provision",
            image=IMAGE,
            image_pull_policy="IfNotPresent",
            command=["/bin/sh", f"{MOUNT}/provision.sh"],
            env=[k8s.EnvVar(**_snake(e)) for e in job_env(owners)],
            resources=k8s.ResourceRequirements(
                requests={"cpu": k8s.Quantity.from_string("50m"), "memory": k8s.Quantity.from_string("64Mi")},
                limits={"cpu": k8s.Quantity.from_string("500m"), "memory": k8s.Quantity.from_string("128Mi")},
            ),
            security_context=k8s.SecurityContext(
                allow_privilege_escalation=False,
                privileged=False,
                read_only_root_filesystem=True,
                capabilities=k8s.Capabilities(drop=["ALL"]),
                seccomp_profile=runtime_default,
                run_as_non_root=True,
                run_as_user=POSTGRES_UID,
                run_as_group=POSTGRES_UID,
            ),
            volume_mounts=[
                k8s.VolumeMount(name="scripts", mount_path=MOUNT, read_only=True),
                k8s.VolumeMount(name="tmp", mount_path=TMP),
            ],
        )
        return k8s.KubeJob(
            self, id,
            metadata=k8s.ObjectMeta(name=name, namespace=ns, labels=labels, annotations=HOOK_ANNOTATIONS),
            spec=k8s.JobSpec(
                backoff_limit=BACKOFF_LIMIT,
                active_deadline_seconds=ACTIVE_DEADLINE_SECONDS,
                ttl_seconds_after_finished=TTL_SECONDS_AFTER_FINISHED,
                template=k8s.PodTemplateSpec(
                    metadata=k8s.ObjectMeta(labels=labels),
                    spec=k8s.PodSpec(
                        service_account_name=naming.DATABASE_PROVISIONER,
                        automount_service_account_token=False,
                        enable_service_links=False,
                        restart_policy="Never",  # a failed attempt keeps its pod and logs; backoffLimit retries
                        security_context=k8s.PodSecurityContext(
                            run_as_non_root=True, run_as_user=POSTGRES_UID, run_as_group=POSTGRES_UID,
                            fs_group=POSTGRES_UID, seccomp_profile=runtime_default,
                        ),
                        containers=[container],
                        volumes=[
                            k8s.Volume(name="scripts", config_map=k8s.ConfigMapVolumeSource(name=config_map.name, default_mode=0o444)),
                            k8s.Volume(name="tmp", empty_dir=k8s.EmptyDirVolumeSource(size_limit=k8s.Quantity.from_string("16Mi"))),
                        ],
                    ),
                ),
            ),
        )


def _suffix(index: int) -> str:
    """Construct-id suffix of batch ``index`` (the first batch keeps the ids it always had)."""
    return "" if index == 0 else f"-{index + 1}"


def _snake(env: dict[str, Any]) -> dict[str, Any]:
    """job_env() is written in manifest spelling (also used by the tests); k8s.EnvVar wants snake_case."""
    if "valueFrom" in env:
        ref = env["valueFrom"]["secretKeyRef"]
        return {"name": env["name"], "value_from": k8s.EnvVarSource(secret_key_ref=k8s.SecretKeySelector(name=ref["name"], key=ref["key"]))}
    return env
