"""Render a chart offline exactly as Argo CD does (``helm template --include-crds`` with the
release name, destination namespace, value files, and the destination cluster's Kubernetes
version and API versions), through Helm's own Go SDK (``helm-python-sdk``; no binary, no network).

Every render is done **twice**: charts that generate certificates or passwords (``genCA``,
``randAlphaNum``) produce a different manifest each time, which Argo CD shows as OutOfSync
forever unless the Application ignores those fields. The differing JSON pointers are kept.

Renders are cached under ``.gen/chart-renders/`` keyed by (archive digest, values, release,
namespace, kube version, API versions, renderer version): a synth whose values and chart
versions did not change pays nothing. Charts whose templates never read
``.Capabilities.APIVersions`` are keyed without the API versions (they cannot depend on them).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tarfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from goldenpath import charts, trees

CACHE_DIR = Path(os.environ.get("GOLDENPATH_RENDER_CACHE", charts.REPO / ".gen" / "chart-renders"))
# What is stored depends on this module's code: its hash is part of every cache key.
RENDERER_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML as the API server reads it: a bare ``=`` is the string "=", not PyYAML's
    ``tag:yaml.org,2002:value`` (kube-prometheus-stack's CRDs list ``=`` as an enum value)."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))
# Helm's releaseutil.SplitManifests separator: a `---` line, even with text glued after it.
_SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")


class RenderError(Exception):
    """The chart does not render (template error, NOTES.txt validation, values schema)."""


@dataclass(frozen=True)
class RenderedObject:
    template: str  # e.g. keycloak/templates/statefulset.yaml, or crds/<file> for crds/ objects
    obj: dict[str, Any]
    measured: int = -1  # trees.serialized_size(obj) when known (the render cache keeps it)

    @property
    def size(self) -> int:
        """The object's serialized size (trees.serialized_size)."""
        return self.measured if self.measured >= 0 else trees.serialized_size(self.obj)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(group, kind, namespace, name): an object's identity to the API server."""
        metadata = self.obj.get("metadata") or {}
        group = str(self.obj.get("apiVersion", "")).rpartition("/")[0]
        return (group, str(self.obj.get("kind", "")), str(metadata.get("namespace") or ""), str(metadata.get("name", "")))


@dataclass(frozen=True)
class Render:
    objects: tuple[RenderedObject, ...]
    unstable: tuple[tuple[tuple[str, str, str, str], str], ...]  # (object key, JSON pointer) differing between two renders
    key: str = ""  # the cache key: identifies everything the render depends on


@dataclass(frozen=True)
class Request:
    archive: Path
    values: dict[str, Any]
    release: str
    namespace: str
    kube_version: str  # "v1.33.0"
    api_versions: tuple[str, ...]


def load_chart(archive: Path) -> Any:
    """The loaded chart (``helm_python.Chart``), shared per archive digest within the process."""
    return _chart(str(archive), charts.digest(archive))


@functools.cache
def _chart(path: str, digest: str) -> Any:
    from helm_python import Chart

    return Chart.load(path)


@functools.cache
def reads_api_versions(path: str, digest: str) -> bool:
    """True when any template of the chart (or its subcharts) reads .Capabilities.APIVersions.
    Remembered beside the renders by the archive's digest (reading every template of a chart
    was 0.12 s of each verification of the default tree)."""
    return bool(memo("reads-api-versions", [RENDERER_VERSION, digest], lambda: _scan_for_api_versions(path)))


def _scan_for_api_versions(path: str) -> bool:
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if "/templates/" in member.name and member.isfile():
                handle = archive.extractfile(member)
                if handle is not None and b"APIVersions" in handle.read():
                    return True
    return False


def render(request: Request) -> Render:
    """The objects Argo CD would apply for this release (raises RenderError)."""
    digest = charts.digest(request.archive)
    api_versions = request.api_versions if reads_api_versions(str(request.archive), digest) else ()
    key_material = [RENDERER_VERSION, digest, request.values, request.release, request.namespace, request.kube_version, sorted(api_versions)]
    key = hashlib.sha256(json.dumps(key_material, sort_keys=True, default=str).encode()).hexdigest()[:40]
    # The API-version fixed point asks again for renders it already has: parse each once per process.
    loaded = _loaded.get((str(CACHE_DIR), key))
    if loaded is not None:
        return loaded
    cached = _read_cache(key)
    if cached is None:
        first = _render_once(request, digest, api_versions)
        second = _render_once(request, digest, api_versions) if "error" not in first else first
        if "error" in first:
            cached = first
        else:
            sized = [(t, o, trees.serialized_size(o)) for t, o in first["objects"]]
            cached = {"objects": sized, "unstable": _differences(first["objects"], second["objects"])}
        _write_cache(key, cached)
    if "error" in cached:
        raise RenderError(cached["error"])
    # Sizes come with the render: measuring each object was ~0.1 s of every verification (the
    # kube-prometheus-stack CRDs are megabytes of JSON), the same for every synth.
    objects = tuple(RenderedObject(t, o, size) for t, o, size in cached["objects"])
    unstable = tuple((tuple(k), p) for k, p in cached["unstable"])  # type: ignore[misc]
    result = _loaded[(str(CACHE_DIR), key)] = Render(objects, unstable, key)
    return result


_loaded: dict[tuple[str, str], Render] = {}  # (cache dir, key) -> render; callers treat objects as read-only


def memo(kind: str, material: Any, compute: Any) -> Any:
    """``compute()`` (JSON-serialisable), cached on disk beside the renders under a key made of
    ``material``: for checks whose result depends only on a render and the checking code."""
    key = f"{kind}-" + hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()[:40]
    cached = _read_cache(key)
    if cached is None:
        cached = {"result": compute()}
        _write_cache(key, cached)
    return cached["result"]


def source_hash(*paths: Path) -> str:
    """Digest of files (e.g. a module's source) to put into a memo key."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def _render_once(request: Request, digest: str, api_versions: tuple[str, ...]) -> dict[str, Any]:
    from helm_python import _native
    from helm_python.errors import HelmError

    chart = _chart(str(request.archive), digest)
    try:
        chart.validate_schema(request.values)
    except HelmError as exc:
        return {"error": f"values do not pass the chart's values.schema.json: {_one_line(exc)}"}
    options = {"name": request.release, "namespace": request.namespace, "is_install": True, "kube_version": request.kube_version, "api_versions": list(api_versions)}
    try:
        # Chart.render does not expose kube_version/api_versions; the native call takes them.
        rendered = json.loads(_native.call_string("helm_render", chart._raw(), json.dumps(request.values), json.dumps(options)))
    except HelmError as exc:
        return {"error": _one_line(exc)}
    objects: list[tuple[str, dict[str, Any]]] = []
    # Argo CD renders with --include-crds: the chart's crds/ folders are applied too.
    sources = [(f"crds/{c.get('filename') or c.get('name')}", str(c.get("data", ""))) for c in chart.crds]
    sources += [(path, text) for path, text in sorted(rendered.items()) if not path.endswith("NOTES.txt")]
    for path, text in sources:
        for chunk in _SEPARATOR.split(text):
            if not chunk.strip():
                continue
            try:
                documents = list(yaml.load_all(chunk, Loader=_Loader))
            except yaml.YAMLError as exc:
                return {"error": f"{path}: rendered YAML does not parse ({_one_line(exc)})"}
            for doc in documents:
                if isinstance(doc, dict) and doc.get("kind") == "List" and isinstance(doc.get("items"), list):
                    objects.extend((path, item) for item in doc["items"] if isinstance(item, dict))  # kubectl and Argo CD unpack Lists
                elif isinstance(doc, dict) and doc:
                    objects.append((path, doc))
    return {"objects": objects}


def _differences(first: list[tuple[str, dict[str, Any]]], second: list[tuple[str, dict[str, Any]]]) -> list[tuple[list[str], str]]:
    def by_key(objects: list[tuple[str, dict[str, Any]]]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
        return {RenderedObject(t, o).key: o for t, o in objects}

    a, b = by_key(first), by_key(second)
    found: list[tuple[list[str], str]] = []
    for key in sorted(set(a) | set(b)):
        for pointer in _diff(a.get(key), b.get(key), ""):
            found.append((list(key), pointer))
    return found


def _diff(left: Any, right: Any, pointer: str) -> list[str]:
    if isinstance(left, dict) and isinstance(right, dict):
        out: list[str] = []
        for key in sorted(set(left) | set(right)):
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            out.extend(_diff(left.get(key), right.get(key), f"{pointer}/{escaped}"))
        return out
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [p for i, (x, y) in enumerate(zip(left, right, strict=True)) for p in _diff(x, y, f"{pointer}/{i}")]
    return [] if left == right else [pointer or "/"]


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 600 else text[:600] + " …"


# The cache holds each render as its list of (template, object digest, serialized size) and each object once, by
# the digest of its JSON (objects/<digest>.json): the envs' renders of a chart share most objects
# (its CRDs and dashboards are the same bytes), so a synth parses each of those once, not once per
# env (issue 14: the chart-render rule was 0.7 s of every verification, nearly all JSON parsing).
def _read_cache(key: str) -> dict[str, Any] | None:
    try:
        entry = json.loads((CACHE_DIR / f"{key}.json").read_text(encoding="utf-8"))
        if "objects" in entry:
            entry["objects"] = [[template, _cached_object(digest), size] for template, digest, size in entry["objects"]]
    except (OSError, ValueError):
        return None  # missing, unreadable or half an entry: rendered again
    with contextlib.suppress(OSError):
        os.utime(CACHE_DIR / f"{key}.json")  # read now: kept by prune() for KEEP_SECONDS more
    return entry  # type: ignore[no-any-return]


def _cached_object(digest: str) -> Any:
    key = (str(CACHE_DIR), digest)
    _used.add(key)
    found = _objects.get(key)
    if found is None:
        # setdefault: an object parsed meanwhile by prefetch() stays the one every render shares
        found = _objects.setdefault(key, _parse_object(digest))
    return found


def _object_file(digest: str) -> Path:
    return CACHE_DIR / "objects" / f"{digest}.json"


def _parse_object(digest: str) -> Any:
    return json.loads(_object_file(digest).read_text(encoding="utf-8"))


_objects: dict[tuple[str, str], Any] = {}  # (cache dir, digest) -> object, shared read-only by renders
_used: set[tuple[str, str]] = set()  # what renders of this process read from the cache

# A synth's verification reads the cached objects of every chart render (the default platform:
# ~1,150 objects, ~9.5 MB of JSON, ~0.2 s to parse), the same as the previous verification's
# unless values or versions changed. record_recent() lists them; prefetching() parses that list in
# a thread while this process only waits for node to synthesize Terraform
# (orchestration/pipeline.py), so the rules find them parsed. Objects are the same either way.
RECENT = "recent-objects.json"


def record_recent() -> None:
    """Remember which cached objects this process's renders read (for the next prefetch)."""
    digests = sorted(digest for cache, digest in _used if cache == str(CACHE_DIR))
    if digests:
        text = json.dumps(digests)
        with contextlib.suppress(OSError):  # a read-only checkout: no prefetch next time
            if not (CACHE_DIR / RECENT).is_file() or (CACHE_DIR / RECENT).read_text(encoding="utf-8") != text:
                _write_atomically(CACHE_DIR / RECENT, text)
    maybe_prune()


# The cache is pruned, or it grows with every values change (issue 14): an entry (a render or a
# memo) neither read nor written for KEEP_SECONDS goes, and with it every object no remaining
# render lists. record_recent() prunes at most once per PRUNE_EVERY (the STAMP file's mtime). A
# prune never changes a result: a reader that finds an entry or one of its objects gone renders
# again (_read_cache), and prefetch() skips what is gone.
KEEP_SECONDS = 14 * 86400
PRUNE_EVERY = 86400
# _write_cache writes a render's objects before its entry: an unlisted object this young may
# belong to an entry being written (and a temporary file to a write in progress).
GRACE_SECONDS = 3600
STAMP = "last-prune"


def maybe_prune() -> tuple[int, int] | None:
    """:func:`prune` if the last one was PRUNE_EVERY ago or never; None if not due or read-only."""
    stamp = CACHE_DIR / STAMP
    try:
        if time.time() - stamp.stat().st_mtime < PRUNE_EVERY:
            return None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        _write_atomically(stamp, "")
    except OSError:
        return None  # a read-only checkout: nothing to prune either
    return prune()


def prune(now: float | None = None) -> tuple[int, int]:
    """Remove entries unused for KEEP_SECONDS and the objects no kept render lists (older than
    GRACE_SECONDS); returns (entries, objects) removed."""
    now = time.time() if now is None else now
    listed: set[str] = set()
    entries = 0
    for path in _files(CACHE_DIR):
        name = path.name
        try:
            age = now - path.stat().st_mtime
            if name.startswith("."):  # a temporary file a killed writer left
                if age > GRACE_SECONDS:
                    path.unlink()
                continue
            if not name.endswith(".json") or name == RECENT:
                continue
            if age > KEEP_SECONDS:
                path.unlink()
                entries += 1
                continue
            entry = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(entry, dict) and isinstance(entry.get("objects"), list):
                listed.update(str(row[1]) for row in entry["objects"] if isinstance(row, list) and len(row) == 3)
        except (OSError, ValueError):
            continue  # gone meanwhile, or unreadable (then it lists nothing: _read_cache ignores it too)
    objects = 0
    for path in _files(CACHE_DIR / "objects"):
        if path.name.endswith(".json") and path.name[: -len(".json")] in listed:
            continue
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > GRACE_SECONDS:
                path.unlink()
                objects += path.name.endswith(".json")
    return entries, objects


def _files(directory: Path) -> list[Path]:
    try:
        return [Path(entry.path) for entry in os.scandir(directory) if entry.is_file(follow_symlinks=False)]
    except OSError:
        return []


def prefetch(stop: threading.Event | None = None) -> int:
    """Parse the objects the last :func:`record_recent` listed that are not parsed yet, until
    ``stop`` is set; returns how many it parsed."""
    cache = str(CACHE_DIR)
    try:
        digests = json.loads((CACHE_DIR / RECENT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    parsed = 0
    for digest in digests if isinstance(digests, list) else []:
        if stop is not None and stop.is_set():
            break
        if (cache, digest) in _objects:
            continue
        try:
            obj = _parse_object(digest)
        except (OSError, ValueError, TypeError):
            continue  # gone or torn: read (or rendered) when a render needs it
        _objects.setdefault((cache, digest), obj)
        parsed += 1
    return parsed


@contextlib.contextmanager
def prefetching() -> Iterator[None]:
    """:func:`prefetch` in a thread for the duration of the block (stopped and joined after it)."""
    stop = threading.Event()
    worker = threading.Thread(target=prefetch, args=(stop,), name="render-cache-prefetch", daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()


def _write_cache(key: str, data: dict[str, Any]) -> None:
    try:
        entry = dict(data)
        if "objects" in data:
            (CACHE_DIR / "objects").mkdir(parents=True, exist_ok=True)
            entry["objects"] = [[template, _write_object(obj), size] for template, obj, size in data["objects"]]
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        _write_atomically(CACHE_DIR / f"{key}.json", json.dumps(entry, sort_keys=True))
    except OSError:
        pass  # a read-only checkout renders every time


def _write_object(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    path = _object_file(digest)
    try:
        os.utime(path)  # shared with an older render: a prune() meanwhile must not take it
    except FileNotFoundError:
        _write_atomically(path, text)
    _used.add((str(CACHE_DIR), digest))  # the next process reads it: prefetched
    return digest


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def builtin_api_versions(definitions: Path) -> tuple[str, ...]:
    """``group/version`` and ``group/version/Kind`` the API server serves, from the Kubernetes
    OpenAPI definitions (the form Argo CD passes as ``--api-versions``)."""
    return _builtin_api_versions(str(definitions))


@functools.cache
def _builtin_api_versions(definitions: str) -> tuple[str, ...]:
    document = json.loads(Path(definitions).read_text(encoding="utf-8"))
    found: set[str] = set()
    for schema in (document.get("definitions") or document.get("$defs") or {}).values():
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        if len(gvks) != 1:  # DeleteOptions/WatchEvent list every group: not served kinds
            continue
        gvk = gvks[0]
        group_version = f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else gvk["version"]
        found.update({group_version, f"{group_version}/{gvk['kind']}"})
    return tuple(sorted(found))


def crd_api_versions(objects: list[dict[str, Any]]) -> set[str]:
    """API versions served by the CustomResourceDefinitions among ``objects``."""
    found: set[str] = set()
    for obj in objects:
        if obj.get("kind") != "CustomResourceDefinition":
            continue
        spec = obj.get("spec") or {}
        for version in spec.get("versions") or []:
            if version.get("served", True):
                group_version = f"{spec.get('group')}/{version.get('name')}"
                found.update({group_version, f"{group_version}/{(spec.get('names') or {}).get('kind')}"})
    return found
