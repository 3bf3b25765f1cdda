"""Load and cross-validate ``config/``: the only way the rest of the code gets a model.

Per-file shape is checked by pydantic (:mod:`goldenpath.model`); rules that span several keys
or files (unique hosts, CIDRs that fit, AZs in the region, referenced components) are checked
here, where file names and line numbers are known. All problems are collected and raised
together as one :class:`ConfigError` so a user fixes them in one pass.
"""

from __future__ import annotations

import ipaddress
import math
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from goldenpath import derived_names, identifiers
from goldenpath.errors import ConfigError, ConfigIssue
from goldenpath.loader import LocatedDocument, load_yaml
from goldenpath.model import ADMIN_SECRETS, ALERTMANAGER_SECRET, COMPONENT_NAMES, HOSTED_COMPONENTS, REQUIRED_COMPONENTS, App, Platform

MAX_ENV_NAME = 10  # keeps derived names such as goldenpath-<env>-kong under AWS's 32-char LB limit
MAX_APP_NAME = 40


@dataclass(frozen=True)
class PlatformConfig:
    """The validated platform plus its applications, sorted by name."""

    platform: Platform
    apps: tuple[App, ...]
    root: Path
    _enabled: dict[str, tuple[App, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def environments(self) -> list[str]:
        return list(self.platform.environments)

    def apps_in(self, env: str) -> list[App]:
        """The apps enabled in ``env``, in name order (worked out once per env: renderers and
        the portal ask for every app, and at 2,000 apps asking anew was quadratic)."""
        if env not in self._enabled:
            self._enabled[env] = tuple(a for a in self.apps if a.settings_for(env).enabled)
        return list(self._enabled[env])

    def components_in(self, env: str) -> list[str]:
        overrides = self.platform.environments[env].components
        return [c for c in sorted(self.platform.components) if overrides.get(c) is None or overrides[c].enabled]

    def chart_version(self, env: str, component: str) -> str:
        override = self.platform.environments[env].components.get(component)
        if override is not None and override.chart_version:
            return override.chart_version
        return self.platform.components[component].chart.version


def load_config(root: Path) -> PlatformConfig:
    """Read ``<root>/platform.yaml`` and ``<root>/apps/*.yaml``; raise :class:`ConfigError`."""
    root = Path(root)
    platform_file = root / "platform.yaml"
    display = _display(platform_file)
    if not platform_file.is_file():
        raise ConfigError([ConfigIssue(display, 0, "", "file not found: the platform description is required")])
    _inside(root, platform_file, display)
    platform_doc = load_yaml(platform_file, display)
    platform = _validate(Platform, platform_doc)

    issues: list[ConfigIssue] = []
    apps: list[tuple[App, LocatedDocument]] = []
    app_dir = root / "apps"
    app_files = sorted(app_dir.glob("*.yaml")) + sorted(app_dir.glob("*.yml")) if app_dir.is_dir() else []
    for path in app_files:
        try:
            _inside(root, path, _display(path))
            doc = load_yaml(path, _display(path))
            apps.append((_validate(App, doc), doc))
        except ConfigError as exc:
            issues.extend(exc.issues)
    issues.extend(_check_platform(platform, platform_doc))
    issues.extend(_check_apps(platform, platform_doc, apps))
    issues.extend(derived_names.check(platform, platform_doc, apps))
    if issues:
        raise ConfigError(issues)
    return PlatformConfig(platform, tuple(a for a, _ in sorted(apps, key=lambda pair: pair[0].name)), root)


def _inside(root: Path, path: Path, display: str) -> None:
    """A config file is a file of config/ itself: a symlink may not lead out of it (to /dev/zero,
    another checkout's secrets, ...); regular-file and size checks happen when it is read."""
    try:
        resolved = path.resolve(strict=True)
        resolved.relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError):
        raise ConfigError([ConfigIssue(display, 0, "", "cannot resolve the file (a dangling or looping symlink?)")]) from None
    except ValueError:
        raise ConfigError([ConfigIssue(display, 0, "", f"is a symlink to {identifiers.shown(str(resolved))}, outside {root}; config files must live inside it")]) from None


def _display(path: Path) -> str:
    """The path as the user wrote it, relative to the working directory (a symlink is not followed)."""
    for base in (Path.cwd(), Path.cwd().resolve()):
        try:
            return str(Path(os.path.abspath(path)).relative_to(base))
        except ValueError:
            continue
    return str(path)


# --- pydantic errors -> located messages ------------------------------------------------------


def _validate(model: type[pydantic.BaseModel], doc: LocatedDocument) -> Any:
    if not isinstance(doc.data, dict):
        got = "an empty file" if doc.data is None else type(doc.data).__name__
        raise ConfigError([doc.issue((), f"must be a mapping of keys (got {got})")])
    try:
        return model.model_validate(doc.data)
    except pydantic.ValidationError as exc:
        raise ConfigError([doc.issue(tuple(e["loc"]), _message(model, e)) for e in exc.errors()]) from None


def _message(model: type[pydantic.BaseModel], error: Any) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    got = f"got {_show(value)}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, tuple(error["loc"][:-1]))
        return f"unknown key (allowed: {', '.join(allowed)})" if allowed else "unknown key"
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected} ({got})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    simple = {
        "string_type": "must be a string",
        "int_type": "must be an integer",
        "bool_type": "must be true or false",
        "list_type": "must be a list",
        "dict_type": "must be a mapping",
        "model_type": "must be a mapping",
        "model_attributes_type": "must be a mapping",
        "float_type": "must be a number",
    }
    if kind in simple:
        return f"{simple[kind]} ({got})"
    bounds = {
        "greater_than_equal": ("must be >=", "ge"),
        "less_than_equal": ("must be <=", "le"),
        "greater_than": ("must be >", "gt"),
        "less_than": ("must be <", "lt"),
    }
    if kind in bounds:
        text, key = bounds[kind]
        return f"{text} {ctx.get(key)} ({got})"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s) (got {ctx.get('actual_length')})"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} item(s) (got {ctx.get('actual_length')})"
    return f"{error['msg']} ({got})"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return identifiers.shown(str(value).lower() if isinstance(value, bool) else value)


def _allowed_keys(model: type[pydantic.BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found by walking ``loc`` through the annotations."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return sorted(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def _step(annotation: Any, part: Any) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    return None


# --- cross-field rules ------------------------------------------------------------------------


def _check_alerting(platform: Platform, doc: LocatedDocument) -> list[ConfigIssue]:
    """Receivers are named once, routes name receivers, and every receiver's secret key is a key
    of the declared kube-prometheus-stack ``alertmanager`` secret (so Terraform creates it)."""
    alerting = platform.alerting
    if alerting is None:
        return []
    issues: list[ConfigIssue] = []
    names = [r.name for r in alerting.receivers]
    if len(set(names)) != len(names):
        issues.append(doc.issue(("alerting", "receivers"), "receiver names must be unique"))
    for route in ("critical", "warning"):
        if getattr(alerting, route) not in names:
            issues.append(doc.issue(("alerting", route), f"names no receiver (receivers: {', '.join(names)})"))
    stack = platform.components.get("kube-prometheus-stack")
    secret = next((s for s in (stack.secrets if stack else []) if s.name == ALERTMANAGER_SECRET), None)
    for index, receiver in enumerate(alerting.receivers):
        if secret is None or receiver.secret_key not in secret.keys:
            issues.append(doc.issue(
                ("alerting", "receivers", index, "secret_key"),
                f"must be a key of the kube-prometheus-stack secret {ALERTMANAGER_SECRET!r} (declared keys: {', '.join(secret.keys) if secret else 'no such secret'})",
            ))
    return issues


def _check_platform_images(platform: Platform, doc: LocatedDocument) -> list[ConfigIssue]:
    """A component image in the account's own registry must be a repository global-ecr creates."""
    from goldenpath import naming  # noqa: PLC0415 (naming imports the model only; keep this module's imports light)

    issues: list[ConfigIssue] = []
    registry = naming.ecr_registry(platform)
    for name, component in sorted(platform.components.items()):
        image = component.image
        if image is None or image.registry != registry:
            continue
        expected = naming.ecr_repository(platform, name)
        if name not in naming.PLATFORM_IMAGE_COMPONENTS or image.repository != expected:
            issues.append(doc.issue(
                ("components", name, "image", "repository"),
                f"images in the account's ECR registry must be repositories the global-ecr stack creates (for {name}: "
                f"{expected if name in naming.PLATFORM_IMAGE_COMPONENTS else 'none'}; got {image.repository!r})",
            ))
    return issues


RESERVED_TEAM_NAMES = ("default", "platform")  # Argo CD's default project and the platform's own


def _check_teams(platform: Platform, doc: LocatedDocument) -> list[ConfigIssue]:
    """Team names become AppProject names, Argo CD roles and Backstage Groups: DNS labels."""
    issues: list[ConfigIssue] = []
    for name in platform.teams:
        if len(name) > MAX_APP_NAME or not _is_label(name):
            issues.append(doc.issue(("teams", name), f"team names must be DNS-1123 labels of at most {MAX_APP_NAME} characters (got {name!r})"))
        elif name in RESERVED_TEAM_NAMES:
            issues.append(doc.issue(("teams", name), f"{name!r} is reserved (Argo CD project names: {', '.join(RESERVED_TEAM_NAMES)})"))
    return issues


def _check_platform(platform: Platform, doc: LocatedDocument) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for name in platform.components:
        if name not in COMPONENT_NAMES:
            issues.append(doc.issue(("components", name), f"unknown component (allowed: {', '.join(COMPONENT_NAMES)})"))
    for name in REQUIRED_COMPONENTS:
        if name not in platform.components:
            issues.append(doc.issue(("components",), f"missing required component {name!r}"))
    issues += _check_alerting(platform, doc)
    issues += _check_teams(platform, doc)
    issues += _check_platform_images(platform, doc)
    for name in HOSTED_COMPONENTS:
        if name in platform.components and platform.components[name].host is None:
            issues.append(doc.issue(("components", name), f"{name} needs a `host` (its values carry its public URL)"))

    if len(set(platform.admin_principals)) != len(platform.admin_principals):
        issues.append(doc.issue(("admin_principals",), "admin principals must be unique (EKS allows one access entry per principal)"))

    networks: list[tuple[str, ipaddress.IPv4Network]] = []
    for env_name, env in platform.environments.items():
        at = ("environments", env_name)
        if len(env_name) > MAX_ENV_NAME or not _is_label(env_name):
            issues.append(doc.issue(at, f"environment names must be DNS-1123 labels of at most {MAX_ENV_NAME} characters (got {env_name!r})"))
        net = ipaddress.IPv4Network(env.network.cidr)
        if not 16 <= net.prefixlen <= 24:
            issues.append(doc.issue(at + ("network", "cidr"), f"prefix must be between /16 and /24 (got /{net.prefixlen})"))
        subnet_prefix = net.prefixlen + math.ceil(math.log2(2 * len(env.network.availability_zones)))
        if subnet_prefix > 28:
            issues.append(doc.issue(at + ("network", "cidr"), f"too small for a public and a private subnet in each of {len(env.network.availability_zones)} AZs (would need /{subnet_prefix}; AWS allows up to /28)"))
        for other_name, other in networks:
            if net.overlaps(other):
                issues.append(doc.issue(at + ("network", "cidr"), f"overlaps environment {other_name!r} ({other}); environments need disjoint ranges to be peered later"))
        networks.append((env_name, net))
        zones = env.network.availability_zones
        for index, zone in enumerate(zones):
            if not (zone.startswith(platform.region) and len(zone) == len(platform.region) + 1 and zone[-1].isalpha()):
                issues.append(doc.issue(at + ("network", "availability_zones", index), f"must be an availability zone of region {platform.region} such as {platform.region}a (got {zone!r})"))
        if len(set(zones)) != len(zones):
            issues.append(doc.issue(at + ("network", "availability_zones"), "availability zones must be unique"))
        groups = [g.name for g in env.cluster.node_groups]
        if len(set(groups)) != len(groups):
            issues.append(doc.issue(at + ("cluster", "node_groups"), "node group names must be unique"))
        for override in env.components:
            if override not in platform.components:
                issues.append(doc.issue(at + ("components", override), f"unknown component (defined: {', '.join(sorted(platform.components))})"))
            elif override in REQUIRED_COMPONENTS and not env.components[override].enabled:
                issues.append(doc.issue(at + ("components", override, "enabled"), f"{override} is required in every environment"))

    # A component whose chart otherwise ships a well-known default admin password on a public
    # host cannot be configured without its admin secret (model.ADMIN_SECRETS says which keys).
    for owner, (secret_name, keys) in sorted(ADMIN_SECRETS.items()):
        if owner not in platform.components:
            continue
        specs = platform.components[owner].secrets
        found = next(((i, s) for i, s in enumerate(specs) if s.name == secret_name), None)
        if found is None:
            needs = f"the key(s) {', '.join(keys)}" if isinstance(keys, tuple) else f"{keys} keys, the admin user's then the password's"
            issues.append(doc.issue(("components", owner, "secrets"), f"{owner} needs the admin secret {secret_name!r} with {needs} (otherwise the chart's default admin password ships)"))
        elif isinstance(keys, int) and len(found[1].keys) != keys:
            issues.append(doc.issue(("components", owner, "secrets", found[0], "keys"), f"{secret_name} needs exactly two keys, the admin user's then the password's (got {len(found[1].keys)})"))
        elif isinstance(keys, tuple) and not set(keys) <= set(found[1].keys):
            issues.append(doc.issue(("components", owner, "secrets", found[0], "keys"), f"{secret_name} needs the key(s) {', '.join(keys)} (got {', '.join(found[1].keys)})"))

    prefixes = [env.host_prefix for env in platform.environments.values()]
    if len(set(prefixes)) != len(prefixes):
        issues.append(doc.issue(("environments",), "host_prefix must differ between environments (hosts would collide)"))

    hosts: dict[str, str] = {}
    databases: dict[str, str] = {}
    for name, component in sorted(platform.components.items()):
        at = ("components", name)
        if component.host:
            if component.host in hosts:
                issues.append(doc.issue(at + ("host",), f"host {component.host!r} is already used by {hosts[component.host]}"))
            hosts[component.host] = f"component {name}"
        if component.database:
            if component.database.name in databases:
                issues.append(doc.issue(at + ("database", "name"), f"database {component.database.name!r} is already used by {databases[component.database.name]}"))
            databases[component.database.name] = f"component {name}"
    return issues


def _check_apps(platform: Platform, platform_doc: LocatedDocument, apps: list[tuple[App, LocatedDocument]]) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    hosts = {c.host: f"component {n}" for n, c in platform.components.items() if c.host}
    databases = {c.database.name: f"component {n}" for n, c in platform.components.items() if c.database}
    names: dict[str, str] = {}
    for app, doc in apps:
        if app.slo.latency_ms not in app.latency_buckets_ms:
            # An SLO needs an exact bucket bound (le): any other threshold matches no series.
            buckets = ", ".join(map(str, app.latency_buckets_ms))
            issues.append(doc.issue(("slo", "latency_ms"), f"must be a histogram bucket bound of the app's latency metric ({buckets}; got {app.slo.latency_ms})"))
    for app, doc in apps:
        stem = Path(doc.file).stem
        if stem != app.name:
            issues.append(doc.issue(("name",), f"must equal the file name {stem!r} so each app has exactly one file (got {app.name!r})"))
        if len(app.name) > MAX_APP_NAME:
            issues.append(doc.issue(("name",), f"must be at most {MAX_APP_NAME} characters (got {len(app.name)})"))
        if app.name in names:
            issues.append(doc.issue(("name",), f"app {app.name!r} is already defined in {names[app.name]}"))
        names.setdefault(app.name, doc.file)
        if app.name in platform.components:
            issues.append(doc.issue(("name",), f"{app.name!r} is a platform component name"))
        if app.owner not in platform.teams:
            declared = ", ".join(sorted(platform.teams)) or "none"
            issues.append(doc.issue(("owner",), f"must be a team declared under teams: in {platform_doc.file} (declared: {declared}; got {app.owner!r})"))
        if app.public:
            host = app.public.subdomain
            if host in hosts:
                issues.append(doc.issue(("public", "subdomain"), f"host {host!r} is already used by {hosts[host]}"))
            hosts.setdefault(host, f"app {app.name} ({doc.file})")
        if app.database:
            db = app.database.name
            if db in databases or db in ("postgres", "rdsadmin", "template0", "template1"):
                owner = databases.get(db, "PostgreSQL itself")
                issues.append(doc.issue(("database", "name"), f"database {db!r} is already used by {owner}"))
            databases.setdefault(db, f"app {app.name} ({doc.file})")
        for env_name in app.environments:
            if env_name not in platform.environments:
                issues.append(doc.issue(("environments", env_name), f"unknown environment (defined in {platform_doc.file}: {', '.join(platform.environments)})"))
    return issues


def _is_label(value: str) -> bool:
    return identifiers.DNS_LABEL.matches(value)
