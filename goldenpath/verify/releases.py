"""The Helm releases the artifacts ask for, rendered as their consumer renders them.

Read from the artifacts only: every Application source with a ``chart`` (release name,
destination namespace, value files in order, inline values) and every Terraform
``helm_release`` (the bootstrap stack). The env's Kubernetes version comes from its
``aws_eks_cluster``; the API versions are the built-in ones plus those of every
CustomResourceDefinition the env's renders install (a fixed point: a chart that gates a
ServiceMonitor on ``monitoring.coreos.com/v1`` sees the CRD kube-prometheus-stack ships).

``releases(artifacts)`` is computed once per Artifacts object and shared by every rule.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldenpath import charts, helm_render, schemas, trees
from goldenpath.trees import as_list
from goldenpath.verify.artifacts import Artifacts, Manifest
from goldenpath.verify.index import sources

DEFAULT_KUBE_VERSION = "1.33"


@dataclass
class Release:
    env: str
    owner: Manifest  # the Application, or a stand-in for a Terraform helm_release
    chart: str
    repository: str
    version: str
    name: str
    namespace: str
    values: dict[str, Any]
    by_terraform: bool = False
    archive: Path | None = None
    render: helm_render.Render | None = None
    error: str | None = None
    kube_version: str = DEFAULT_KUBE_VERSION
    api_versions: tuple[str, ...] = field(default=(), repr=False)

    @property
    def objects(self) -> list[helm_render.RenderedObject]:
        return list(self.render.objects) if self.render else []

    def request(self, values: dict[str, Any] | None = None) -> helm_render.Request:
        assert self.archive is not None
        return helm_render.Request(self.archive, self.values if values is None else values, self.name, self.namespace, f"v{self.kube_version}.0", self.api_versions)

    def namespace_of(self, obj: dict[str, Any]) -> str:
        """Where Argo CD / Helm puts a namespaced object without metadata.namespace."""
        return str((obj.get("metadata") or {}).get("namespace") or self.namespace)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's coalescing of several value files: maps merge, everything else is replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def releases(a: Artifacts) -> list[Release]:
    cached = a.cache.get("releases")
    if cached is None:
        cached = _build(a)
        a.cache["releases"] = cached
    return cached  # type: ignore[no-any-return]


def lock_path(a: Artifacts) -> Path:
    return Path(a.cache.get("charts_lock", charts.LOCK_FILE))


def _build(a: Artifacts) -> list[Release]:
    found = _from_applications(a) + _from_terraform(a)
    try:
        lock = charts.read_lock(lock_path(a))
    except charts.ChartCacheError as exc:
        for release in found:
            release.error = str(exc)
        return found
    for release in found:
        try:
            release.archive = charts.locate(release.chart, release.version, owner=f"{release.owner.ref}", lock=lock)
        except charts.ChartCacheError as exc:
            release.error = str(exc)
    builtins = helm_render.builtin_api_versions(schemas.crd_dir() / "kubernetes" / f"k8s-v{schemas.KUBERNETES_VERSION}-definitions.json")
    for env in sorted({r.env for r in found}):
        in_env = [r for r in found if r.env == env and r.archive is not None]
        api_versions: tuple[str, ...] = builtins
        for _ in range(4):  # converges in two rounds: CRDs do not depend on API versions
            crds: set[str] = set()
            for release in in_env:
                release.api_versions = api_versions
                _render(release)
                crds |= helm_render.crd_api_versions([o.obj for o in release.objects])
            wanted = tuple(sorted(set(builtins) | crds))
            if wanted == api_versions:
                break
            api_versions = wanted
    helm_render.record_recent()
    return found


def _render(release: Release) -> None:
    try:
        release.render, release.error = helm_render.render(release.request()), None
    except helm_render.RenderError as exc:
        release.render, release.error = None, str(exc)


def _kube_version(a: Artifacts, env: str) -> str:
    for block in a.blocks("aws_eks_cluster", env):
        if block.body.get("version"):
            return str(block.body["version"])
    return DEFAULT_KUBE_VERSION


def _from_applications(a: Artifacts) -> list[Release]:
    found: list[Release] = []
    for app in a.of_kind("Application"):
        spec = app.obj.get("spec") or {}
        namespace = str((spec.get("destination") or {}).get("namespace") or "")
        for source in sources(app):
            if not source.get("chart"):
                continue
            helm = source.get("helm") or {}
            values: dict[str, Any] = {}
            missing = []
            for value_file in helm.get("valueFiles") or []:
                stem = str(value_file).rsplit("/", 1)[-1].removesuffix(".yaml")
                if not str(value_file).endswith(f"/{app.env}/values/{stem}.yaml") or (app.env, stem) not in a.values:
                    missing.append(str(value_file))
                    continue
                values = deep_merge(values, a.values[(app.env, stem)] or {})
            inline = helm.get("valuesObject") or (trees.parse_text(helm["values"]) if isinstance(helm.get("values"), str) else None)
            if isinstance(inline, dict):
                values = deep_merge(values, inline)
            release = Release(
                app.env, app, str(source["chart"]), str(source.get("repoURL", "")), str(source.get("targetRevision", "")),
                str(helm.get("releaseName") or app.name), namespace, values, kube_version=_kube_version(a, app.env),
            )
            if missing:
                release.error = f"value files not in the tree: {', '.join(missing)}"
            found.append(release)
    return found


def _from_terraform(a: Artifacts) -> list[Release]:
    found: list[Release] = []
    for block in a.blocks("helm_release"):
        stack = a.stacks[block.stack]
        env = stack.environment
        if env is None:
            continue
        values: dict[str, Any] = {}
        for text in as_list(block.body.get("values")):
            document = trees.parse_text(text) if isinstance(text, str) else None
            if isinstance(document, dict):
                values = deep_merge(values, document)
        owner = Manifest(env, block.file, {"kind": "helm_release", "metadata": {"name": f"{block.stack}.{block.name}"}})
        found.append(
            Release(
                env, owner, str(block.body.get("chart", "")), str(block.body.get("repository", "")), str(block.body.get("version", "")),
                str(block.body.get("name", "")), str(block.body.get("namespace") or "default"), values, by_terraform=True,
                kube_version=_kube_version(a, env),
            )
        )
    return found
