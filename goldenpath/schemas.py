"""Offline schema validation of rendered manifests (DESIGN §7 layer 1).

* Core kinds: the Kubernetes 1.33 *strict* JSON schemas shipped with ``kubernetes-validate``
  (``additionalProperties: false``, so a misspelt field is an error). Its CLI exits 0 for an
  unknown kind or version (DESIGN §2 traps); here "no schema" is a violation.
* Custom resources: ``jsonschema`` against the ``openAPIV3Schema`` of the pinned CRD for that
  group/version/kind, read from ``$GOLDENPATH_CRDS`` (default ``../shared/crds``). The API server
  prunes unknown fields silently; we make them errors instead, except under
  ``x-kubernetes-preserve-unknown-fields``. ``metadata`` is checked against the strict ObjectMeta.
* Any other kind: a violation.

Validators are built once per kind and cached, so validating a whole tree is cheap.

    validate_manifest(obj) -> ["spec.replicas: 'two' is not of type 'integer'", ...]
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import kubernetes_validate.utils as kv
import yaml
from referencing import Registry, Resource

from goldenpath import optimize

KUBERNETES_VERSION = "1.33.0"
REPO = Path(__file__).resolve().parent.parent
_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"  # strict: unknown metadata fields are errors

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def crd_dir() -> Path:
    return Path(os.environ.get("GOLDENPATH_CRDS", REPO.parent / "shared" / "crds"))


@functools.cache
def pinned_digest() -> str:
    """Identifies the schemas in force: kubernetes-validate's version and the pinned CRD files
    (path, size, mtime), for caches of validation results."""
    digest = hashlib.sha256(f"{kv.__version__}|{KUBERNETES_VERSION}".encode())
    for path in sorted(crd_dir().rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(crd_dir())}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def validate_manifest(obj: dict[str, Any], installed: CrdSchemas | None = None) -> list[str]:
    """Every schema violation of one manifest, as ``<json path>: <message>`` (empty: valid).

    ``installed`` holds the CRDs the platform's charts install (from their renders): a custom
    resource is checked against the CRD the cluster will really serve, else the pinned one."""
    if not isinstance(obj, dict):
        return [f"<root>: a manifest must be a mapping (got {type(obj).__name__})"]
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
        return ["<root>: apiVersion and kind are required strings"]
    validator = _validator_for(api_version, kind, installed)
    if validator is None:
        return [f"<root>: no schema for {kind} {api_version} (neither Kubernetes {KUBERNETES_VERSION}, a pinned CRD nor a CRD the platform installs)"]
    if _quickly_valid(validator, obj):
        return []
    errors = sorted(validator.iter_errors(obj), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"{_path(e)}: {e.message}" for e in errors]


# --- the quick check (issue 14: jsonschema was half of verification at 100 apps) ---------------
# jsonschema_rs (a compiled validator of the same drafts) answers "valid" ~45x faster than the
# Python jsonschema; the verdict that counts, and every message, stays jsonschema's: a manifest
# the quick twin rejects, or cannot take, is validated by jsonschema as before. So the twin can
# only ever skip work, provided it never accepts what jsonschema rejects, which
# tests/test_schemas.py checks over the rendered trees and a corpus of broken manifests.
# Formats are annotations only in both (jsonschema without a format checker).
_TWINS: dict[int, tuple[jsonschema.protocols.Validator, Any]] = {}


def quickly_valid(obj: dict[str, Any]) -> bool:
    """True when the twin of the pinned schema for ``obj`` accepts it (then validate_manifest
    would return []); False means "ask validate_manifest", never "invalid"."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return False
    validator = _validator_for(api_version, kind)
    return validator is not None and _quickly_valid(validator, obj)


def _validator_for(api_version: str, kind: str, installed: CrdSchemas | None = None) -> jsonschema.protocols.Validator | None:
    """The schema in force: a CRD the platform installs, else the pinned CRD, else Kubernetes'."""
    validator = installed.validator(api_version, kind) if installed is not None else None
    return validator or _crd_validator(api_version, kind) or _core_validator(api_version, kind)


def _quickly_valid(validator: jsonschema.protocols.Validator, obj: dict[str, Any]) -> bool:
    if not optimize.requested():
        return False
    try:
        return bool(_twin(validator).is_valid(obj))
    except Exception:  # noqa: BLE001 - a value the twin cannot take (a YAML date, a huge int): jsonschema decides
        return False


def _twin(validator: jsonschema.protocols.Validator) -> Any:
    # keyed by id() with the validator itself kept alive, so an id is never reused for another
    entry = _TWINS.get(id(validator))
    if entry is None or entry[0] is not validator:
        entry = _TWINS[id(validator)] = (validator, jsonschema_rs.Draft202012Validator(validator.schema, registry=_twin_registry(), validate_formats=False))
    return entry[1]


@functools.cache
def _twin_registry() -> Any:
    definitions = _definitions()
    return jsonschema_rs.Registry([(definitions["$id"], definitions)])


def _path(error: jsonschema.ValidationError) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path]
    return "".join(parts).lstrip(".") or "<root>"


# --- core kinds (kubernetes-validate's strict schemas) -----------------------------------------


def _schema_dir() -> str:
    versions = [v for v in kv.all_versions() if kv.major_minor(v) == kv.major_minor(KUBERNETES_VERSION)]
    if not versions:
        raise RuntimeError(f"kubernetes-validate {kv.__version__} has no schemas for Kubernetes {KUBERNETES_VERSION}")
    return f"kubernetes-json-schema/v{versions[-1]}-local-strict"


@functools.cache
def _definitions() -> dict[str, Any]:
    """kubernetes-validate's shared definitions (1.1 MB of JSON): read once, never modified."""
    return kv.schema_contents(f"{_schema_dir()}/_definitions.json", KUBERNETES_VERSION)  # type: ignore[no-any-return]


@functools.cache
def _core_registry() -> Registry:
    return Resource.from_contents(_definitions()) @ Registry()


@functools.cache
def _core_validator(api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    # Same file naming as kubernetes_validate.utils.validate: rbac.authorization.k8s.io/v1 -> rbac-v1.
    short = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv.schema_contents(f"{_schema_dir()}/{kind.lower()}-{short}.json", KUBERNETES_VERSION)
    except FileNotFoundError:
        return None
    registry = Resource.from_contents(schema) @ _core_registry()
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _object_meta_ref() -> dict[str, Any]:
    return {"$ref": f"{_definitions()['$id']}#/$defs/{_OBJECT_META}"}


# --- custom resources (pinned CRDs) ------------------------------------------------------------


_CRD_GROUP = re.compile(r"^  group: *['\"]?([^'\"\s]+)", re.MULTILINE)
_CRD_KIND = re.compile(r"^    kind: *['\"]?([^'\"\s]+)", re.MULTILINE)


@functools.cache
def _crd_files(directory: str) -> dict[tuple[str, str], Path]:
    """(group, kind) -> CRD file, from a cheap text scan: parsing all pinned CRDs (4 MB of YAML)
    costs ~1 s, and a tree uses a few of them. Files the scan cannot read are parsed."""
    files: dict[tuple[str, str], Path] = {}
    for path in sorted(Path(directory).rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        group, kind = _CRD_GROUP.search(text), _CRD_KIND.search(text)
        if "kind: CustomResourceDefinition" in text and group and kind and text.count("kind: CustomResourceDefinition") == 1:
            files[(group.group(1), kind.group(1))] = path
        else:
            for key in _crd_schemas(path):
                files[(key[0].split("/")[0], key[1])] = path
    return files


CACHE_DIR = REPO / ".gen" / "crd-schemas"


@functools.cache
def _crd_schemas(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> openAPIV3Schema for every served version of the CRDs in one file.

    Parsed YAML is cached as JSON (10x faster to load) under .gen/, keyed by the file's content
    hash, so an edited or replaced CRD is never served stale."""
    text = path.read_text(encoding="utf-8")
    cache = CACHE_DIR / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.json"
    try:
        return {(a, k): schema for a, k, schema in json.loads(cache.read_text(encoding="utf-8"))}
    except (OSError, ValueError):
        pass
    index = _parse_crds(text)
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([[a, k, schema] for (a, k), schema in sorted(index.items())]), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only checkout just parses every time
    return index


def _parse_crds(text: str) -> dict[tuple[str, str], dict[str, Any]]:
    index: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in yaml.load_all(text, Loader=_Loader):
        if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
            continue
        spec = doc["spec"]
        for version in spec.get("versions", []):
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if version.get("served", True) and schema:
                index[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = schema
    return index


class CrdSchemas:
    """Validators for the CRDs among a set of objects (e.g. a chart's render)."""

    def __init__(self, objects: list[dict[str, Any]]):
        self._schemas: dict[tuple[str, str], dict[str, Any]] = {}
        for obj in objects:
            if obj.get("kind") == "CustomResourceDefinition":
                spec = obj.get("spec") or {}
                for version in spec.get("versions") or []:
                    schema = (version.get("schema") or {}).get("openAPIV3Schema")
                    if version.get("served", True) and schema:
                        self._schemas[(f"{spec.get('group')}/{version.get('name')}", str((spec.get("names") or {}).get("kind")))] = schema
        self._validators: dict[tuple[str, str], jsonschema.protocols.Validator] = {}

    def validator(self, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
        key = (api_version, kind)
        if key not in self._schemas:
            return None
        if key not in self._validators:
            self._validators[key] = _strict_validator(api_version, kind, self._schemas[key])
        return self._validators[key]


@functools.cache
def _crd_validator(api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    path = _crd_files(str(crd_dir())).get((api_version.split("/")[0], kind))
    schema = _crd_schemas(path).get((api_version, kind)) if path is not None else None
    if schema is None:
        return None
    return _strict_validator(api_version, kind, schema)


def _strict_validator(api_version: str, kind: str, schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    strict = _close_objects(copy.deepcopy(schema))
    props = strict.setdefault("properties", {})
    props["apiVersion"] = {"const": api_version}
    props["kind"] = {"const": kind}
    props["metadata"] = _object_meta_ref()
    strict.setdefault("required", [])
    strict["required"] = sorted(set(strict["required"]) | {"apiVersion", "kind", "metadata"})
    return jsonschema.Draft202012Validator(strict, registry=_core_registry())


def _close_objects(node: Any) -> Any:
    """Unknown fields are errors: ``additionalProperties: false`` on every object schema that
    lists its properties, unless the CRD says to preserve unknown fields."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key in ("properties", "patternProperties", "definitions"):
                for sub in value.values():
                    _close_objects(sub)
            elif isinstance(value, (dict, list)):
                _close_objects(value)
        if "properties" in node and "additionalProperties" not in node and not node.get("x-kubernetes-preserve-unknown-fields"):
            node["additionalProperties"] = False
    elif isinstance(node, list):
        for item in node:
            _close_objects(item)
    return node

