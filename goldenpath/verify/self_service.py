"""Rules of the self-service path (issue 16): image updates and team projects.

Argo CD Image Updater 1.x reads ``ImageUpdater`` resources; a wrong image name or write-back
target fails at run time only (no update, or a commit to a path nothing syncs), so both are
checked against what Terraform and the Applications declare.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from typing import Any

import yaml

from goldenpath.verify import kustomize
from goldenpath.verify.artifacts import Artifacts, Manifest
from goldenpath.verify.index import Index, sources
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/(?P<repo>[^:@]+)$")
SOURCE_PATHS_ANNOTATION = "goldenpath.io/source-paths"
GLOB_CHARS = frozenset("*?[")  # fnmatch's only special characters


def _v(manifest: Manifest, rule_id: str, message: str) -> Violation:
    return Violation(manifest.file, f"{manifest.kind}/{manifest.name}", rule_id, message)


def _refs(updater: Manifest) -> list[dict[str, Any]]:
    return [r for r in (updater.obj.get("spec") or {}).get("applicationRefs") or [] if isinstance(r, dict)]


def _images(ref: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in ref.get("images") or [] if isinstance(i, dict)]


@rule("image-update-repository", "consistency")
def image_update_repository(a: Artifacts) -> Iterator[Violation]:
    """Every image an ImageUpdater tracks (and the kustomize image it sets) is an ECR repository
    Terraform declares: otherwise the updater polls a registry that has no such repository and
    the app never gets a new image (issue 16: no app image was ever updated)."""
    declared = Index(a).ecr_repositories
    for updater in a.of_kind("ImageUpdater"):
        for ref in _refs(updater):
            for image in _images(ref):
                names = [str(image.get("imageName", ""))]
                kustomize = (image.get("manifestTargets") or {}).get("kustomize") or {}
                if kustomize:
                    names.append(str(kustomize.get("name", "")))
                for name in names:
                    match = ECR_IMAGE.match(name)
                    if not match or match.group("repo") not in declared:
                        yield _v(updater, "image-update-repository", f"image {name!r} is not an ECR repository Terraform declares")


def _write_back(updater: Manifest, ref: dict[str, Any]) -> dict[str, Any]:
    spec = updater.obj.get("spec") or {}
    return ref.get("writeBackConfig") or spec.get("writeBackConfig") or {}


@rule("image-update-write-back", "consistency")
def image_update_write_back(a: Artifacts) -> Iterator[Violation]:
    """Image updates are written to git, on the branch and under the path the matched Application
    syncs, into a kustomization that has the tracked image: anything else is either lost on the
    next sync (method argocd) or a commit nothing deploys."""
    index = Index(a)
    by_name: dict[str, dict[str, list[Manifest]]] = {}  # env -> Application name -> Applications
    for env, apps in index.applications.items():
        for app in apps:
            by_name.setdefault(env, {}).setdefault(app.name, []).append(app)
    for updater in a.of_kind("ImageUpdater"):
        apps = index.applications.get(updater.env, [])
        for ref in _refs(updater):
            pattern = str(ref.get("namePattern", ""))
            if GLOB_CHARS.isdisjoint(pattern):  # a plain name (one updater per app): a lookup, not a scan of every Application
                matched = list(by_name.get(updater.env, {}).get(pattern, []))
            else:
                matched = [app for app in apps if fnmatch.fnmatchcase(app.name, pattern)]
            if len(matched) != 1:
                yield _v(updater, "image-update-write-back", f"namePattern {ref.get('namePattern')!r} matches {len(matched)} Applications (expected exactly one)")
                continue
            config = _write_back(updater, ref)
            git = config.get("gitConfig") or {}
            if config.get("method") != "git":
                yield _v(updater, "image-update-write-back", f"write-back method {config.get('method')!r} is not git: updates would not be in the repository")
                continue
            source = next(iter(sources(matched[0])), {})
            if git.get("branch") != source.get("targetRevision"):
                yield _v(updater, "image-update-write-back", f"branch {git.get('branch')!r} is not the one {matched[0].name} syncs ({source.get('targetRevision')!r})")
            if git.get("repository") not in (None, source.get("repoURL")):
                yield _v(updater, "image-update-write-back", f"repository {git.get('repository')!r} is not the one {matched[0].name} syncs")
            kind, _, target = str(git.get("writeBackTarget", "")).partition(":")
            app_path = str(source.get("path", ""))
            resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(app_path, target))
            if kind != "kustomization" or resolved != posixpath.normpath(app_path):
                yield _v(updater, "image-update-write-back", f"writeBackTarget {git.get('writeBackTarget')!r} resolves to {resolved!r}, not the path {matched[0].name} syncs ({app_path!r})")
                continue
            kustomization = _kustomization(a, updater.env, app_path)
            wanted = {str(((i.get("manifestTargets") or {}).get("kustomize") or {}).get("name")) for i in _images(ref)}
            present = {str(i.get("name")) for i in (kustomization or {}).get("images") or []}
            if not wanted <= present:
                yield _v(updater, "image-update-write-back", f"the kustomization at {app_path} has no images entry for {', '.join(sorted(wanted - present))}")


def _kustomization(a: Artifacts, env: str, app_path: str) -> dict[str, Any] | None:
    """The kustomization.yaml of a platform-repo path (``dist/gitops/<env>/...``), if rendered."""
    marker = f"/{env}/"
    if marker not in f"/{app_path}/":
        return None
    relative = env + "/" + f"/{app_path}/".split(marker, 1)[1].rstrip("/") + "/kustomization.yaml"
    path = a.gitops_root / relative
    if not path.is_file():
        return None
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=kustomize.YAML_LOADER)  # libyaml: one file per app
    return loaded if isinstance(loaded, dict) else None


@rule("team-source-paths", "consistency")
def team_source_paths(a: Artifacts) -> Iterator[Violation]:
    """Applications of a team's AppProject sync only the paths its project lists (Argo CD cannot
    limit a project to paths of a repository, so a team's app could otherwise sync another
    team's or the platform's directory)."""
    projects = {(p.env, p.name): p for p in a.of_kind("AppProject")}
    listed: dict[tuple[str, str], set[str]] = {}  # a team project lists a path per app: split it once, not per app
    for app in a.of_kind("Application"):
        key = (app.env, str((app.obj.get("spec") or {}).get("project", "")))
        project = projects.get(key)
        annotations = ((project.obj.get("metadata") or {}).get("annotations") or {}) if project else {}
        if SOURCE_PATHS_ANNOTATION not in annotations:
            continue
        if key not in listed:
            listed[key] = {p for p in str(annotations[SOURCE_PATHS_ANNOTATION]).split(",") if p}
        allowed = listed[key]
        for source in sources(app):
            path = source.get("path")
            if path is None or str(path).rstrip("/") not in allowed:
                yield _v(app, "team-source-paths", f"syncs {path!r}, not a path of project {project.name if project else '?'} ({', '.join(sorted(allowed)) or 'none'})")
