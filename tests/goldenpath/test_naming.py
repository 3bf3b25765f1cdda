"""Derived names: the values both halves rely on, asserted exactly."""

from __future__ import annotations

from goldenpath import naming
from goldenpath.config import load_config
from tests.conftest import REPO

CONFIG = load_config(REPO / "config")
P = CONFIG.platform


def test_hosts_follow_the_env_pattern() -> None:
    # dev/staging: <svc>.<env>.<domain>; prod: <svc>.<domain> (DESIGN §4)
    assert naming.host(P, "dev", "backstage") == "backstage.dev.goldenpathidp.io"
    assert naming.host(P, "staging", "hello") == "hello.staging.goldenpathidp.io"
    assert naming.host(P, "prod", "hello") == "hello.goldenpathidp.io"
    assert naming.wildcard(P, "prod") == "*.goldenpathidp.io"
    assert naming.tls_secret("hello.dev.goldenpathidp.io") == "hello-dev-goldenpathidp-io-tls"


def test_roles_are_per_environment() -> None:
    # The predecessor's account-global role names collided between envs.
    roles = {naming.iam_role(P, env, "external-secrets") for env in CONFIG.environments}
    assert roles == {"goldenpath-dev-external-secrets", "goldenpath-staging-external-secrets", "goldenpath-prod-external-secrets"}
    assert naming.iam_role_arn(P, "dev", "external-secrets") == "arn:aws:iam::593517239005:role/goldenpath-dev-external-secrets"


def test_secret_names_live_under_the_env_prefix() -> None:
    assert naming.database_secret(P, "dev", "backstage") == "goldenpath/dev/backstage/postgres"
    assert naming.secret(P, "prod", "sample-stateless", "api") == "goldenpath/prod/sample-stateless/api"
    assert naming.database_secret(P, "dev", "x").startswith(naming.secret_prefix(P, "dev"))


def test_aws_name_limits() -> None:
    for env in CONFIG.environments:
        assert len(naming.kong_load_balancer(P, env)) <= 32  # ELBv2 name limit
        assert len(naming.cluster(P, env)) <= 100
        for binding in naming.irsa_bindings(P, env):
            assert len(naming.iam_role(P, env, binding.purpose)) <= 64


def test_irsa_subjects_are_exact_service_accounts() -> None:
    subjects = {b.purpose: b.subject for b in naming.irsa_bindings(P, "dev")}
    assert subjects["external-secrets"] == "system:serviceaccount:external-secrets:external-secrets"
    assert subjects["cluster-autoscaler"] == "system:serviceaccount:kube-system:cluster-autoscaler"


def test_database_owners_cover_components_and_apps() -> None:
    owners = {o.owner: (o.namespace, o.database.name, o.database.role, o.database.createdb) for o in naming.database_owners(P, CONFIG.apps, "dev")}
    assert owners == {
        "backstage": ("backstage", "backstage", "backstage_app", True),
        "keycloak": ("keycloak", "keycloak", "keycloak_app", False),
        "orders": ("apps-orders", "orders", "orders_app", False),
    }


def test_stack_names_and_state_keys() -> None:
    assert naming.env_stack("dev", "database") == "dev-database"
    assert naming.global_stack("ecr") == "global-ecr"
    assert naming.state_key("dev-database") == "stacks/dev-database/terraform.tfstate"


def test_app_objects_are_labelled_part_of_the_org_apps() -> None:
    assert naming.apps_part_of(P) == "goldenpath-apps"
