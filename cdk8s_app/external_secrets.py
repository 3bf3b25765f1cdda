"""ExternalSecrets: Secrets Manager secrets (written by Terraform) as Kubernetes Secrets.

Remote keys and properties are exactly the names and key sets the database stack writes
(``naming.database_secret`` + ``naming.DATABASE_SECRET_KEYS``; ``naming.secret`` + ``spec.keys``).
Seed report C/G: a secret written under one name/key and read under another was an outage.
"""

from __future__ import annotations

import cdk8s
from constructs import Construct

from goldenpath import naming
from goldenpath.model import Platform, SecretSpec
from imports.externalsecrets_externalsecret.io.external_secrets import (
    ExternalSecret,
    ExternalSecretSpec,
    ExternalSecretSpecData,
    ExternalSecretSpecDataRemoteRef,
    ExternalSecretSpecSecretStoreRef,
    ExternalSecretSpecSecretStoreRefKind,
    ExternalSecretSpecTarget,
    ExternalSecretSpecTargetCreationPolicy,
)

REFRESH_INTERVAL = "1h"


def store_ref(namespace: str) -> ExternalSecretSpecSecretStoreRef:
    """An app namespace reads through its own SecretStore (the tenant role, tagged with the app);
    every other namespace through the ClusterSecretStore, whose conditions admit only those."""
    if naming.is_app_namespace(namespace):
        return ExternalSecretSpecSecretStoreRef(name=naming.TENANT_SECRET_STORE, kind=ExternalSecretSpecSecretStoreRefKind.SECRET_STORE)
    return ExternalSecretSpecSecretStoreRef(name=naming.CLUSTER_SECRET_STORE, kind=ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE)


class SyncedSecret(Construct):
    """One ExternalSecret: remote secret ``remote_key`` -> Secret ``name``, key for key."""

    def __init__(self, scope: Construct, id: str, *, name: str, namespace: str, remote_key: str, keys: tuple[str, ...] | list[str]) -> None:
        super().__init__(scope, id)
        self.this = ExternalSecret(
            self,
            "es",
            metadata=cdk8s.ApiObjectMetadata(name=name, namespace=namespace),
            spec=ExternalSecretSpec(
                refresh_interval=REFRESH_INTERVAL,
                secret_store_ref=store_ref(namespace),
                target=ExternalSecretSpecTarget(name=name, creation_policy=ExternalSecretSpecTargetCreationPolicy.OWNER),
                data=[
                    ExternalSecretSpecData(secret_key=key, remote_ref=ExternalSecretSpecDataRemoteRef(key=remote_key, property=key))
                    for key in keys
                ],
            ),
        )


class OwnerSecrets(Construct):
    """Every ExternalSecret of one owner (component or app): DB credentials + declared secrets."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        platform: Platform,
        env: str,
        owner: str,
        namespace: str,
        has_database: bool,
        secrets: list[SecretSpec],
    ) -> None:
        super().__init__(scope, id)
        if has_database:
            SyncedSecret(
                self,
                "postgres",
                name=naming.db_credentials_secret(owner),
                namespace=namespace,
                remote_key=naming.database_secret(platform, env, owner),
                keys=naming.DATABASE_SECRET_KEYS,
            )
        for spec in secrets:
            SyncedSecret(
                self,
                f"secret-{spec.name}",
                name=naming.secret_k8s(owner, spec.name),
                namespace=namespace,
                remote_key=naming.secret(platform, env, owner, spec.name),
                keys=spec.keys,
            )
