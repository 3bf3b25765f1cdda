"""Facts the consistency rules share, derived from the artifacts only.

Everything here is read the way Terraform and Argo CD read it: secrets and their key sets from
``aws_secretsmanager_secret_version.secret_string``, role trust from ``assume_role_policy``, the
env branch and repository from the root Application Terraform installs, objects' owners from
the Applications' source paths.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml

from goldenpath import trees
from goldenpath.trees import as_list
from goldenpath.verify import optimize
from goldenpath.verify.artifacts import Artifacts, Manifest, TfBlock

_REF = re.compile(r"^\$\{aws_(?:iam_role|secretsmanager_secret)\.([A-Za-z0-9_-]+)\.(?:id|name|arn)\}$")


@dataclass(frozen=True)
class TfSecret:
    name: str
    keys: frozenset[str] | None  # None: no readable version (key set unknown)
    block: TfBlock


@dataclass
class TfRole:
    name: str
    block: TfBlock
    trust: list[dict[str, Any]] = field(default_factory=list)  # statements
    policies: list[dict[str, Any]] = field(default_factory=list)  # statements of inline policies

    def subjects(self) -> set[str]:
        found: set[str] = set()
        for statement in self.trust:
            if statement.get("Effect") != "Allow" or "sts:AssumeRoleWithWebIdentity" not in as_list(statement.get("Action")):
                continue
            for op in ("StringEquals", "StringLike"):
                for key, value in (statement.get("Condition", {}).get(op) or {}).items():
                    if key.endswith(":sub"):
                        found.update(f"{op}:{v}" if op == "StringLike" else v for v in as_list(value))
        return found


@dataclass(frozen=True)
class RootApp:
    repo_url: str
    branch: str
    path: str  # e.g. dist/gitops/dev/apps

    @property
    def tree_prefix(self) -> str:
        """Repository path of the gitops root (``dist/gitops/``), from ``<prefix><env>/apps``."""
        parts = self.path.rstrip("/").split("/")
        return "/".join(parts[:-2]) + "/" if len(parts) > 2 else ""


class Index:
    """Facts derived from the artifacts, computed once per Artifacts object: ``Index(a)`` returns
    the same instance to every rule (unless GOLDENPATH_OPTIMIZE=0), so no rule rebuilds the
    secrets, roles or the directory -> owners map another rule already built."""

    def __new__(cls, artifacts: Artifacts) -> Index:
        if optimize.enabled():
            shared = artifacts.cache.get("index")
            if isinstance(shared, cls) and shared.a is artifacts:
                return shared
        self = super().__new__(cls)
        self.a = artifacts
        if optimize.enabled():
            artifacts.cache["index"] = self
        return self

    def __init__(self, artifacts: Artifacts):
        self.a = artifacts

    # --- Terraform ---------------------------------------------------------------------------

    @cached_property
    def secrets(self) -> dict[str, dict[str, TfSecret]]:
        """env -> secret name -> secret (with the key set of its version's JSON)."""
        result: dict[str, dict[str, TfSecret]] = {}
        for stack in self.a.stacks.values():
            env = stack.environment or "global"
            by_id = {b.name: b for b in stack.blocks() if b.mode == "resource" and b.type == "aws_secretsmanager_secret"}
            keys: dict[str, frozenset[str]] = {}
            for block in stack.blocks():
                if block.mode != "resource" or block.type != "aws_secretsmanager_secret_version":
                    continue
                match = _REF.match(str(block.body.get("secret_id", "")))
                try:
                    data = json.loads(block.body.get("secret_string", ""))
                except (TypeError, ValueError):
                    continue
                if match and isinstance(data, dict):
                    keys[match.group(1)] = frozenset(data)
            for logical, block in by_id.items():
                name = str(block.body.get("name", ""))
                result.setdefault(env, {})[name] = TfSecret(name, keys.get(logical), block)
        return result

    @cached_property
    def roles(self) -> dict[str, dict[str, TfRole]]:
        """env -> role name -> role with trust and inline policy statements."""
        result: dict[str, dict[str, TfRole]] = {}
        cross: list[tuple[str, str, TfBlock]] = []  # (env, role name fragment, policy block)
        for stack in self.a.stacks.values():
            env = stack.environment or "global"
            by_logical: dict[str, TfRole] = {}
            for block in stack.blocks():
                if block.mode == "resource" and block.type == "aws_iam_role":
                    role = TfRole(str(block.body.get("name", "")), block, _statements(block.body.get("assume_role_policy")))
                    by_logical[block.name] = role
                    result.setdefault(env, {})[role.name] = role
            for block in stack.blocks():
                if block.mode != "resource" or block.type != "aws_iam_role_policy":
                    continue
                ref = str(block.body.get("role", ""))
                match = _REF.match(ref)
                if match and match.group(1) in by_logical:
                    by_logical[match.group(1)].policies.extend(_statements(block.body.get("policy")))
                else:
                    cross.append((env, ref, block))
        for env, ref, block in cross:
            # Cross-stack reference: ...outputs.cross-stack-output-aws_iam_role<logical>name
            for role in result.get(env, {}).values():
                if ref.endswith(f"aws_iam_role{role.block.name}name}}") or ref.endswith(f"aws_iam_role{role.block.name}id}}"):
                    role.policies.extend(_statements(block.body.get("policy")))
        return result

    def records(self, env: str) -> list[str]:
        if optimize.enabled():
            return self._per_env("records", env, lambda: [str(b.body.get("name", "")).rstrip(".") for b in self.a.blocks("aws_route53_record", env)])
        return [str(b.body.get("name", "")).rstrip(".") for b in self.a.blocks("aws_route53_record", env)]

    def covered(self, env: str, host: str) -> bool:
        """A Route53 record of the env's stacks covers ``host`` (exactly, or a ``*.`` wildcard one
        label up): a set lookup, where trying every record per host was quadratic."""
        if not optimize.enabled():
            return any(covers(record, host) for record in self.records(env))

        def build() -> tuple[set[str], set[str]]:
            records = self.records(env)
            return {r for r in records if not r.startswith("*.")}, {r for r in records if r.startswith("*.")}

        exact, wildcards = self._per_env("record-sets", env, build)
        dot = host.find(".")
        return host in exact or (dot != -1 and "*" + host[dot:] in wildcards)

    def _per_env(self, what: str, env: str, build):  # type: ignore[no-untyped-def]
        cache = self.__dict__.setdefault("_env_facts", {})
        if (what, env) not in cache:
            cache[(what, env)] = build()
        return cache[(what, env)]

    @cached_property
    def zones(self) -> list[str]:
        zones = [str(b.body.get("name", "")).rstrip(".") for b in self.a.blocks("aws_route53_zone")]
        zones += [str(b.body.get("name", "")).rstrip(".") for b in self.a.blocks("aws_route53_zone", mode="data") if b.body.get("name")]
        return zones

    def load_balancer_lookups(self, env: str) -> list[str]:
        return [str(b.body.get("name", "")) for b in self.a.blocks("aws_lb", env, mode="data")]

    def db_identifiers(self, env: str) -> list[str]:
        if optimize.enabled():
            return list(self._per_env("db-identifiers", env, lambda: [str(b.body.get("identifier", "")) for b in self.a.blocks("aws_db_instance", env)]))
        return [str(b.body.get("identifier", "")) for b in self.a.blocks("aws_db_instance", env)]

    @cached_property
    def ecr_repositories(self) -> set[str]:
        return {str(b.body.get("name", "")) for b in self.a.blocks("aws_ecr_repository")}

    @cached_property
    def root_apps(self) -> dict[str, RootApp]:
        """env -> the root Application Terraform installs: an entry of ``applications`` in the
        values of the env's argocd-apps helm_release (the chart renders each entry as an
        Application named by its key). An Application in the argo-cd release's ``extraObjects``
        does not count: that release creates the CRDs, so it could not install one."""
        found: dict[str, RootApp] = {}
        for stack in self.a.stacks.values():
            if not stack.environment:
                continue
            for block in stack.blocks():
                if block.mode != "resource" or block.type != "helm_release" or block.body.get("chart") != "argocd-apps":
                    continue
                for text in as_list(block.body.get("values")):
                    try:
                        values = trees.parse_text(text) if isinstance(text, str) else None
                    except yaml.YAMLError:
                        continue
                    applications = values.get("applications") if isinstance(values, dict) else None
                    if not isinstance(applications, dict):
                        continue
                    for _name, entry in sorted(applications.items(), key=lambda item: str(item[0])):
                        source = entry.get("source") if isinstance(entry, dict) else None
                        if isinstance(source, dict) and stack.environment not in found:
                            found[stack.environment] = RootApp(str(source.get("repoURL", "")), str(source.get("targetRevision", "")), str(source.get("path", "")))
        return found

    # --- GitOps ------------------------------------------------------------------------------

    @cached_property
    def applications(self) -> dict[str, list[Manifest]]:
        out: dict[str, list[Manifest]] = {}
        for m in self.a.of_kind("Application"):
            out.setdefault(m.env, []).append(m)
        return out

    def owners(self, manifest: Manifest) -> list[Manifest]:
        """Applications whose git sources include the manifest's directory (root app: apps/)."""
        owners: list[Manifest] = []
        directory = manifest.file.rsplit("/", 1)[0] + "/"
        root = self.root_apps.get(manifest.env)
        if root and directory == f"{root.path.removeprefix(root.tree_prefix).rstrip('/')}/":
            owners.append(Manifest(manifest.env, "<terraform root Application>", {"kind": "Application", "metadata": {"name": "root"}}))
        if optimize.enabled():
            owners.extend(self._apps_by_directory.get((manifest.env, directory), ()))
            return owners
        for app in self.applications.get(manifest.env, []):
            for path in self.source_dirs(app):
                if directory == path:
                    owners.append(app)
        return owners

    @cached_property
    def _apps_by_directory(self) -> dict[tuple[str, str], list[Manifest]]:
        """(env, directory) -> the Applications syncing it, in :meth:`owners` order. Every rule asks
        per object; scanning every Application per object was quadratic in the number of apps."""
        found: dict[tuple[str, str], list[Manifest]] = {}
        for env, apps in self.applications.items():
            for app in apps:
                for path in self.source_dirs(app):
                    found.setdefault((env, path), []).append(app)
        return found

    def source_dirs(self, app: Manifest) -> list[str]:
        """Gitops-root-relative directories an Application syncs from the platform repo."""
        root = self.root_apps.get(app.env)
        dirs = []
        for source in sources(app):
            path = source.get("path")
            if not path or (root and source.get("repoURL") != root.repo_url):
                continue
            prefix = root.tree_prefix if root else ""
            dirs.append(str(path).removeprefix(prefix).rstrip("/") + "/")
        return dirs

    def namespace_of(self, manifest: Manifest) -> str:
        """The object's namespace, or its owning Application's destination namespace."""
        if manifest.namespace:
            return manifest.namespace
        for owner in self.owners(manifest):
            dest = ((owner.obj.get("spec") or {}).get("destination") or {}).get("namespace")
            if dest:
                return str(dest)
        return ""


def covers(record: str, host: str) -> bool:
    """A DNS record name (``*.`` wildcards match exactly one label) covers ``host``."""
    if record.startswith("*."):
        suffix = record[1:]
        return host.endswith(suffix) and "." not in host[: -len(suffix)]
    return record == host


def sources(app: Manifest) -> list[dict[str, Any]]:
    spec = app.obj.get("spec") or {}
    if spec.get("sources"):
        return [s for s in spec["sources"] if isinstance(s, dict)]
    return [spec["source"]] if isinstance(spec.get("source"), dict) else []


def _statements(policy: Any) -> list[dict[str, Any]]:
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def walk(value: Any, path: tuple[Any, ...] = ()):  # type: ignore[no-untyped-def]
    """Yield (path, parent dict, key, value) for every mapping entry in nested data."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,), value, key, item
            yield from walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, path + (index,))


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = obj.get("spec") or {}
    template = (spec.get("jobTemplate") or {}).get("spec", {}).get("template") if obj.get("kind") == "CronJob" else spec.get("template")
    pod = (template or {}).get("spec") or {}
    return [c for c in (pod.get("containers") or []) + (pod.get("initContainers") or []) if isinstance(c, dict)]
