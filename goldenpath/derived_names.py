"""Derived names, validated after derivation and reported at the config line that caused them.

:mod:`goldenpath.naming` composes names from config values (``<organisation>-<env>-kong``); each
part can be valid while the whole exceeds what AWS, PostgreSQL or DNS accept. Every derived
name is checked here with its :mod:`goldenpath.identifiers` kind, and two derived names of the
same kind that coincide (a role, a database, a namespace, a Kubernetes Secret, an Application)
are a config error: one owner would silently get the other's credentials or objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goldenpath import identifiers, naming
from goldenpath.errors import ConfigIssue
from goldenpath.loader import LocatedDocument, Path_
from goldenpath.model import App, Database, Platform, SecretSpec

# Roles the stacks create besides the IRSA roles (stacks/base.py service_role purposes).
SERVICE_ROLE_PURPOSES = ("eks-cluster", "eks-node", "rds-monitoring", "vpc-flow-logs")
# Application names the generator itself uses in every env (cdk8s_app/app.py, stacks/bootstrap.py).
RESERVED_APPLICATIONS = ("root", "root-apps", *(f"platform-{s}" for s in naming.PLATFORM_SECTIONS))


@dataclass(frozen=True)
class _Site:
    """Where a derived name comes from: the document and key path to report."""

    doc: LocatedDocument
    path: Path_  # of the owner's mapping: () for an app file, ("components", name) for a component
    owner: str  # "component keycloak", "app orders (config/apps/orders.yaml)"

    def issue(self, message: str) -> ConfigIssue:
        return self.doc.issue(self.path, message)


def iam_roles(platform: Platform, env: str) -> list[str]:
    """Every IAM role name the env's stacks create."""
    purposes = [*SERVICE_ROLE_PURPOSES, *(b.purpose for b in naming.irsa_bindings(platform, env))]
    return sorted(naming.iam_role(platform, env, p) for p in purposes)


def check(platform: Platform, platform_doc: LocatedDocument, apps: list[tuple[App, LocatedDocument]]) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []

    def length(kind: identifiers.Kind, label: str, value: str, site: _Site) -> None:
        problem = kind.derived_problem(label, value)
        if problem:
            issues.append(site.issue(problem))

    organisation = _Site(platform_doc, ("organisation",), "the platform")
    for env in platform.environments:
        length(identifiers.EKS_CLUSTER, "EKS cluster name", naming.cluster(platform, env), organisation)
        length(identifiers.RDS_IDENTIFIER, "RDS instance identifier", naming.rds_identifier(platform, env), organisation)
        length(identifiers.LOAD_BALANCER, "Kong NLB name", naming.kong_load_balancer(platform, env), organisation)
        for role in iam_roles(platform, env):
            length(identifiers.IAM_ROLE, "IAM role name", role, organisation)

    roles: dict[str, _Site] = {}
    secrets: dict[tuple[str, str], _Site] = {}
    resource_ids: dict[str, _Site] = {}
    role_databases: dict[str, str] = {}
    # Components may share a namespace (monitoring, kube-system); an app's namespace is its own.
    namespaces = {c.namespace: _Site(platform_doc, (), f"component {n}") for n, c in sorted(platform.components.items())}
    namespaces.setdefault(naming.DATABASE_NAMESPACE, _Site(platform_doc, (), "the database provisioning Job"))
    for name, site, database, namespace, secret_names in _owners(platform, platform_doc, apps):
        if site.owner.startswith("app "):
            name_site = _Site(site.doc, ("name",), site.owner)
            if name in RESERVED_APPLICATIONS:
                issues.append(name_site.issue(f"{name!r} is reserved: the generator's Application <env>-{name} has that name"))
            _unique(namespaces, namespace, name_site, issues, f"namespace {namespace!r} is already the namespace of {{other}}")
        if database is not None:
            db_site = _Site(site.doc, (*site.path, "database", "name"), site.owner)
            length(identifiers.PG_IDENTIFIER, "PostgreSQL role", database.role, db_site)
            if role_databases.setdefault(database.role, database.name) != database.name:  # same name: config reports the database
                _unique(roles, database.role, db_site, issues, f"PostgreSQL role {database.role!r} is already the role of {{other}}; two owners would share one login and each other's databases")
            roles.setdefault(database.role, db_site)
        for index, secret in secret_names:
            secret_site = _Site(site.doc, (*site.path, "secrets", index, "name"), site.owner)
            _unique(secrets, (namespace, secret), secret_site, issues, f"Kubernetes Secret {namespace}/{secret} is already made for {{other}}")
        # The database stack names each Secrets Manager secret's resource naming.terraform_id(owner, name).
        declared: list[tuple[int | None, str]] = [(i, s.name) for i, s in enumerate(_specs(platform, apps, name, site))]
        declared += [(None, "postgres")] if database else []
        for position, secret_name in declared:
            rid = naming.terraform_id(name, secret_name)
            at = _Site(site.doc, (*site.path, "secrets", position, "name") if position is not None else (*site.path, "database"), site.owner)
            _unique(resource_ids, rid, at, issues, f"the secret's Terraform resource id {rid!r} is already the id of a secret of {{other}} (names differ only in '-' placement)")
    principals: dict[str, _Site] = {}
    for index, arn in enumerate(platform.admin_principals):
        at = _Site(platform_doc, ("admin_principals", index), f"admin_principals[{index}]")
        _unique(principals, naming.admin_principal_id(arn), at, issues, "maps to the same access entry id as {other} (ids replace every character but letters, digits and '_')")
    for app, doc in apps:
        if app.public:
            site = _Site(doc, ("public", "subdomain"), "")
            for env in app.environments or platform.environments:
                if env in platform.environments:
                    length(identifiers.HOST_NAME, "host name", naming.host(platform, env, app.public.subdomain), site)
        length(identifiers.ECR_REPOSITORY, "ECR repository name", naming.ecr_repository(platform, app), _Site(doc, ("name",), ""))
    return issues


def _owners(platform: Platform, platform_doc: LocatedDocument, apps: list[tuple[App, LocatedDocument]]) -> list[tuple[str, _Site, Database | None, str, list[tuple[int, str]]]]:
    """(name, site, database, namespace, [(secret index, Kubernetes Secret name)]) per owner."""
    found: list[tuple[str, _Site, Database | None, str, list[tuple[int, str]]]] = []
    for name, component in sorted(platform.components.items()):
        site = _Site(platform_doc, ("components", name), f"component {name}")
        found.append((name, site, component.database, component.namespace, [(i, naming.secret_k8s(name, s.name)) for i, s in enumerate(component.secrets)]))
    for app, doc in apps:
        site = _Site(doc, (), f"app {app.name} ({doc.file})")
        found.append((app.name, site, app.database, naming.app_namespace(app), [(i, naming.secret_k8s(app.name, s.name)) for i, s in enumerate(app.secrets)]))
    return found


def _specs(platform: Platform, apps: list[tuple[App, LocatedDocument]], name: str, site: _Site) -> list[SecretSpec]:
    if site.owner.startswith("component "):
        return platform.components[name].secrets
    return next(app.secrets for app, _doc in apps if app.name == name)


def _unique(seen: dict[Any, _Site], key: Any, site: _Site, issues: list[ConfigIssue], message: str) -> None:
    """Report ``message`` (``{other}``: the first owner) when another owner already has ``key``."""
    other = seen.get(key)
    if other is not None and other.owner != site.owner:
        issues.append(site.issue(message.replace("{other}", other.owner)))
    seen.setdefault(key, site)
