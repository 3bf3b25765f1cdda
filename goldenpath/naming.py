"""Every derived name, in one place.

The predecessor re-typed names in many files and they drifted (seed report C, D; plan §0):
account-global IAM role names, two RDS identifiers, a secret written under one name and read
under another. Renderers and stacks call these functions; they never spell a name themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from goldenpath.model import App, Database, Platform

# --- Terraform stacks -------------------------------------------------------------------------

ENV_STACK_KINDS = ("network", "cluster", "database", "bootstrap", "dns")
GLOBAL_STACK_KINDS = ("zone", "ecr")
STATE_STACK = "state"


def env_stack(env: str, kind: str) -> str:
    return f"{env}-{kind}"


def global_stack(kind: str) -> str:
    return f"global-{kind}"


def state_key(stack: str) -> str:
    """Key of a stack's state object inside the state bucket."""
    return f"stacks/{stack}/terraform.tfstate"


STATE_KEY_PURPOSE = "tfstate"  # the state stack's KMS key (alias) purpose


def state_kms_key_arn(platform: Platform) -> str:
    """ARN of the state key's alias: what every S3 backend encrypts with (``kms_key_id``).

    Backends cannot reference resources, so the key is named, not referenced; Terraform's S3
    backend accepts an alias ARN (internal/backend/remote-state/s3/validate.go, isKeyARN).
    """
    return f"arn:aws:kms:{platform.region}:{platform.account_id}:{kms_alias(platform, None, STATE_KEY_PURPOSE)}"


# --- AWS resources ----------------------------------------------------------------------------


def prefix(platform: Platform, env: str) -> str:
    return f"{platform.organisation}-{env}"


def vpc(platform: Platform, env: str) -> str:
    return f"{prefix(platform, env)}-vpc"


def cluster(platform: Platform, env: str) -> str:
    return f"{prefix(platform, env)}-eks"


def rds_identifier(platform: Platform, env: str) -> str:
    return f"{prefix(platform, env)}-postgres"


def rds_arn(platform: Platform, env: str) -> str:
    return f"arn:aws:rds:{platform.region}:{platform.account_id}:db:{rds_identifier(platform, env)}"


def iam_role(platform: Platform, env: str, purpose: str) -> str:
    """Per-environment role names: the predecessor's account-global names collided across envs."""
    return f"{prefix(platform, env)}-{purpose}"


def iam_role_arn(platform: Platform, env: str, purpose: str) -> str:
    return f"arn:aws:iam::{platform.account_id}:role/{iam_role(platform, env, purpose)}"


def kong_load_balancer(platform: Platform, env: str) -> str:
    """Name Kong's values give the NLB and the DNS stack looks up (AWS limit: 32 characters)."""
    return f"{prefix(platform, env)}-kong"


def ecr_repository(platform: Platform, app: App | str) -> str:
    name = app if isinstance(app, str) else app.name
    return f"{platform.organisation}/{name}"


def ecr_registry(platform: Platform) -> str:
    return f"{platform.account_id}.dkr.ecr.{platform.region}.amazonaws.com"


def image(platform: Platform, app: App, tag: str) -> str:
    return f"{ecr_registry(platform)}/{ecr_repository(platform, app)}:{tag}"


# --- Secrets Manager --------------------------------------------------------------------------


def image_registries(platform: Platform) -> list[str]:
    """Registries images may come from: the config's list plus the account's ECR registry."""
    return sorted({*platform.image_registries, ecr_registry(platform)})


def secret_prefix(platform: Platform, env: str) -> str:
    """Everything an environment's External Secrets may read lives under this prefix."""
    return f"{platform.organisation}/{env}/"


def secret(platform: Platform, env: str, owner: str, name: str) -> str:
    return f"{secret_prefix(platform, env)}{owner}/{name}"


def database_secret(platform: Platform, env: str, owner: str) -> str:
    return secret(platform, env, owner, "postgres")


# Declared secret keys Terraform fills at creation (never ""): a generated password for keys named
# like a password or a signing secret, a fixed login name for admin user keys. Every other key
# (tokens and API keys issued by someone else) is for a human: `goldenpath secrets` lists them.
GENERATED_PASSWORD_SUFFIXES = ("password", "secret")
GENERATED_USER_KEYS = {"admin-user": "admin", "user": "admin", "username": "admin"}


def generated_secret_value(key: str) -> str | None:
    """``"password"`` (a random password), a fixed user name, or None (a human fills the key)."""
    if key.endswith(GENERATED_PASSWORD_SUFFIXES):
        return "password"
    return GENERATED_USER_KEYS.get(key)


DATABASE_SECRET_KEYS = ("dbname", "host", "password", "port", "username")
MASTER_SECRET_KEYS = ("password", "username")  # what the RDS-managed master secret holds


# --- hosts ------------------------------------------------------------------------------------


def env_domain(platform: Platform, env: str) -> str:
    host_prefix = platform.environments[env].host_prefix
    return f"{host_prefix}.{platform.domain}" if host_prefix else platform.domain


def host(platform: Platform, env: str, subdomain: str) -> str:
    return f"{subdomain}.{env_domain(platform, env)}"


def wildcard(platform: Platform, env: str) -> str:
    return f"*.{env_domain(platform, env)}"


def tls_secret(host_name: str) -> str:
    return f"{host_name.replace('.', '-')}-tls"


def acme_email(platform: Platform) -> str:
    return f"platform@{platform.domain}"


# --- Kubernetes / Argo CD ---------------------------------------------------------------------

CLUSTER_SECRET_STORE = "aws-secretsmanager"
ARGOCD_NAMESPACE = "argocd"
DATABASE_NAMESPACE = "platform-db"
PLATFORM_PROJECT = "platform"
# The cluster-wide directories platform/<section>, each synced by Application <env>-platform-<section>.
PLATFORM_SECTIONS = ("database", "issuers", "kong-plugins", "namespaces", "secret-store")
DASHBOARD_LABEL = "grafana_dashboard"
DASHBOARD_LABEL_VALUE = "1"
DISABLED_COMPONENTS_ANNOTATION = "goldenpath.io/disabled-components"
IMAGE_REGISTRIES_ANNOTATION = "goldenpath.io/image-registries"
ADOPTS_HELM_RELEASE_ANNOTATION = "goldenpath.io/adopts-helm-release"
SOURCE_PATHS_ANNOTATION = "goldenpath.io/source-paths"  # on a team's AppProject: the paths its apps sync


def application(env: str, name: str) -> str:
    return f"{env}-{name}"


def root_application(env: str) -> str:
    return application(env, "root")


def root_apps_release(env: str) -> str:
    """Helm release (argocd-apps chart) that installs the root Application after Argo CD."""
    return release(env, "root-apps")


def apps_part_of(platform: Platform) -> str:
    """``app.kubernetes.io/part-of`` of every self-service app's objects."""
    return f"{platform.organisation}-apps"


def app_namespace(app: App | str) -> str:
    name = app if isinstance(app, str) else app.name
    return f"{APP_NAMESPACE_PREFIX}{name}"


APP_NAMESPACE_PREFIX = "apps-"


def is_app_namespace(namespace: str) -> bool:
    return namespace.startswith(APP_NAMESPACE_PREFIX)


def release(env: str, component: str) -> str:
    """Helm release / fullnameOverride: service names are then known to the renderers."""
    return f"{env}-{component}"


def gitops_path(env: str, *parts: str) -> str:
    return "/".join(("dist", "gitops", env) + parts)


def values_file(env: str, component: str) -> str:
    return gitops_path(env, "values", f"{component}.yaml")


def db_credentials_secret(owner: str) -> str:
    """Kubernetes Secret (made by an ExternalSecret) holding an owner's database credentials."""
    return f"{owner}-postgres"


def database_role(database: Database) -> str:
    return database.role


# --- IRSA: which Kubernetes service account may assume which per-env role -------------------


@dataclass(frozen=True)
class IrsaBinding:
    """An IAM role (per env) assumable only by ``system:serviceaccount:<namespace>:<service_account>``."""

    purpose: str
    component: str | None  # platform component whose Helm values annotate the service account
    namespace: str
    service_account: str

    @property
    def subject(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.service_account}"


def irsa_bindings(platform: Platform, env: str) -> list[IrsaBinding]:
    """Roles the cluster stack creates and the GitOps values reference, for enabled components."""
    overrides = platform.environments[env].components
    enabled = {c for c in platform.components if c not in overrides or overrides[c].enabled}

    def ns(component: str) -> str:
        return platform.components[component].namespace

    bindings = [IrsaBinding("ebs-csi", None, "kube-system", "ebs-csi-controller-sa")]  # EKS add-on
    table = (
        ("external-secrets", "external-secrets", "external-secrets"),
        ("cluster-autoscaler", "cluster-autoscaler", "cluster-autoscaler"),
        ("aws-load-balancer-controller", "aws-load-balancer-controller", "aws-load-balancer-controller"),
        ("image-updater", "argocd-image-updater", "argocd-image-updater"),
        ("grafana", "kube-prometheus-stack", "grafana"),  # CloudWatch datasource (RDS metrics)
    )
    for purpose, component, service_account in table:
        if component in enabled:
            bindings.append(IrsaBinding(purpose, component, ns(component), service_account))
    return sorted(bindings, key=lambda b: b.purpose)


# --- databases: one owner (component or app) per database -----------------------------------


@dataclass(frozen=True)
class DatabaseOwner:
    owner: str  # component or app name; also the secret path segment
    namespace: str  # where the owner runs and reads its credentials
    database: Database


def database_owners(platform: Platform, apps: list[App] | tuple[App, ...], env: str) -> list[DatabaseOwner]:
    overrides = platform.environments[env].components
    owners = [
        DatabaseOwner(name, component.namespace, component.database)
        for name, component in platform.components.items()
        if component.database and (name not in overrides or overrides[name].enabled)
    ]
    owners += [
        DatabaseOwner(app.name, app_namespace(app), app.database)
        for app in apps
        if app.database and app.settings_for(env).enabled
    ]
    return sorted(owners, key=lambda o: o.owner)


# --- GitOps tree (cdk8s_app) ------------------------------------------------------------------


def secret_k8s(owner: str, name: str) -> str:
    """Kubernetes Secret (made by an ExternalSecret) for an owner's declared secret ``name``."""
    return f"{owner}-{name}"


def component_service(env: str, component: str) -> str:
    """The Service a component's chart creates for its public host (its Ingress backend).

    Chart facts: argo-cd ``<fullname>-server``, kong ``<fullname>-proxy``, kube-prometheus-stack's
    Grafana subchart ``<release>-grafana``; keycloak and backstage use the fullname. The verifier's
    ingress-backend rule checks each name against the rendered charts.
    """
    fullname = release(env, component)
    suffix = {"argocd": "-server", "kong": "-proxy", "kube-prometheus-stack": "-grafana"}.get(component, "")
    return f"{fullname}{suffix}"


def dashboard_configmap(owner: str) -> str:
    """ConfigMap holding an owner's (component or app) Grafana dashboard."""
    return f"{owner}-dashboard"


def dashboard_uid(env: str, owner: str) -> str:
    """Grafana dashboard uid (max 40 chars), unique per env and owner."""
    uid = f"{env}-{owner}-red"
    if len(uid) <= 40:
        return uid
    import hashlib

    return f"{uid[:31]}-{hashlib.sha256(uid.encode()).hexdigest()[:8]}"


def platform_section(env: str, section: str) -> str:
    """Argo CD Application owning one cluster-wide directory ``platform/<section>``."""
    return application(env, f"platform-{section}")


def workload_service_account(app: App | str) -> str:
    return app if isinstance(app, str) else app.name


OTLP_GRPC_PORT = 4317  # OpenTelemetry's registered ports (Alloy's receiver, Tempo's distributor)
OTLP_HTTP_PORT = 4318
TEMPO_HTTP_PORT = 3200  # Tempo's query API (tempo.server.http_listen_port)


def otlp_endpoint(platform: Platform, env: str) -> str:
    """Where apps send traces (OTEL_EXPORTER_OTLP_ENDPOINT): Alloy's OTLP/HTTP receiver."""
    return f"http://{release(env, 'alloy')}.{platform.components['alloy'].namespace}.svc:{OTLP_HTTP_PORT}"


def loki_gateway(env: str) -> str:
    """Service of the loki chart's gateway (Grafana's Loki datasource URL points at it)."""
    return f"{release(env, 'loki')}-gateway"


def helm_oci_repository(repo_url: str) -> str:
    """Argo CD repository Secret that marks a Helm OCI registry (``enableOCI``) for one repo URL."""
    bare = repo_url.removeprefix("oci://")
    return "helm-oci-" + "".join(c if c.isalnum() else "-" for c in bare.lower()).strip("-")


def argocd_repo_url(repo_url: str) -> str:
    """Chart repository as an Argo CD Helm source wants it: OCI registries without the scheme."""
    return repo_url.removeprefix("oci://")


# --- database provisioning Job (cdk8s_app/database.py), in DATABASE_NAMESPACE -----------------

DATABASE_PROVISIONER = "db-provisioner"  # its ServiceAccount, script ConfigMap and Job
DATABASE_MASTER_CREDENTIALS = "rds-master-credentials"  # Secret (made by an ExternalSecret): username, password
# AWS tags the master-user secret RDS manages for an instance with the instance ARN under this key;
# the secret's own name is random (rds!db-<uuid>), so the ExternalSecret finds it by this tag.
RDS_MASTER_SECRET_TAG = "aws:rds:primaryDBInstanceArn"


# --- Terraform-only names (stacks/) -----------------------------------------------------------


def terraform_id(*parts: str) -> str:
    """Construct id (Terraform logical name) of a per-owner resource: ``orders``, ``api`` -> ``orders_api``.
    Not injective (``a-b``/``c`` and ``a``/``b-c`` meet): config rejects such pairs (derived_names)."""
    return "_".join(p.replace("-", "_") for p in parts)


def admin_principal_id(arn: str) -> str:
    """Stable resource id of an admin principal (not its list position: reordering the list must
    not delete and recreate access entries): ``admin_<account>_<role|user>_<name>``."""
    _, _, _, _, account, resource = arn.split(":", 5)
    return re.sub(r"[^A-Za-z0-9_]", "_", f"admin_{account}_{resource}")


MANAGED_BY = "goldenpath-cdktf"  # ManagedBy tag value on every AWS resource
GLOBAL_SCOPE = "global"  # Environment tag value (and name scope) of the global stacks


def default_tags(platform: Platform, env: str | None) -> dict[str, str]:
    """AWS provider default tags: on every resource of a stack (DESIGN §5)."""
    return {
        "Environment": env or GLOBAL_SCOPE,
        "ManagedBy": MANAGED_BY,
        "Owner": platform.owner,
        "Project": platform.project,
    }


def resource(platform: Platform, env: str | None, *parts: str) -> str:
    """Name (tag) of an AWS resource nothing else refers to by name: ``goldenpath-dev-public-eu-west-2a``."""
    return "-".join((prefix(platform, env or GLOBAL_SCOPE), *parts))


def kms_alias(platform: Platform, env: str | None, purpose: str) -> str:
    return f"alias/{resource(platform, env, purpose)}"


def eks_log_group(platform: Platform, env: str) -> str:
    """The control-plane log group name EKS writes to (fixed by AWS); created first to set retention + KMS."""
    return f"/aws/eks/{cluster(platform, env)}/cluster"


def vpc_discovery_tags(platform: Platform, env: str) -> dict[str, str]:
    """Tags the network stack puts on the env's VPC and the AWS LB controller finds it by
    (``vpcTags`` -> ``--aws-vpc-tags``): AL2023 nodes answer IMDS only one hop away, so the
    controller cannot read the VPC id from instance metadata."""
    return {"Name": vpc(platform, env)}


def rds_log_group(platform: Platform, env: str, log: str) -> str:
    """The log group RDS exports ``log`` (postgresql, upgrade) to (fixed by AWS); created first."""
    return f"/aws/rds/instance/{rds_identifier(platform, env)}/{log}"


# The default StorageClass the EBS CSI add-on creates (EKS >= 1.30 ships none): gp3, encrypted.
DEFAULT_STORAGE_CLASS = "gp3-encrypted"


def flow_log_group(platform: Platform, env: str) -> str:
    return f"/{platform.organisation}/{env}/vpc-flow-logs"


def rds_final_snapshot(platform: Platform, env: str) -> str:
    """Prefix of the final snapshot's name; the database stack appends the instance's creation
    time, so a second destroy of a recreated instance does not collide with the first snapshot."""
    return f"{rds_identifier(platform, env)}-final"


def ecr_repository_arn(platform: Platform, app: App | str) -> str:
    return f"arn:aws:ecr:{platform.region}:{platform.account_id}:repository/{ecr_repository(platform, app)}"


def secret_arn_pattern(platform: Platform, env: str) -> str:
    """IAM resource pattern for every secret under :func:`secret_prefix` (the env's whole prefix)."""
    return f"arn:aws:secretsmanager:{platform.region}:{platform.account_id}:secret:{secret_prefix(platform, env)}*"


def owner_secret_arn_pattern(platform: Platform, env: str, owner: str) -> str:
    """IAM resource pattern for one owner's secrets (``<org>/<env>/<owner>/<name>-<6 random>``)."""
    return f"arn:aws:secretsmanager:{platform.region}:{platform.account_id}:secret:{secret_prefix(platform, env)}{owner}/*"


def database_secret_arn_pattern(platform: Platform, env: str) -> str:
    """Every owner's database credentials secret (:func:`database_secret`; Secrets Manager appends
    ``-`` and 6 random characters to the name in the ARN): what the provisioning Job reads."""
    return f"arn:aws:secretsmanager:{platform.region}:{platform.account_id}:secret:{secret_prefix(platform, env)}*/postgres-??????"


# --- tenant isolation (issue 12): one reader role per env, scoped by a session tag ------------

TENANT_SECRETS_PURPOSE = "tenant-secrets"  # IAM role purpose: goldenpath-<env>-tenant-secrets
TENANT_SECRET_STORE = "tenant-secrets"  # the SecretStore in every app namespace
TENANT_TAG = "Application"  # session tag on the tenant role's sessions = resource tag on app secrets


def tenant_store_policy(platform: Platform) -> str:
    """The ValidatingAdmissionPolicy (and its binding, same name) that holds every SecretStore in
    an app namespace to the tenant shape: cluster-scoped, so prefixed with the organisation."""
    return f"{platform.organisation}-tenant-secret-stores"


def tenant_secrets_role(platform: Platform, env: str) -> str:
    return iam_role(platform, env, TENANT_SECRETS_PURPOSE)


def tenant_secrets_role_arn(platform: Platform, env: str) -> str:
    return iam_role_arn(platform, env, TENANT_SECRETS_PURPOSE)


def tenant_secret_arn_pattern(platform: Platform, env: str) -> str:
    """The tenant role's resource: the secrets of the app named by the session's tag. IAM policy
    variable syntax (``${aws:PrincipalTag/...}``); Terraform JSON needs it escaped (``$${``)."""
    return (
        f"arn:aws:secretsmanager:{platform.region}:{platform.account_id}:secret:"
        f"{secret_prefix(platform, env)}${{aws:PrincipalTag/{TENANT_TAG}}}/*"
    )
def private_zone(platform: Platform, env: str) -> str:
    """The env's private Route53 zone (resolvable only inside its VPC)."""
    return f"{env}.{platform.organisation}.internal"


def database_host(platform: Platform, env: str) -> str:
    """A stable name for the env's RDS endpoint (a CNAME in the private zone): values and
    secrets can name it at synth time, before the instance exists (Keycloak 25 needs a host)."""
    return f"postgres.{private_zone(platform, env)}"


DATABASE_PORT = 5432  # the RDS instance's port: security group (stacks) and the provisioner's NetworkPolicy


# --- teams and self-service (issue 16) ---------------------------------------------------------

TEAM_LABEL = "goldenpath.io/team"  # Kubernetes labels of every object an app renders
APPLICATION_LABEL = "goldenpath.io/application"
COST_CENTER_LABEL = "goldenpath.io/cost-center"
TEAM_ROLE = "developers"  # the AppProject role bound to a team's groups


def team_project(team: str) -> str:
    """The Argo CD AppProject of a team's apps (config forbids the names ``default``/``platform``)."""
    return team


def team_rbac_role(team: str) -> str:
    """Argo CD global RBAC role of a team (``configs.rbac`` policy.csv)."""
    return f"role:{team}"


def app_tags(platform: Platform, app: App) -> dict[str, str]:
    """Tags of every AWS resource an app owns (its ECR repository, push role, secrets)."""
    return {TENANT_TAG: app.name, "CostCenter": platform.teams[app.owner].cost_center, "Team": app.owner}


def app_labels(platform: Platform, app: App) -> dict[str, str]:
    """The same facts as labels on every Kubernetes object the app renders."""
    # backstage.io/kubernetes-id: how Backstage's Kubernetes plugin finds the Component's objects.
    return {
        APPLICATION_LABEL: app.name,
        COST_CENTER_LABEL: platform.teams[app.owner].cost_center,
        TEAM_LABEL: app.owner,
        KUBERNETES_ID_ANNOTATION: app.name,
    }


# GitHub Actions' OIDC issuer and the audience aws-actions/configure-aws-credentials requests
# (GitHub docs, "Configuring OpenID Connect in Amazon Web Services": provider URL
# https://token.actions.githubusercontent.com, audience sts.amazonaws.com, sub claim
# repo:<owner>/<repo>:ref:refs/heads/<branch>; AWS IAM docs, "Creating OpenID Connect (OIDC)
# identity providers" and "Available keys for AWS web identity federation").
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"


def github_oidc_provider_arn(platform: Platform) -> str:
    return f"arn:aws:iam::{platform.account_id}:oidc-provider/{GITHUB_OIDC_HOST}"


def github_subjects(app: App) -> list[str]:
    """The exact ``sub`` claims of the app's builds: its repository, its push branches."""
    repo = app.source.git.github_repository
    return [f"repo:{repo}:ref:refs/heads/{branch}" for branch in app.source.git.branches]


def ci_push_role(platform: Platform, app: App | str) -> str:
    """The role an app's CI assumes to push to its ECR repository (global: one per app)."""
    return resource(platform, None, "ci", app if isinstance(app, str) else app.name)


def ci_push_role_arn(platform: Platform, app: App | str) -> str:
    return f"arn:aws:iam::{platform.account_id}:role/{ci_push_role(platform, app)}"


PLATFORM_IMAGE_COMPONENTS = ("backstage",)  # components whose image the platform builds into its ECR


def image_updater(env: str, app: App | str) -> str:
    """The ImageUpdater resource of an app in an env (same name as its Application)."""
    return application(env, app if isinstance(app, str) else app.name)


def catalog_app_file(app: App | str) -> str:
    """Path (under dist/) of an app's Backstage catalog-info.yaml."""
    return f"catalog/apps/{app if isinstance(app, str) else app.name}/catalog-info.yaml"


def catalog_team_file(team: str) -> str:
    return f"catalog/teams/{team}.yaml"


CATALOG_TEMPLATE_FILE = "catalog/templates/new-app/template.yaml"


def app_workflow_file(app: App | str) -> str:
    """Path (under dist/) of the CI workflow generated for the app's own repository."""
    return f"apps/{app if isinstance(app, str) else app.name}/.github/workflows/build.yml"


def git_blob_url(platform: Platform, branch: str, path: str) -> str:
    """A file of the platform repository on GitHub (Backstage's url locations read these)."""
    return f"{platform.git.repo_url.removesuffix('.git')}/blob/{branch}/{path}"


def backstage_service_account(env: str) -> str:
    return release(env, "backstage")


BACKSTAGE_READER = "backstage-kubernetes-reader"  # ClusterRole(+Binding) of Backstage's Kubernetes plugin
KUBERNETES_ID_ANNOTATION = "backstage.io/kubernetes-id"
