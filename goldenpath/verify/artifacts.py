"""Load the two artifact trees into indexed, read-only structures.

Terraform: ``<terraform>/stacks/<stack>/cdk.tf.json``. GitOps: ``<gitops>/<env>/**.yaml`` where
``values/`` holds Helm values (data, not manifests) and every other YAML file is one manifest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from goldenpath import trees
from goldenpath.verify import kustomize, optimize
from goldenpath.verify.report import UnusableInput


@dataclass(frozen=True)
class TfBlock:
    """One resource or data source of a stack."""

    stack: str
    mode: str  # "resource" or "data"
    type: str
    name: str
    body: dict[str, Any]
    file: str

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


@dataclass
class TfStack:
    name: str
    file: str
    document: dict[str, Any]

    @cached_property
    def environment(self) -> str | None:
        """The env of the stack from the AWS provider's default ``Environment`` tag."""
        return trees.stack_environment(self.document)

    def blocks(self) -> Iterator[TfBlock]:
        if optimize.enabled():
            return iter(self._blocks)
        return self._make_blocks()

    def of_type(self, mode: str, rtype: str) -> list[TfBlock]:
        """The stack's blocks of one mode and type, in :meth:`blocks` order."""
        if optimize.enabled():
            return self._by_type.get((mode, rtype), [])
        return [b for b in self._make_blocks() if b.mode == mode and b.type == rtype]

    def _make_blocks(self) -> Iterator[TfBlock]:
        for mode in ("resource", "data"):
            for rtype, items in sorted(self.document.get(mode, {}).items()):
                for name, body in sorted(items.items()):
                    yield TfBlock(self.name, mode, rtype, name, body, self.file)

    # Made once: rules ask for the blocks of a type per env, and sorting the stack each time made
    # every such question cost the whole stack (per Ingress, per ExternalSecret: quadratic).
    @cached_property
    def _blocks(self) -> tuple[TfBlock, ...]:
        return tuple(self._make_blocks())

    @cached_property
    def _by_type(self) -> dict[tuple[str, str], list[TfBlock]]:
        found: dict[tuple[str, str], list[TfBlock]] = {}
        for block in self._blocks:
            found.setdefault((block.mode, block.type), []).append(block)
        return found


@dataclass(frozen=True)
class Manifest:
    env: str
    file: str  # relative to the gitops root, e.g. dev/apps/application-dev-kong.yaml
    obj: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.obj.get("metadata") or {}).get("name", ""))

    @property
    def namespace(self) -> str:
        return str((self.obj.get("metadata") or {}).get("namespace", ""))

    @property
    def ref(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)


class TerraformNotLoaded(RuntimeError):
    """A rule read the Terraform half of artifacts loaded without it (:func:`load` with no
    Terraform root): it is not one of the GitOps-only rules (goldenpath.verify.engine)."""

    def __init__(self) -> None:
        super().__init__("these artifacts were loaded without the Terraform half")


class _NoStacks(dict[str, "TfStack"]):
    """The stacks of a GitOps-only load: every read raises, none can look like "no stacks"."""

    def _refuse(self, *_args: object, **_kwargs: object) -> Any:
        raise TerraformNotLoaded

    __getitem__ = __iter__ = __len__ = __contains__ = get = keys = values = items = _refuse  # type: ignore[assignment]


@dataclass
class Artifacts:
    terraform_root: Path | None  # None: loaded without the Terraform half (stacks raise on reads)
    gitops_root: Path
    stacks: dict[str, TfStack] = field(default_factory=dict)
    manifests: list[Manifest] = field(default_factory=list)
    values: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (env, file stem) -> values
    values_files: dict[str, str] = field(default_factory=dict)  # repo-relative path suffix -> gitops file
    cache: dict[str, Any] = field(default_factory=dict)  # facts computed once per load (e.g. chart renders)
    build_errors: list[tuple[str, str, str]] = field(default_factory=list)  # (env, file, why Argo CD cannot build it)
    config: Any = None  # the PlatformConfig the artifacts were rendered from, when the caller has it

    def terraform_dir(self) -> Path:
        """The Terraform root; a GitOps-only load has none (TerraformNotLoaded)."""
        if self.terraform_root is None:
            raise TerraformNotLoaded
        return self.terraform_root

    @property
    def environments(self) -> list[str]:
        return sorted({m.env for m in self.manifests} | {env for env, _ in self.values})

    def blocks(self, rtype: str | None = None, env: str | None = None, mode: str = "resource") -> Iterator[TfBlock]:
        for stack in self.stacks.values():
            if env is not None and stack.environment != env:
                continue
            if rtype is not None:
                yield from stack.of_type(mode, rtype)
                continue
            for block in stack.blocks():
                if block.mode == mode and (rtype is None or block.type == rtype):
                    yield block

    def of_kind(self, kind: str, env: str | None = None) -> list[Manifest]:
        """The manifests of a kind (of one env), in tree order. Indexed once per manifest list:
        rules ask per object ("the ClusterIssuers of this Ingress's env"), and a scan per question
        made them quadratic in the number of apps. A fresh list each call (callers may extend it)."""
        if not optimize.enabled():
            return [m for m in self.manifests if m.kind == kind and (env is None or m.env == env)]
        return list(self._kind_index().get((kind, env), ()))

    def in_env(self, env: str) -> list[Manifest]:
        """The manifests of one env, in tree order (a fresh list)."""
        if not optimize.enabled():
            return [m for m in self.manifests if m.env == env]
        return list(self._kind_index().get((None, env), ()))

    def _kind_index(self) -> dict[tuple[str | None, str | None], list[Manifest]]:
        # Keyed by the list object and its length: load() replaces the list while it builds it.
        stamp = (id(self.manifests), len(self.manifests))
        cached = self.cache.get("kind-index")
        if cached is None or cached[0] != stamp:
            index: dict[tuple[str | None, str | None], list[Manifest]] = {}
            for m in self.manifests:
                kind = m.kind
                index.setdefault((kind, None), []).append(m)
                index.setdefault((kind, m.env), []).append(m)
                index.setdefault((None, m.env), []).append(m)
            cached = (stamp, index)
            self.cache["kind-index"] = cached
        return cached[1]  # type: ignore[no-any-return]


def load(terraform_root: Path | None, gitops_root: Path) -> Artifacts:
    """Both trees; with ``terraform_root`` None only the GitOps tree (what the GitOps-only rules
    read, in the process that rendered it: orchestration/pipeline.py)."""
    optimize.refresh()
    gitops_root = Path(gitops_root)
    if terraform_root is not None and not (Path(terraform_root) / "stacks").is_dir():
        raise UnusableInput(f"{terraform_root}: no stacks/ directory (run `make synth` first?)")
    if not gitops_root.is_dir():
        raise UnusableInput(f"{gitops_root}: not a directory")
    if terraform_root is None:
        artifacts = Artifacts(None, gitops_root, stacks=_NoStacks())
    else:
        artifacts = Artifacts(Path(terraform_root), gitops_root)
        _load_terraform(artifacts, Path(terraform_root))
    _load_gitops(artifacts)
    return artifacts


def _load_terraform(artifacts: Artifacts, terraform_root: Path) -> None:
    stacks_dir = terraform_root / "stacks"
    for stack_file in trees.stack_files(terraform_root):
        rel = str(stack_file.relative_to(terraform_root))
        try:
            document = json.loads(stack_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UnusableInput(f"{rel}: cannot read Terraform JSON ({exc})") from None
        if not isinstance(document, dict):
            raise UnusableInput(f"{rel}: Terraform JSON must be an object")
        artifacts.stacks[stack_file.parent.name] = TfStack(stack_file.parent.name, rel, document)
    if not artifacts.stacks:
        raise UnusableInput(f"{stacks_dir}: no */cdk.tf.json files")


def _load_gitops(artifacts: Artifacts) -> None:
    gitops_root = artifacts.gitops_root
    for env, path, rel, is_values in trees.gitops_files(gitops_root):
        try:
            docs = trees.documents(path)
        except (OSError, yaml.YAMLError) as exc:
            raise UnusableInput(f"{rel}: cannot parse YAML ({str(exc).splitlines()[0]})") from None
        if is_values:
            artifacts.values[(env, path.stem)] = docs[0] if docs else {}
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                raise UnusableInput(f"{rel}: a manifest must be a mapping")
            artifacts.manifests.append(Manifest(env, rel, doc))
    if not artifacts.manifests:
        raise UnusableInput(f"{gitops_root}: no manifests found")
    _as_argocd_applies(artifacts)


def _synced_directories(manifests: list[Manifest]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(env, gitops-root-relative directory) -> the Application sources that sync it."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for m in manifests:
        if m.kind != "Application":
            continue
        spec = m.obj.get("spec") or {}
        for source in spec.get("sources") or ([spec["source"]] if isinstance(spec.get("source"), dict) else []):
            path = str((source or {}).get("path") or "")
            if f"/{m.env}/" in f"/{path}":
                rel = f"{m.env}/" + f"/{path}".split(f"/{m.env}/", 1)[1].strip("/")
                found.setdefault((m.env, rel.rstrip("/")), []).append(source)
    return found


def _as_argocd_applies(artifacts: Artifacts) -> None:
    """Replace the manifests of every synced Kustomize directory by what ``kustomize build`` (plus
    the Application's image overrides) makes of it: files a kustomization does not list are never
    applied, and images: overrides change what runs (:mod:`goldenpath.verify.kustomize`).

    Directories are built in sorted order and each build replaces everything then under its
    directory (the originals and what earlier builds put there). That is computed in one pass at
    the end, not by filtering the whole list per directory (quadratic in the number of apps): an
    object survives unless a directory built after its own step is one of its ancestors."""
    root = artifacts.gitops_root
    resolved = root.resolve()  # once, not per built object (a resolve is a syscall per path component)
    step_of: dict[tuple[str, str], int] = {}  # (env, "dir/") -> the step that replaced it
    built_by_step: list[list[Manifest]] = []
    for (env, directory), app_sources in sorted(_synced_directories(artifacts.manifests).items()):
        path = root / directory
        if kustomize.kustomization_file(path) is None:
            continue
        images = [i for source in app_sources for i in ((source.get("kustomize") or {}).get("images") or [])]
        try:
            built = kustomize.build(path, images)
        except kustomize.BuildError as exc:
            artifacts.build_errors.append((env, f"{directory}/kustomization.yaml", str(exc).replace(f"{root}/", "")))
            continue
        step_of[(env, f"{directory}/")] = len(built_by_step)
        built_by_step.append([Manifest(env, str(file.relative_to(resolved)), obj) for file, obj in built.objects])
    if not built_by_step:
        return

    def survives(m: Manifest, step: int) -> bool:
        file = m.file
        at = file.find("/")
        while at != -1:
            replaced = step_of.get((m.env, file[: at + 1]))
            if replaced is not None and replaced > step:
                return False
            at = file.find("/", at + 1)
        return True

    artifacts.manifests = [m for m in artifacts.manifests if survives(m, -1)] + [
        m for step, objects in enumerate(built_by_step) for m in objects if survives(m, step)
    ]
