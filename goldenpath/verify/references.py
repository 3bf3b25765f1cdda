"""References inside the GitOps tree, checked on what Argo CD applies (issue 12).

Argo CD applies whatever a source builds to; the API server accepts a Service that selects no
pod, a Deployment whose selector misses its own template, a pod that reads a Secret nobody makes.
Each of these is a healthy-looking sync and a broken deploy. The rules read the manifests as
:func:`goldenpath.verify.artifacts.load` builds them (kustomize, image overrides, .yml/.json).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from goldenpath.verify import pod_security
from goldenpath.verify.artifacts import Artifacts, Manifest
from goldenpath.verify.charts import _secret_sources, rendered_manifests, secret_references
from goldenpath.verify.index import Index
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
APP_NAMESPACE_PREFIX = "apps-"
BUILT_IN_NAMESPACES = ("argocd", "kube-system", "default")


def _v(manifest: Manifest, rule_id: str, message: str) -> Violation:
    return Violation(manifest.file, manifest.ref, rule_id, message)


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in ((obj.get("metadata") or {}).get("labels") or {}).items()}


def _template(m: Manifest) -> dict[str, Any]:
    spec = m.obj.get("spec") or {}
    if m.kind == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    return spec.get("template") or {}


def _pods(a: Artifacts, index: Index, env: str) -> list[tuple[str, dict[str, str], dict[str, Any], Manifest]]:
    """(namespace, template labels, pod spec, workload) of every workload of the env, tree and charts."""
    found = []
    for m in [*(x for x in a.manifests if x.env == env), *rendered_manifests(a, env)]:
        if m.kind in WORKLOAD_KINDS:
            template = _template(m)
            found.append((index.namespace_of(m), _labels(template), template.get("spec") or {}, m))
    return found


def _container_ports(pod: dict[str, Any]) -> set[int | str]:
    ports: set[int | str] = set()
    for container in pod_security.containers(pod):
        for port in container.get("ports") or []:
            ports.add(port.get("containerPort"))
            if port.get("name"):
                ports.add(str(port["name"]))
    return ports


@rule("argocd-build", "consistency")
def argocd_build(a: Artifacts) -> Iterator[Violation]:
    """Every synced directory builds the way Argo CD builds it (kustomization resources exist and
    parse); otherwise the Application shows ComparisonError and nothing of it is applied."""
    for env, file, message in a.build_errors:
        yield Violation(file, f"Application/{env}", "argocd-build", message)


@rule("service-selector", "consistency")
def service_selector(a: Artifacts) -> Iterator[Violation]:
    """A Service of the tree selects the pods of a workload in its namespace and every targetPort
    is a port (number or name) of those pods; otherwise the Service has no endpoints and the
    Ingress in front of it answers 503."""
    index = Index(a)
    for env in a.environments:
        pods = _pods(a, index, env)
        for service in a.of_kind("Service", env):
            spec = service.obj.get("spec") or {}
            selector = {str(k): str(v) for k, v in (spec.get("selector") or {}).items()}
            if not selector:
                continue
            namespace = index.namespace_of(service)
            selected = [p for p in pods if p[0] == namespace and selector.items() <= p[1].items()]
            if not selected:
                yield _v(service, "service-selector", f"selector {selector} matches no pod template in {namespace}: the Service has no endpoints")
                continue
            ports = set().union(*(_container_ports(p[2]) for p in selected))
            for port in spec.get("ports") or []:
                target = port.get("targetPort", port.get("port"))
                if target not in ports:
                    yield _v(service, "service-selector", f"targetPort {target!r} is not a container port of {', '.join(sorted({p[3].ref for p in selected}))} ({', '.join(sorted(map(str, ports)))})")


@rule("workload-selector", "consistency")
def workload_selector(a: Artifacts) -> Iterator[Violation]:
    """A Deployment's or StatefulSet's selector matches its own pod template labels (the API
    server rejects it: `selector does not match template labels`), and a StatefulSet's
    serviceName is a Service of its namespace."""
    index = Index(a)
    services_by_env: dict[str, dict[str, set[str]]] = {}  # env -> namespace -> Service names, once per env
    for m in a.manifests:
        if m.kind not in ("Deployment", "StatefulSet", "DaemonSet"):
            continue
        spec = m.obj.get("spec") or {}
        wanted = {str(k): str(v) for k, v in ((spec.get("selector") or {}).get("matchLabels") or {}).items()}
        labels = _labels(_template(m))
        if not wanted or not wanted.items() <= labels.items():
            yield _v(m, "workload-selector", f"selector {wanted} does not match the template labels {labels}")
        if m.kind == "StatefulSet" and spec.get("serviceName"):
            if m.env not in services_by_env:
                by_namespace: dict[str, set[str]] = {}
                for service in a.of_kind("Service", m.env):
                    by_namespace.setdefault(index.namespace_of(service), set()).add(service.name)
                services_by_env[m.env] = by_namespace
            services = services_by_env[m.env].get(index.namespace_of(m), set())
            if spec["serviceName"] not in services:
                yield _v(m, "workload-selector", f"serviceName {spec['serviceName']} is not a Service of {index.namespace_of(m)}")


@rule("workload-refs", "consistency")
def workload_refs(a: Artifacts) -> Iterator[Violation]:
    """Every Secret (and key), ConfigMap and ServiceAccount a workload of the tree references
    exists in its namespace: made by an ExternalSecret, the tree or a chart (otherwise the pod
    stays in CreateContainerConfigError, or the ReplicaSet cannot create pods at all)."""
    index = Index(a)
    for env in a.environments:
        secrets = _secret_sources(a, env)
        objects = [*(m for m in a.manifests if m.env == env), *rendered_manifests(a, env)]
        config_maps = {(index.namespace_of(m), m.name) for m in objects if m.kind == "ConfigMap"}
        accounts = {(index.namespace_of(m), m.name) for m in objects if m.kind == "ServiceAccount"}
        for m in a.manifests:
            if m.env != env or m.kind not in WORKLOAD_KINDS:
                continue
            namespace = index.namespace_of(m)
            pod = _template(m).get("spec") or {}
            for name, key, where in secret_references(pod):
                keys = secrets.get((namespace, name), set())
                if (namespace, name) not in secrets:
                    yield _v(m, "workload-refs", f"{where} reads Secret {namespace}/{name}, which nothing creates")
                elif key is not None and keys is not None and key not in keys:
                    yield _v(m, "workload-refs", f"{where} reads key {key!r} of Secret {namespace}/{name} ({', '.join(sorted(keys))})")
            for name, where in _config_map_references(pod):
                if (namespace, name) not in config_maps:
                    yield _v(m, "workload-refs", f"{where} reads ConfigMap {namespace}/{name}, which nothing creates")
            account = str(pod.get("serviceAccountName") or "default")
            if account != "default" and (namespace, account) not in accounts:
                yield _v(m, "workload-refs", f"serviceAccountName {account} is not a ServiceAccount of {namespace}: no pod can be created")


def _config_map_references(pod: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for container in pod_security.containers(pod):
        where = f"container {container.get('name')}"
        for env in container.get("env") or []:
            ref = ((env.get("valueFrom") or {}).get("configMapKeyRef")) or {}
            if ref and not ref.get("optional"):
                yield str(ref.get("name")), f"{where} env {env.get('name')}"
        for source in container.get("envFrom") or []:
            ref = source.get("configMapRef") or {}
            if ref and not ref.get("optional"):
                yield str(ref.get("name")), f"{where} envFrom"
    for volume in pod.get("volumes") or []:
        ref = volume.get("configMap") or {}
        if ref and not ref.get("optional"):
            yield str(ref.get("name")), f"volume {volume.get('name')}"


@rule("object-namespace", "consistency")
def object_namespace(a: Artifacts) -> Iterator[Violation]:
    """Objects land in their Application's destination namespace, and the Application's project
    allows that destination (Argo CD refuses the sync: `namespace ... is not permitted in project`);
    an app's objects never reach another tenant's namespace."""
    index = Index(a)
    for env in a.environments:
        projects = {p.name: p for p in a.of_kind("AppProject", env)}
        # project -> (its destinations, the exact ones, the patterns): once per project, since a
        # team project lists a destination per app (matching each app against all was quadratic)
        permitted: dict[str, tuple[list[str], set[str], list[str]]] = {}
        for app in index.applications.get(env, []):
            spec = app.obj.get("spec") or {}
            destination = str((spec.get("destination") or {}).get("namespace") or "")
            project = projects.get(str(spec.get("project")))
            if project is not None and project.name not in permitted:
                listed = [str(d.get("namespace")) for d in ((project.obj.get("spec") or {}).get("destinations") or [])]
                permitted[project.name] = (listed, {p for p in listed if "*" not in p}, [p for p in listed if "*" in p])
            allowed, exact, patterns = permitted[project.name] if project is not None else ([], set(), [])
            if project is not None and destination and destination not in exact and not any(_glob(p, destination) for p in patterns):
                yield _v(app, "object-namespace", f"destination namespace {destination} is not permitted in project {project.name} ({', '.join(allowed)})")
        for m in a.manifests:
            if m.env != env or not m.namespace:
                continue
            for owner in index.owners(m):
                spec = owner.obj.get("spec") or {}
                destination = str((spec.get("destination") or {}).get("namespace") or "")
                # tenant projects (one per team): everything but the platform's own and Argo CD's default
                if spec.get("project") not in ("platform", "default") and destination and m.namespace != destination:
                    yield _v(m, "object-namespace", f"namespace {m.namespace} is not its Application {owner.name}'s namespace {destination}")


def _glob(pattern: str, value: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), value) is not None


@rule("externalsecret-tenant", "consistency")
def externalsecret_tenant(a: Artifacts) -> Iterator[Violation]:
    """An ExternalSecret in an app's namespace apps-<app> reads only keys under <org>/<env>/<app>/
    and never finds secrets by name or tag: the first line of defence, before IAM (the tenant
    role reads only the session tag's app, goldenpath/verify/tenancy.py), so a manifest asking
    for another team's secret fails here, at synth, not as an AccessDenied at sync."""
    index = Index(a)
    for es in a.of_kind("ExternalSecret"):
        namespace = index.namespace_of(es)
        if not namespace.startswith(APP_NAMESPACE_PREFIX):
            continue
        app = namespace.removeprefix(APP_NAMESPACE_PREFIX)
        own = re.compile(rf"[^/]+/{re.escape(es.env)}/{re.escape(app)}/[^/]+")
        spec = es.obj.get("spec") or {}
        keys = [(e.get("remoteRef") or {}).get("key") for e in spec.get("data") or []]
        keys += [(e.get("extract") or {}).get("key") for e in spec.get("dataFrom") or [] if "extract" in e]
        for key in keys:
            if not own.fullmatch(str(key)):
                yield _v(es, "externalsecret-tenant", f"reads {key}, which is not a secret of app {app} (<org>/{es.env}/{app}/<name>)")
        if any("find" in e for e in spec.get("dataFrom") or []):
            yield _v(es, "externalsecret-tenant", "finds secrets by name or tag, which can match other apps' secrets")

