"""ExternalSecrets read exactly what Terraform writes (seed report C, G)."""

from __future__ import annotations

import pytest

from goldenpath import naming
from goldenpath.config import PlatformConfig
from tests.cdk8s_app.conftest import Tree, of_kind

ENVS = ("dev", "staging", "prod")


def expected(config: PlatformConfig, env: str) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """(namespace, name) -> (remote key, properties) from the model and naming only."""
    platform = config.platform
    out = {}
    for owner in naming.database_owners(platform, config.apps, env):
        out[(owner.namespace, naming.db_credentials_secret(owner.owner))] = (
            naming.database_secret(platform, env, owner.owner),
            list(naming.DATABASE_SECRET_KEYS),
        )
    owners = [(c, platform.components[c].namespace, platform.components[c].secrets) for c in config.components_in(env)]
    owners += [(a.name, naming.app_namespace(a), a.secrets) for a in config.apps_in(env)]
    for owner, namespace, secrets in owners:
        for spec in secrets:
            out[(namespace, naming.secret_k8s(owner, spec.name))] = (naming.secret(platform, env, owner, spec.name), list(spec.keys))
    return out


@pytest.mark.parametrize("env", ENVS)
def test_remote_keys_and_properties_are_the_terraform_key_sets(config: PlatformConfig, tree: Tree, env: str) -> None:
    actual = {}
    for es in of_kind(tree[env], "ExternalSecret").values():
        if es["metadata"]["namespace"] == naming.DATABASE_NAMESPACE:
            continue  # the provisioning Job's secrets: tests/cdk8s_app/test_database.py
        spec = es["spec"]
        assert es["apiVersion"] == "external-secrets.io/v1"
        # app namespaces read through their own SecretStore (the tenant role), the platform's through the cluster store
        if es["metadata"]["namespace"].startswith("apps-"):
            assert spec["secretStoreRef"] == {"kind": "SecretStore", "name": naming.TENANT_SECRET_STORE}
        else:
            assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": naming.CLUSTER_SECRET_STORE}
        assert spec["target"]["name"] == es["metadata"]["name"]
        remote = {d["remoteRef"]["key"] for d in spec["data"]}
        assert len(remote) == 1
        assert [d["secretKey"] for d in spec["data"]] == [d["remoteRef"]["property"] for d in spec["data"]]
        actual[(es["metadata"]["namespace"], es["metadata"]["name"])] = (remote.pop(), [d["remoteRef"]["property"] for d in spec["data"]])
    assert actual == expected(config, env)


def test_known_secret_names(tree: Tree) -> None:
    # Spelled out once so a naming change is a visible, reviewed diff.
    keys = {
        es["metadata"]["name"]: es["spec"]["data"][0]["remoteRef"]["key"]
        for es in of_kind(tree["prod"], "ExternalSecret").values()
        if es["metadata"]["namespace"] != naming.DATABASE_NAMESPACE
    }
    assert keys == {
        "backstage-postgres": "goldenpath/prod/backstage/postgres",
        "backstage-secrets": "goldenpath/prod/backstage/secrets",
        "keycloak-admin": "goldenpath/prod/keycloak/admin",
        "keycloak-postgres": "goldenpath/prod/keycloak/postgres",
        "kube-prometheus-stack-alertmanager": "goldenpath/prod/kube-prometheus-stack/alertmanager",
        "kube-prometheus-stack-grafana-admin": "goldenpath/prod/kube-prometheus-stack/grafana-admin",
        "orders-postgres": "goldenpath/prod/orders/postgres",
        "sample-stateless-api": "goldenpath/prod/sample-stateless/api",
    }
