"""Charts layer: every chart the tree (and Terraform) installs, rendered offline from its pinned
archive exactly as Argo CD renders it, checked like the tree itself.

Facts about what a chart creates come from its render (:mod:`goldenpath.verify.releases`),
never from a hand-written table: the consistency rules read rendered Services, ServiceAccounts,
sidecar settings and workloads through :func:`rendered` as well.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from goldenpath import helm_render, schemas
from goldenpath.verify import limits, pod_security
from goldenpath.verify.artifacts import Artifacts, Manifest
from goldenpath.verify.index import Index
from goldenpath.verify.registry import rule
from goldenpath.verify.releases import Release, releases
from goldenpath.verify.report import Violation

# kubectl's client-side apply stores the whole object in this annotation; the API server caps
# all annotations of an object at 256 KiB (TotalAnnotationSizeLimitB = 262144).
LAST_APPLIED_LIMIT = 262_144
SSA_OPTION = "ServerSideApply=true"
PSS_LABEL = "pod-security.kubernetes.io/enforce"
REGISTRIES_ANNOTATION = "goldenpath.io/image-registries"
HANDOVER_ANNOTATION = "goldenpath.io/adopts-helm-release"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet")
# Built-in cluster-scoped kinds (CRDs say their own scope in spec.scope).
CLUSTER_SCOPED = {
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "PriorityClass", "StorageClass", "CSIDriver", "IngressClass",
    "RuntimeClass", "APIService", "VolumeAttachment", "CertificateSigningRequest",
}


# Results cached with a render depend on this code too.
CODE = helm_render.source_hash(Path(__file__), Path(schemas.__file__), Path(pod_security.__file__), Path(limits.__file__))


def _v(owner: Manifest, rule_id: str, message: str) -> Violation:
    return Violation(owner.file, owner.ref, rule_id, message)


def rendered(a: Artifacts, env: str, *, terraform: bool = True) -> Iterator[tuple[Release, dict[str, Any]]]:
    """(release, object) for every object the env's charts render."""
    for release in releases(a):
        if release.env == env and (terraform or not release.by_terraform):
            for item in release.objects:
                yield release, item.obj


def rendered_manifests(a: Artifacts, env: str, kind: str | None = None, *, chart: str | None = None) -> list[Manifest]:
    """The env's rendered objects as Manifests (namespace filled in as Argo CD fills it)."""
    key = f"manifests:{env}"
    if key not in a.cache:
        a.cache[key] = [(release.chart, _rendered_manifest(release, item.obj, item.template)) for release in releases(a) if release.env == env for item in release.objects]
    return [m for c, m in a.cache[key] if (kind is None or m.kind == kind) and (chart is None or c == chart)]


def rendered_pods(a: Artifacts, env: str) -> Iterator[tuple[Release, dict[str, Any], dict[str, Any], str]]:
    """(release, workload, its pod spec, its namespace) for every rendered workload of the env."""
    for release, obj in rendered(a, env):
        pod = pod_security.pod_spec(obj)
        if pod is not None:
            yield release, obj, pod, release.namespace_of(obj)


def _rendered_manifest(release: Release, obj: dict[str, Any], template: str = "") -> Manifest:
    """A rendered object as the verifier reports it: file = the chart's template in the Application."""
    meta = dict(obj.get("metadata") or {})
    if obj.get("kind") not in CLUSTER_SCOPED:
        meta.setdefault("namespace", release.namespace)
    where = f"{release.owner.file} (chart {release.chart} {release.version}{': ' + template if template else ''})"
    return Manifest(release.env, where, {**obj, "metadata": meta})


@rule("chart-render", "charts")
def chart_render(a: Artifacts) -> Iterator[Violation]:
    """Every chart renders with the values the tree gives it, as Argo CD renders it: the archive
    is in the chart cache with the digest charts.lock pins, the values pass the chart's
    values.schema.json, and no template (NOTES.txt included) fails. Otherwise Argo CD shows a
    ComparisonError and deploys nothing (Keycloak 25.x without externalDatabase.host)."""
    for release in releases(a):
        if release.error:
            yield _v(release.owner, "chart-render", f"chart {release.chart} {release.version} (release {release.name}): {release.error}")


def _schema_allows(schema: dict[str, Any] | None, key: str) -> tuple[bool, dict[str, Any] | None]:
    """(key allowed by an explicit schema entry, that entry's schema)."""
    if not isinstance(schema, dict):
        return False, None
    properties = schema.get("properties") or {}
    if key in properties:
        return True, properties[key]
    for pattern, sub in (schema.get("patternProperties") or {}).items():
        if re.search(pattern, key):
            return True, sub
    additional = schema.get("additionalProperties")
    if isinstance(additional, dict):
        return True, additional
    return False, None


def unknown_keys(values: Any, defaults: Any, schema: dict[str, Any] | None, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Key paths of ``values`` that neither the chart's defaults nor its schema know.

    A defaults map that is empty (``annotations: {}``) is free-form: anything under it is data."""
    if not isinstance(values, dict) or not isinstance(defaults, dict):
        return
    for key, value in values.items():
        in_schema, sub_schema = _schema_allows(schema, str(key))
        if key in defaults:
            if defaults[key] == {} or defaults[key] is None:
                continue
            yield from unknown_keys(value, defaults[key], sub_schema, path + (str(key),))
        elif in_schema:
            yield from unknown_keys(value, {}, sub_schema, path + (str(key),)) if sub_schema and sub_schema.get("properties") else iter(())
        elif not defaults and not path:
            continue
        else:
            yield path + (str(key),)


def _without(values: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    trimmed = copy.deepcopy(values)
    holder = trimmed
    for part in path[:-1]:
        holder = holder[part]
    del holder[path[-1]]
    return trimmed


def _stable(render: helm_render.Render) -> str:
    """The render as one comparable text, with the fields that change on every render blanked."""
    unstable: dict[tuple[str, ...], list[str]] = {}
    for key, pointer in render.unstable:
        unstable.setdefault(tuple(key), []).append(pointer)
    objects = []
    for item in render.objects:
        obj = copy.deepcopy(item.obj)
        for pointer in unstable.get(item.key, []):
            _blank(obj, pointer)
        objects.append(obj)
    return json.dumps(objects, sort_keys=True)


def _blank(obj: Any, pointer: str) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]
    for part in parts[:-1]:
        obj = obj[int(part)] if isinstance(obj, list) else obj.get(part)
        if obj is None:
            return
    if isinstance(obj, dict):
        obj[parts[-1]] = None
    elif isinstance(obj, list) and parts[-1].isdigit() and int(parts[-1]) < len(obj):
        obj[int(parts[-1])] = None


@rule("chart-values-known", "charts")
def chart_values_known(a: Artifacts) -> Iterator[Violation]:
    """Every key path the values set is one the chart knows (its defaults, subcharts' defaults or
    values.schema.json) or one that changes the render. Anything else is silently ignored by
    Helm: a misspelt or removed option (Keycloak 25's existingSecret*Key) ships the default."""
    for release in releases(a):
        if release.render is None or release.archive is None:
            continue
        # Loading a chart's defaults costs seconds: the answer is cached with the render's key.
        ignored = helm_render.memo("values-known", [release.render.key, CODE], lambda r=release: _ignored_keys(r))
        for path in ignored:
            yield _v(release.owner, "chart-values-known", f"values key {'.'.join(path)} is not known to chart {release.chart} {release.version} and changes nothing in its render (silently ignored)")


def _ignored_keys(release: Release) -> list[list[str]]:
    assert release.archive is not None and release.render is not None
    chart = helm_render.load_chart(release.archive)
    baseline = None
    found = []
    for path in unknown_keys(release.values, chart.merge_values({}), chart.schema):
        try:
            trial = helm_render.render(release.request(_without(release.values, path)))
        except helm_render.RenderError:
            continue  # removing the key breaks the render: the chart reads it
        baseline = baseline or _stable(release.render)
        if _stable(trial) == baseline:
            found.append(list(path))
    return found


def installed_crds(a: Artifacts, env: str) -> schemas.CrdSchemas:
    cache_key = f"crds:{env}"
    if cache_key not in a.cache:
        a.cache[cache_key] = schemas.CrdSchemas([obj for _release, obj in rendered(a, env)])
    return a.cache[cache_key]  # type: ignore[no-any-return]


@rule("chart-schema", "charts")
def chart_schema(a: Artifacts) -> Iterator[Violation]:
    """Every object a chart renders passes the schema layer: Kubernetes 1.33 strict, or the CRD
    the platform installs (from the renders), or the pinned CRD. A chart value that renders an
    invalid object fails the sync of the whole Application."""
    for env in a.environments:
        # Keyed by every render of the env (the CRDs it installs), this code and the pinned schemas.
        env_renders = sorted(r.render.key for r in releases(a) if r.env == env and r.render)
        for release in releases(a):
            if release.env != env or release.render is None:
                continue
            material = [release.render.key, env_renders, CODE, schemas.pinned_digest()]
            errors = helm_render.memo("chart-schema", material, lambda r=release, e=env: _schema_errors(a, r, e))
            for index, error in errors:
                item = release.objects[index]
                yield _v(_rendered_manifest(release, item.obj, item.template), "chart-schema", error)


def _schema_errors(a: Artifacts, release: Release, env: str) -> list[tuple[int, str]]:
    crds = installed_crds(a, env)
    return [(index, error) for index, item in enumerate(release.objects) for error in schemas.validate_manifest(item.obj, crds)]


def _jq_to_regex(expression: str) -> re.Pattern[str]:
    """Argo CD jqPathExpressions of the path form (``.a.b[]?.c``) as a regex over JSON pointers."""
    pattern = ""
    for token in re.findall(r"\.[A-Za-z0-9_-]+|\[\]\??|\[\d+\]|\.\"[^\"]+\"", expression):
        if token.startswith("["):
            pattern += r"/\d+" if token.startswith("[]") else "/" + token[1:-1]
        else:
            pattern += "/" + re.escape(token.lstrip(".").strip('"').replace("~", "~0").replace("/", "~1"))
    return re.compile(f"^{pattern}(/.*)?$")


def _ignored(app: Manifest, key: tuple[str, ...], pointer: str, default_namespace: str) -> bool:
    group, kind, namespace, name = key
    for entry in (app.obj.get("spec") or {}).get("ignoreDifferences") or []:
        if str(entry.get("group", "")) != group or entry.get("kind") != kind:
            continue
        if entry.get("name") and entry["name"] != name:
            continue
        if entry.get("namespace") and entry["namespace"] != (namespace or default_namespace):
            continue
        for prefix in entry.get("jsonPointers") or []:
            if pointer == prefix or pointer.startswith(str(prefix).rstrip("/") + "/"):
                return True
        if any(_jq_to_regex(str(jq)).match(pointer) for jq in entry.get("jqPathExpressions") or []):
            return True
    return False


@rule("chart-settle", "charts")
def chart_settle(a: Artifacts) -> Iterator[Violation]:
    """Argo CD can settle: a field that differs between two renders of the same values (a
    generated CA, a random password) is covered by the Application's ignoreDifferences;
    otherwise the app is OutOfSync after every refresh and self-heal rotates it forever."""
    for release in releases(a):
        if release.render is None or release.by_terraform:
            continue
        for key, pointer in release.render.unstable:
            if not _ignored(release.owner, tuple(key), pointer, release.namespace):
                group, kind, namespace, name = key
                yield _v(release.owner, "chart-settle", f"{kind} {namespace or release.namespace}/{name} field {pointer} changes on every render and is not in ignoreDifferences")


def _sync_options(app: Manifest) -> list[str]:
    return [str(o) for o in (((app.obj.get("spec") or {}).get("syncPolicy") or {}).get("syncOptions") or [])]


@rule("chart-crd-size", "charts")
def chart_crd_size(a: Artifacts) -> Iterator[Violation]:
    """A CustomResourceDefinition larger than the 256 KiB annotation limit cannot be applied
    client-side ("metadata.annotations: Too long"): its Application needs ServerSideApply=true."""
    for release in releases(a):
        if release.by_terraform:
            continue
        for item in release.objects:
            if item.obj.get("kind") != "CustomResourceDefinition":
                continue
            size = item.size  # the annotation holds the object as compact JSON (trees.serialized_size)
            if size > LAST_APPLIED_LIMIT and SSA_OPTION not in _sync_options(release.owner):
                name = (item.obj.get("metadata") or {}).get("name")
                yield _v(release.owner, "chart-crd-size", f"CRD {name} is {size} bytes (> {LAST_APPLIED_LIMIT}, the last-applied annotation limit) and the Application lacks {SSA_OPTION}")


@rule("chart-object-size", "charts")
def chart_object_size(a: Artifacts) -> Iterator[Violation]:
    """Every object a chart renders from our values, CRDs aside (chart-crd-size), is at most
    256 KiB serialized, as the tree's own objects are (manifest-size): values that grow with the
    apps grow the chart's objects too (issue 14: Backstage's app-config ConfigMap, one catalog
    location per app, was 295 KB at 2,000 apps), and past it client-side apply fails."""
    for release in releases(a):
        for item in release.objects:
            if item.obj.get("kind") == "CustomResourceDefinition":
                continue
            size = item.size
            if size > limits.MANIFEST_BUDGET:
                rendered_object = _rendered_manifest(release, item.obj, item.template)
                yield _v(rendered_object, "chart-object-size", f"{size} bytes serialized (> {limits.MANIFEST_BUDGET}, the per-object budget); keep what the values make of the apps bounded")


def _namespace_levels(a: Artifacts, env: str) -> dict[str, str]:
    levels: dict[str, str] = {}
    for ns in a.of_kind("Namespace", env):
        levels[ns.name] = str(((ns.obj.get("metadata") or {}).get("labels") or {}).get(PSS_LABEL, "privileged"))
    return levels


@rule("chart-pod-security", "charts")
def chart_pod_security(a: Artifacts) -> Iterator[Violation]:
    """Rendered pods meet the Pod Security level their Namespace enforces; otherwise the
    admission plugin rejects every pod and the workload never starts."""
    for env in a.environments:
        levels = _namespace_levels(a, env)
        for release, obj, pod, namespace in rendered_pods(a, env):
            level = levels.get(namespace, "privileged")
            for problem in pod_security.violations(pod, level, pod_security.pod_annotations(obj)):
                yield _v(_rendered_manifest(release, obj), "chart-pod-security", f"namespace {namespace} enforces {level}: {problem}")


def _scope_of(kind: str, crd_scopes: dict[str, str]) -> str:
    return crd_scopes.get(kind, "Cluster" if kind in CLUSTER_SCOPED else "Namespaced")


def _group(obj: dict[str, Any]) -> str:
    return str(obj.get("apiVersion", "")).rpartition("/")[0]


def _handed_over(app: Manifest) -> set[str]:
    text = ((app.obj.get("metadata") or {}).get("annotations") or {}).get(HANDOVER_ANNOTATION, "")
    return {t.strip() for t in str(text).split(",") if t.strip()}


@rule("chart-single-owner", "charts")
def chart_single_owner(a: Artifacts) -> Iterator[Violation]:
    """No object (group, kind, namespace, name) is created by two owners: two Applications (chart
    or directory) or Terraform's Helm release and an Application fight over it (prune, self-heal,
    Helm's ownership check) unless the Application declares it adopts that Helm release."""
    index = Index(a)
    for env in a.environments:
        crd_scopes = {
            str(((o.get("spec") or {}).get("names") or {}).get("kind")): str((o.get("spec") or {}).get("scope", "Namespaced"))
            for _r, o in rendered(a, env) if o.get("kind") == "CustomResourceDefinition"
        }
        owners: dict[tuple[str, str, str, str], dict[str, Manifest]] = {}
        for release, obj in rendered(a, env):
            scope = _scope_of(str(obj.get("kind")), crd_scopes)
            namespace = release.namespace_of(obj) if scope == "Namespaced" else ""
            key = (_group(obj), str(obj.get("kind")), namespace, str((obj.get("metadata") or {}).get("name")))
            owner = f"helm release {release.name} (Terraform)" if release.by_terraform else f"Application {release.owner.name}"
            owners.setdefault(key, {})[owner] = release.owner
        for m in a.manifests:
            if m.env != env or m.file.startswith(f"{env}/values/"):
                continue
            scope = _scope_of(m.kind, crd_scopes)
            key = (_group(m.obj), m.kind, index.namespace_of(m) if scope == "Namespaced" else "", m.name)
            for app in index.owners(m):
                owners.setdefault(key, {})[f"Application {app.name}"] = app
        for key, by in sorted(owners.items()):
            if len(by) < 2:
                continue
            apps = {name: m for name, m in by.items() if name.startswith("Application ")}
            terraform = {name for name in by if not name.startswith("Application ")}
            adopted = {f"helm release {r} (Terraform)" for m in apps.values() for r in _handed_over(m)}
            if len(apps) <= 1 and terraform <= adopted:
                continue
            group, kind, namespace, name = key
            target = next(iter(apps.values()), next(iter(by.values())))
            yield _v(target, "chart-single-owner", f"{kind}{'.' + group if group else ''} {namespace + '/' if namespace else ''}{name} is created by {' and '.join(sorted(by))}")


def _secret_sources(a: Artifacts, env: str) -> dict[tuple[str, str], set[str] | None]:
    """(namespace, Secret name) -> its keys (None: keys not known offline, any key accepted)."""
    index = Index(a)
    found: dict[tuple[str, str], set[str] | None] = {}
    for release in releases(a):
        if release.env == env:
            for name in _secrets_made_at_install(release):
                found[(release.namespace, name)] = None
    for release, obj in rendered(a, env):
        if obj.get("kind") == "Secret":
            found[(release.namespace_of(obj), str((obj.get("metadata") or {}).get("name")))] = set(obj.get("data") or {}) | set(obj.get("stringData") or {})
        elif obj.get("kind") == "Certificate":  # cert-manager writes the TLS Secret
            found[(release.namespace_of(obj), str((obj.get("spec") or {}).get("secretName")))] = {"tls.crt", "tls.key", "ca.crt"}
    for m in a.manifests:
        if m.env != env:
            continue
        namespace = index.namespace_of(m)
        if m.kind == "Secret":
            found[(namespace, m.name)] = set(m.obj.get("data") or {}) | set(m.obj.get("stringData") or {})
        elif m.kind == "ExternalSecret":
            spec = m.obj.get("spec") or {}
            target = str((spec.get("target") or {}).get("name") or m.name)
            template = ((spec.get("target") or {}).get("template") or {}).get("data")
            made: set[str] | None = {str(d.get("secretKey")) for d in spec.get("data") or []}
            if spec.get("dataFrom"):
                made = None  # extract/find: the keys are whatever the AWS secret holds
            elif isinstance(template, dict):
                made = set(template)
            found[(namespace, target)] = made
    return found


def _secrets_made_at_install(release: Release) -> set[str]:
    """Secrets a chart's own install-time Job creates (argo-cd's redis-secret-init, the
    kube-webhook-certgen Jobs): the render holds a Role that may create Secrets, and the Secret's
    name appears in that Role's resourceNames or in a rendered Job's arguments."""
    objects = [o.obj for o in release.objects]
    creates = [
        r for o in objects if o.get("kind") in ("Role", "ClusterRole") for r in o.get("rules") or []
        if "secrets" in (r.get("resources") or []) and "create" in (r.get("verbs") or [])
    ]
    if not creates:
        return set()
    names = {str(n) for o in objects if o.get("kind") in ("Role", "ClusterRole") for r in o.get("rules") or [] for n in r.get("resourceNames") or []}
    for obj in objects:
        if obj.get("kind") == "Job":
            for container in pod_security.containers(pod_security.pod_spec(obj) or {}):
                for arg in [*(container.get("args") or []), *(container.get("command") or [])]:
                    names.update(re.split(r"[=\s]+", str(arg)))
    return {n for n in names if n}


def secret_references(pod: dict[str, Any]) -> Iterator[tuple[str, str | None, str]]:
    """(secret name, key or None for the whole Secret, where) a pod spec reads, unless optional."""
    for container in pod_security.containers(pod):
        where = f"container {container.get('name')}"
        for env in container.get("env") or []:
            ref = ((env.get("valueFrom") or {}).get("secretKeyRef")) or {}
            if ref and not ref.get("optional"):
                yield str(ref.get("name")), str(ref.get("key")), f"{where} env {env.get('name')}"
        for source in container.get("envFrom") or []:
            ref = source.get("secretRef") or {}
            if ref and not ref.get("optional"):
                yield str(ref.get("name")), None, f"{where} envFrom"
    for volume in pod.get("volumes") or []:
        secret = volume.get("secret") or {}
        if secret and not secret.get("optional"):
            for item in secret.get("items") or [None]:
                yield str(secret.get("secretName")), (str(item.get("key")) if item else None), f"volume {volume.get('name')}"
        for projected in ((volume.get("projected") or {}).get("sources")) or []:
            secret = projected.get("secret") or {}
            if secret and not secret.get("optional"):
                for item in secret.get("items") or [None]:
                    yield str(secret.get("name")), (str(item.get("key")) if item else None), f"volume {volume.get('name')}"


@rule("chart-secret-refs", "charts")
def chart_secret_refs(a: Artifacts) -> Iterator[Violation]:
    """Every Secret a rendered workload reads (by name and key) is created by an ExternalSecret
    with that key, by the chart itself, or by a Certificate; otherwise the pod sits in
    CreateContainerConfigError (a failure seen before: a secret key read under another name)."""
    for env in a.environments:
        available = _secret_sources(a, env)
        for release, obj, pod, namespace in rendered_pods(a, env):
            for name, key, where in secret_references(pod):
                keys = available.get((namespace, name), set())
                if (namespace, name) not in available:
                    yield _v(_rendered_manifest(release, obj), "chart-secret-refs", f"{where} reads Secret {namespace}/{name}, which no ExternalSecret, chart object or Certificate creates")
                elif key is not None and keys is not None and key not in keys:
                    yield _v(_rendered_manifest(release, obj), "chart-secret-refs", f"{where} reads key {key!r} of Secret {namespace}/{name}, which has only {', '.join(sorted(keys)) or 'no keys'}")


IMAGE_RE = re.compile(r"^(?P<name>[^@\s]+?)(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?$")


def image_registry_of(image: str) -> str:
    """The registry host of an image reference, as the container runtime resolves it."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return "docker.io"


def declared_registries(a: Artifacts, env: str) -> list[str] | None:
    for project in a.of_kind("AppProject", env):
        text = ((project.obj.get("metadata") or {}).get("annotations") or {}).get(REGISTRIES_ANNOTATION)
        if text is not None:
            return [r.strip() for r in str(text).split(",") if r.strip()]
    return None


def _image_problem(image: str, registries: list[str]) -> str | None:
    match = IMAGE_RE.match(image)
    if not match or not (match.group("tag") or match.group("digest")):
        return f"image {image!r} has no explicit version tag or digest"
    if match.group("tag") == "latest" and not match.group("digest"):
        return f"image {image!r} uses the mutable tag latest"
    registry = image_registry_of(image)
    if not any(registry == r or re.fullmatch(r.replace(".", r"\.").replace("*", "[^/]+"), registry) for r in registries):
        return f"image {image!r} comes from {registry}, not a registry the platform declares ({', '.join(registries) or 'none'})"
    return None


@rule("image-pinned", "charts")
def image_pinned(a: Artifacts) -> Iterator[Violation]:
    """Every container image (in the tree, in every chart render, in image-update settings) has an
    explicit version tag or digest, never `latest`, from a registry the platform declares in its
    config (a failure seen before: images from a registry that went away, mutable tags)."""
    for env in a.environments:
        registries = declared_registries(a, env)
        if registries is None:
            target = next(iter(a.of_kind("AppProject", env)), None) or Manifest(env, f"{env}/apps", {"kind": "AppProject"})
            yield _v(target, "image-pinned", f"no {REGISTRIES_ANNOTATION} annotation on an AppProject: the declared registries are unknown")
            continue
        for release, obj in rendered(a, env):
            pod = pod_security.pod_spec(obj)
            for container in pod_security.containers(pod or {}):
                problem = _image_problem(str(container.get("image", "")), registries)
                if problem:
                    yield _v(_rendered_manifest(release, obj), "image-pinned", f"container {container.get('name')}: {problem}")
        for m in a.manifests:
            if m.env != env:
                continue
            for container in pod_security.containers(pod_security.pod_spec(m.obj) or {}):
                problem = _image_problem(str(container.get("image", "")), registries)
                if problem:
                    yield _v(m, "image-pinned", f"container {container.get('name')}: {problem}")
            if m.kind == "ImageUpdater":  # Argo CD Image Updater 1.x settings
                for ref in (m.obj.get("spec") or {}).get("applicationRefs") or []:
                    for entry in ref.get("images") or []:
                        image = str(entry.get("imageName", ""))
                        registry = image_registry_of(image)
                        if not any(registry == r for r in registries):
                            yield _v(m, "image-pinned", f"ImageUpdater image {image!r} comes from {registry}, not a declared registry")
