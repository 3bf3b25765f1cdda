"""The typed platform description (DESIGN §4).

Two kinds of file feed it: ``config/platform.yaml`` (:class:`Platform`) and one
``config/apps/<name>.yaml`` per application (:class:`App`). Every model forbids unknown keys;
cross-field and cross-file rules live in :mod:`goldenpath.config`, which knows file names.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from goldenpath import identifiers
from goldenpath.identifiers import shown

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SECRET_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
POSTGRES_MAJOR = re.compile(r"^(14|15|16|17)$")
# An IAM user or role (paths allowed) in any partition; EKS access entries take exactly these.
IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$")
GIT_REF = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)[A-Za-z0-9._/-]{1,100}(?<!/)$")

COMPONENT_NAMES = (
    "alloy",
    "argocd",
    "argocd-image-updater",
    "aws-load-balancer-controller",
    "backstage",
    "cert-manager",
    "cluster-autoscaler",
    "external-secrets",
    "keycloak",
    "kong",
    "kube-prometheus-stack",
    "loki",
    "tempo",
)
# Without these the rest of the tree cannot work (secrets, TLS, ingress, GitOps itself).
# Components whose chart values need their public URL (Backstage's baseUrl, Grafana's root_url).
HOSTED_COMPONENTS = ("backstage", "kube-prometheus-stack")
REQUIRED_COMPONENTS = ("argocd", "aws-load-balancer-controller", "cert-manager", "external-secrets", "kong")
ISSUERS = ("letsencrypt-prod", "letsencrypt-staging")
# Components that need an admin secret: (secret name, its key names or how many keys, by position).
# Grafana's chart ships admin/prom-operator and Keycloak's needs its admin password from a Secret.
ADMIN_SECRETS: dict[str, tuple[str, tuple[str, ...] | int]] = {
    "keycloak": ("admin", ("password",)),
    "kube-prometheus-stack": ("grafana-admin", 2),  # user key then password key
}
KUBERNETES_VERSIONS = ("1.31", "1.32", "1.33")
DATABASE_SIZES = {"small": 20, "medium": 50, "large": 100}  # size -> CONNECTION LIMIT


def _kind(kind: identifiers.Kind):
    def check(value: str) -> str:
        problem = kind.problem(value)
        if problem:
            raise ValueError(problem)
        return value

    return check


def _cidr(value: str) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR such as 10.10.0.0/16 ({exc}; got {shown(value)})") from None
    return str(net)


def _pattern(regex: re.Pattern[str], what: str):
    def check(value: str) -> str:
        # fullmatch: with re.match, `$` also matches before a final newline ("orders\n").
        if regex.fullmatch(value) is None:
            raise ValueError(f"must be {what} (got {shown(value)})")
        return value

    return check


DnsLabel = Annotated[str, AfterValidator(_kind(identifiers.DNS_LABEL))]
PgIdentifier = Annotated[str, AfterValidator(_kind(identifiers.PG_IDENTIFIER))]
Cidr = Annotated[str, AfterValidator(_cidr)]
SecretKey = Annotated[str, AfterValidator(_pattern(SECRET_KEY, "a secret key of letters, digits, '_', '.' or '-'"))]
HttpsUrl = Annotated[str, AfterValidator(_pattern(re.compile(r"^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?$"), "an https:// URL"))]
ChartRepo = Annotated[
    str,
    AfterValidator(_pattern(re.compile(r"^(https|oci)://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?$"), "an https:// or oci:// chart repository URL")),
]
# At most 64 characters: the version is part of the chart archive's file name (<name>-<version>.tgz).
SemVer = Annotated[str, AfterValidator(_pattern(re.compile(r"(?=.{1,64}\Z)v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?"), "an exact version like 1.2.3"))]
GitRef = Annotated[str, AfterValidator(_pattern(GIT_REF, "a git branch name"))]
IamPrincipalArn = Annotated[
    str, AfterValidator(_pattern(IAM_PRINCIPAL_ARN, "an IAM role or user ARN like arn:aws:iam::123456789012:role/platform-admin"))
]


RegistryHost = Annotated[str, AfterValidator(_pattern(re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$"), "a registry host like quay.io"))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- shared pieces -------------------------------------------------------------------------


class Chart(Strict):
    repository: ChartRepo
    name: DnsLabel
    version: SemVer


# The root Application is installed by Terraform with this chart, as a second Helm release after
# Argo CD: the argo-cd chart ships its CRDs as templates of its own release, so an Application in
# that release's extraObjects fails on a fresh cluster ("no matches for kind Application").
ROOT_APPS_CHART = Chart(repository="https://argoproj.github.io/argo-helm", name="argocd-apps", version="2.0.5")


class SecretSpec(Strict):
    """A Secrets Manager secret the app reads; Terraform creates it with exactly these keys."""

    name: DnsLabel
    keys: list[SecretKey] = Field(min_length=1, max_length=32)

    @model_validator(mode="after")
    def _unique_keys(self) -> SecretSpec:
        if len(set(self.keys)) != len(self.keys):
            raise ValueError("keys must be unique")
        if self.name == "postgres":
            raise ValueError("'postgres' is reserved for the database credentials secret")
        return self


class Database(Strict):
    """A PostgreSQL database on the environment's RDS instance, owned by its own login role."""

    name: PgIdentifier
    size: Literal["small", "medium", "large"] = "small"
    createdb: bool = False  # Backstage creates its plugin databases itself (seed report B.6)

    @property
    def role(self) -> str:
        return f"{self.name}_app" if not self.name.endswith("_app") else self.name

    @property
    def connection_limit(self) -> int:
        return DATABASE_SIZES[self.size]


# --- platform --------------------------------------------------------------------------------


class Git(Strict):
    repo_url: HttpsUrl


class State(Strict):
    bucket: Annotated[str, AfterValidator(_kind(identifiers.S3_BUCKET))]


class HostedZone(Strict):
    zone_id: Annotated[str, AfterValidator(_pattern(re.compile(r"^Z[A-Z0-9]{4,31}$"), "a Route53 zone id like Z0123456789ABC"))] | None = None


class Network(Strict):
    cidr: Cidr
    availability_zones: list[str] = Field(min_length=2, max_length=6)
    nat_gateways: Literal["single", "per_az"] = "single"


def _is_graviton(instance_type: str) -> bool:
    match = re.match(r"[a-z]+\d+([a-z-]*)\.", instance_type)  # a prefix: the family
    return bool(match and "g" in match.group(1).split("-")[0])


class NodeGroup(Strict):
    name: DnsLabel
    instance_types: list[Annotated[str, AfterValidator(_pattern(re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"), "an EC2 instance type like t3.large"))]] = Field(min_length=1)
    min_size: int = Field(ge=0, le=100)
    max_size: int = Field(ge=1, le=100)
    desired_size: int = Field(ge=0, le=100)
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    disk_size_gib: int = Field(default=50, ge=20, le=1000)

    @property
    def architecture(self) -> str:
        """``arm64`` for Graviton families (a ``g`` after the generation: m6g, t4g, c7gn), else ``x86_64``."""
        return "arm64" if all(_is_graviton(t) for t in self.instance_types) else "x86_64"

    @model_validator(mode="after")
    def _sizes(self) -> NodeGroup:
        if len({_is_graviton(t) for t in self.instance_types}) > 1:
            raise ValueError(f"instance types must share one CPU architecture (one AMI per node group; got {', '.join(self.instance_types)})")
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"sizes must satisfy min_size <= desired_size <= max_size "
                f"(got {self.min_size} <= {self.desired_size} <= {self.max_size})"
            )
        return self


class Cluster(Strict):
    kubernetes_version: Literal["1.31", "1.32", "1.33"] = "1.33"
    public_endpoint: bool = True
    node_groups: list[NodeGroup] = Field(min_length=1)


class EnvDatabase(Strict):
    instance_class: Annotated[str, AfterValidator(_pattern(re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$"), "an RDS instance class like db.t4g.medium"))]
    # The major only: with auto_minor_version_upgrade on, RDS moves the minor and a pinned minor
    # would make the next plan ask for a downgrade, which RDS rejects (AWS provider docs,
    # aws_db_instance engine_version; terraform-aws-rds examples pin "17" / family "postgres17").
    engine_version: Annotated[
        str, AfterValidator(_pattern(POSTGRES_MAJOR, "a PostgreSQL major version like 15 (RDS upgrades the minor itself)"))
    ]
    allocated_storage_gib: int = Field(ge=20, le=65536)
    max_allocated_storage_gib: int = Field(ge=20, le=65536)
    multi_az: bool
    deletion_protection: bool
    backup_retention_days: int = Field(ge=0, le=35)

    @property
    def parameter_group_family(self) -> str:
        """RDS parameter group family of the engine major (``postgres15``)."""
        return f"postgres{self.engine_version}"

    @model_validator(mode="after")
    def _storage(self) -> EnvDatabase:
        if self.max_allocated_storage_gib < self.allocated_storage_gib:
            raise ValueError("max_allocated_storage_gib must be >= allocated_storage_gib")
        return self


class ComponentOverride(Strict):
    enabled: bool = True
    chart_version: SemVer | None = None


class Observability(Strict):
    """How long an env keeps its signals (Loki's compactor and Tempo's compactor delete older data)."""

    log_retention_days: int = Field(default=7, ge=1, le=3650)
    trace_retention_days: int = Field(default=3, ge=1, le=365)


class Environment(Strict):
    branch: GitRef
    host_prefix: DnsLabel | None  # hosts are <svc>.<prefix>.<domain>; null: <svc>.<domain>
    issuer: Literal["letsencrypt-staging", "letsencrypt-prod"]
    app_sync: Literal["automated", "manual"] = "automated"
    network: Network
    cluster: Cluster
    database: EnvDatabase
    components: dict[str, ComponentOverride] = Field(default_factory=dict)
    observability: Observability = Observability()

    @property
    def protects_data(self) -> bool:
        """An env whose data must survive mistakes: RDS and EKS deletion protection, final
        snapshots, 30-day secret recovery. The others are disposable (destroyed and recreated)."""
        return self.database.deletion_protection


class Image(Strict):
    registry: RegistryHost
    repository: Annotated[str, AfterValidator(_pattern(re.compile(r"^[a-z0-9]+([._/-][a-z0-9]+)*$"), "an image repository like backstage/backstage"))]
    tag: Annotated[str, AfterValidator(_pattern(re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"), "a container image tag"))]

    @field_validator("tag")
    @classmethod
    def _not_latest(cls, value: str) -> str:
        if value == "latest":
            raise ValueError("must be an immutable version tag, not latest")
        return value


class Component(Strict):
    chart: Chart
    # The component's main image, where its chart's default is not a pinned release (Backstage's is `latest`).
    image: Image | None = None
    namespace: DnsLabel
    host: DnsLabel | None = None
    database: Database | None = None
    secrets: list[SecretSpec] = Field(default_factory=list)
    # Argo CD manages this component's release after Terraform's bootstrap stack installed it
    # (self-managed Argo CD): the Application adopts the objects of that Helm release.
    adopts_bootstrap_release: bool = False


class Receiver(Strict):
    """An Alertmanager receiver; its URL or routing key is a key of the kube-prometheus-stack
    ``alertmanager`` secret (Secrets Manager -> ExternalSecret -> a file Alertmanager reads)."""

    name: DnsLabel
    type: Literal["slack", "webhook", "pagerduty"]
    secret_key: SecretKey


class Alerting(Strict):
    receivers: list[Receiver] = Field(min_length=1)
    critical: DnsLabel  # receiver of severity=critical alerts
    warning: DnsLabel  # receiver of everything else


TagValue = Annotated[str, AfterValidator(_pattern(re.compile(r"^[A-Za-z0-9 ._:/=+@-]{1,128}$"), "a tag value"))]
# A user name or an identity-provider group name, as Argo CD's RBAC (`g, <group>, ...`) and
# Backstage entity references (`user:<name>`) accept them: no commas, spaces or quotes.
Principal = Annotated[str, AfterValidator(_pattern(re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:/-]{0,127}$"), "a user or group name without spaces or commas"))]


class Team(Strict):
    """A team that owns apps (``App.owner``): its Argo CD AppProject and RBAC role, its
    Backstage Group, and the ``Team``/``CostCenter`` tags and labels of everything its apps own."""

    cost_center: TagValue
    groups: list[Principal] = Field(min_length=1, max_length=20)  # SSO groups bound to its Argo CD role
    members: list[Principal] = Field(default_factory=list)  # Backstage Group members (user names)


ALERTMANAGER_SECRET = "alertmanager"  # the kube-prometheus-stack secret holding receiver URLs/keys


class Platform(Strict):
    organisation: DnsLabel
    project: DnsLabel
    owner: Annotated[str, AfterValidator(_pattern(re.compile(r"^[A-Za-z0-9 ._:/=+@-]{1,128}$"), "a tag value"))]
    domain: Annotated[str, AfterValidator(_pattern(DOMAIN, "a lower-case DNS domain like example.io"))]
    region: Annotated[str, AfterValidator(_pattern(re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$"), "an AWS region like eu-west-2"))]
    account_id: Annotated[str, AfterValidator(_pattern(re.compile(r"^\d{12}$"), "a 12-digit AWS account id in quotes"))]
    admin_cidrs: list[Cidr] = Field(min_length=1)
    # EKS cluster admins (access entries + AmazonEKSClusterAdminPolicy). Nobody else is admin:
    # the cluster creator gets no implicit access (eks module v21 does the same).
    admin_principals: list[IamPrincipalArn] = Field(min_length=1, max_length=20)
    git: Git
    state: State
    hosted_zone: HostedZone = HostedZone()
    environments: dict[str, Environment] = Field(min_length=1)
    components: dict[str, Component]
    # Registries every container image must come from (the account's ECR registry is implied).
    image_registries: list[RegistryHost] = Field(min_length=1)
    alerting: Alerting | None = None  # without it alerts fire in Alertmanager's UI only
    teams: dict[str, Team] = Field(default_factory=dict)  # app owners; an app's `owner` names one


# --- applications ----------------------------------------------------------------------------


GITHUB_REPO = re.compile(r"^https://github\.com/([A-Za-z0-9-]{1,39})/([A-Za-z0-9._-]{1,100}?)(\.git)?$")


class GitSource(Strict):
    # The app's own repository on GitHub: its CI workflow assumes the app's ECR push role
    # through GitHub's OIDC provider, trusted for exactly this repository.
    repo_url: Annotated[str, AfterValidator(_pattern(GITHUB_REPO, "a GitHub repository URL like https://github.com/acme/orders.git"))]
    path: Annotated[str, AfterValidator(_pattern(re.compile(r"^(?!/)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$"), "a relative path inside the repository"))] = "."
    # Branches whose builds may push images (the push role trusts exactly these refs).
    branches: list[GitRef] = Field(default_factory=lambda: ["main"], min_length=1, max_length=10)

    @property
    def github_repository(self) -> str:
        """``owner/name`` (GitHub's OIDC ``sub`` claim names the repository this way)."""
        match = GITHUB_REPO.match(self.repo_url)
        assert match is not None  # the field validator guarantees it
        return f"{match.group(1)}/{match.group(2)}"


class Source(Strict):
    git: GitSource


class Public(Strict):
    subdomain: DnsLabel


class AppEnvironment(Strict):
    enabled: bool = True
    replicas: int | None = Field(default=None, ge=0, le=50)
    image_tag: Annotated[str, AfterValidator(_pattern(re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"), "a container image tag"))] | None = None
    image_update: Literal["semver", "newest-build", "none"] | None = None


class Resources(Strict):
    cpu: Annotated[str, AfterValidator(_pattern(re.compile(r"^\d+m?$"), "a CPU quantity like 250m"))] = "250m"
    memory: Annotated[str, AfterValidator(_pattern(re.compile(r"^\d+(Mi|Gi)$"), "a memory quantity like 256Mi"))] = "256Mi"


# Histogram bucket bounds a latency objective can be measured at (an SLO needs an exact `le`):
# Kong's prometheus plugin (kong/plugins/prometheus/exporter.lua, DEFAULT_BUCKETS, ms) and the
# Prometheus client libraries' default buckets (s) for apps not behind Kong.
KONG_LATENCY_BUCKETS_MS = (1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 300, 400, 500, 750, 1000, 2000, 5000, 10000, 30000, 60000)
CLIENT_LATENCY_BUCKETS_MS = (5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000)


class Slo(Strict):
    """Service level objectives of an app, alerted on with multi-window burn rates."""

    availability: float = Field(default=99.5, gt=50, lt=100)  # % of requests without a 5xx
    latency_ms: int = 1000  # requests faster than this ...
    latency_percent: float = Field(default=99.0, gt=50, lt=100)  # ... make up at least this %


class App(Strict):
    name: DnsLabel
    owner: Annotated[str, AfterValidator(_pattern(re.compile(r"^[A-Za-z0-9 ._:/=+@-]{1,128}$"), "a tag value"))]
    kind: Literal["stateless", "stateful"]
    source: Source
    port: int = Field(ge=1024, le=65535)
    replicas: int = Field(default=2, ge=0, le=50)
    image_tag: Annotated[str, AfterValidator(_pattern(re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"), "a container image tag"))] = "0.1.0"
    image_update: Literal["semver", "newest-build", "none"] = "semver"
    storage_gib: int | None = Field(default=None, ge=1, le=16384)
    public: Public | None = None
    database: Database | None = None
    secrets: list[SecretSpec] = Field(default_factory=list)
    dashboard: bool = True
    resources: Resources = Resources()
    slo: Slo = Slo()  # defaults apply to apps that declare none
    environments: dict[str, AppEnvironment] = Field(default_factory=dict)

    @property
    def latency_buckets_ms(self) -> tuple[int, ...]:
        """Bucket bounds of the histogram its latency SLO is measured on (Kong's if public)."""
        return KONG_LATENCY_BUCKETS_MS if self.public is not None else CLIENT_LATENCY_BUCKETS_MS

    @model_validator(mode="after")
    def _kind_storage(self) -> App:
        if self.kind == "stateful" and self.storage_gib is None:
            raise ValueError("stateful apps need storage_gib (the size of their volume)")
        if self.kind == "stateless" and self.storage_gib is not None:
            raise ValueError("stateless apps cannot have storage_gib; use kind: stateful")
        if len({s.name for s in self.secrets}) != len(self.secrets):
            raise ValueError("secret names must be unique")
        return self

    def settings_for(self, env: str) -> AppEnvironment:
        return self.environments.get(env, AppEnvironment())
