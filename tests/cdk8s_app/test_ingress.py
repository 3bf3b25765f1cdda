"""Kong Ingresses: class, issuer per env, TLS per host, backends the values create."""

from __future__ import annotations

import pytest

from goldenpath import helm_values, naming
from goldenpath.config import PlatformConfig
from tests.cdk8s_app.conftest import Tree, of_kind

ENVS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVS)
def test_every_ingress_is_kong_with_the_env_issuer_and_per_host_tls(config: PlatformConfig, tree: Tree, env: str) -> None:
    issuer = config.platform.environments[env].issuer
    for ingress in of_kind(tree[env], "Ingress").values():
        spec = ingress["spec"]
        hosts = [r["host"] for r in spec["rules"]]
        assert spec["ingressClassName"] == "kong"
        assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == issuer
        assert spec["tls"] == [{"hosts": hosts, "secretName": naming.tls_secret(h)} for h in hosts]
        assert all(h.endswith(naming.env_domain(config.platform, env)) for h in hosts)
    assert {"dev": "letsencrypt-staging", "staging": "letsencrypt-staging", "prod": "letsencrypt-prod"}[env] == issuer


@pytest.mark.parametrize("env", ENVS)
def test_backends_are_the_services_the_values_and_workloads_create(config: PlatformConfig, tree: Tree, env: str) -> None:
    platform = config.platform
    backends = {}
    for ingress in of_kind(tree[env], "Ingress").values():
        (rule,) = ingress["spec"]["rules"]
        (path,) = rule["http"]["paths"]
        backends[rule["host"]] = (
            ingress["metadata"]["namespace"],
            path["backend"]["service"]["name"],
            path["backend"]["service"]["port"]["number"],
        )
    want = {}
    for c in config.components_in(env):
        spec = platform.components[c]
        if spec.host:
            want[naming.host(platform, env, spec.host)] = (spec.namespace, naming.component_service(env, c), helm_values.service_port(c))
    for app in config.apps_in(env):
        if app.public:
            want[naming.host(platform, env, app.public.subdomain)] = (naming.app_namespace(app), app.name, app.port)
    assert backends == want
    # (that each backend Service really exists is checked against the rendered charts by the
    # verifier's ingress-backend rule: tests/goldenpath/verify/test_consistency.py)


def test_prod_hosts_have_no_env_prefix(tree: Tree) -> None:
    hosts = sorted(r["host"] for i in of_kind(tree["prod"], "Ingress").values() for r in i["spec"]["rules"])
    assert hosts == [
        "argocd.goldenpathidp.io",
        "backstage.goldenpathidp.io",
        "grafana.goldenpathidp.io",
        "hello.goldenpathidp.io",
        "keycloak.goldenpathidp.io",
        "orders.goldenpathidp.io",
        "web.goldenpathidp.io",
    ]
