"""Consistency layer: the two halves, and each half with itself, agree.

Every rule names, in its docstring, the seed-report failure (or the class of failure) it
prevents. Rules read only artifacts through :class:`goldenpath.verify.index.Index`.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from typing import Any

from goldenpath.trees import as_list
from goldenpath.verify import optimize, pod_security
from goldenpath.verify.artifacts import Artifacts, Manifest
from goldenpath.verify.charts import rendered, rendered_manifests
from goldenpath.verify.index import Index, containers, sources
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation
from goldenpath.verify.tenancy import reads_as_operator

DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
LB_NAME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-name"
RDS_TAG = "aws:rds:primaryDBInstanceArn"
SECRET_READ = {"secretsmanager:GetSecretValue", "secretsmanager:*", "*"}

APP_LABEL = "goldenpath.io/application"  # on an app's Application (goldenpath.naming.APPLICATION_LABEL)


def _v(manifest: Manifest, rule_id: str, message: str) -> Violation:
    return Violation(manifest.file, manifest.ref, rule_id, message)


def _ingress_hosts(ingress: Manifest) -> list[str]:
    return [str(r.get("host")) for r in (ingress.obj.get("spec") or {}).get("rules") or [] if r.get("host")]


@rule("ingress-dns", "consistency")
def ingress_dns(a: Artifacts) -> Iterator[Violation]:
    """Every Ingress host resolves: a Route53 record of the env's DNS stack covers it and it lies
    inside a hosted zone Terraform manages (a failure seen before: a domain typo, goldenpath.io vs goldenpathidp.io)."""
    index = Index(a)
    for ingress in a.of_kind("Ingress"):
        for host in _ingress_hosts(ingress):
            if not index.covered(ingress.env, host):
                records = index.records(ingress.env)
                yield _v(ingress, "ingress-dns", f"host {host} has no DNS record in the {ingress.env} stacks (records: {', '.join(sorted(records)) or 'none'})")
            if not any(host == zone or host.endswith(f".{zone}") for zone in index.zones):
                yield _v(ingress, "ingress-dns", f"host {host} is outside every hosted zone ({', '.join(index.zones) or 'none'})")


@rule("ingress-issuer", "consistency")
def ingress_issuer(a: Artifacts) -> Iterator[Violation]:
    """The cert-manager issuer an Ingress names is a ClusterIssuer rendered in the same env
    (a failure seen before: an issuer that existed in one environment only)."""
    issuers: dict[str, set[str]] = {}  # env -> its ClusterIssuers, once per env (not per Ingress)
    for ingress in a.of_kind("Ingress"):
        issuer = ((ingress.obj.get("metadata") or {}).get("annotations") or {}).get(ISSUER_ANNOTATION)
        if ingress.env not in issuers:
            issuers[ingress.env] = {m.name for m in a.of_kind("ClusterIssuer", ingress.env)}
        rendered = issuers[ingress.env]
        if not issuer:
            yield _v(ingress, "ingress-issuer", f"no {ISSUER_ANNOTATION} annotation: the TLS certificate is never issued")
        elif issuer not in rendered:
            yield _v(ingress, "ingress-issuer", f"issuer {issuer!r} is not a ClusterIssuer of {ingress.env} ({', '.join(sorted(rendered)) or 'none'})")


@rule("ingress-class-tls", "consistency")
def ingress_class_tls(a: Artifacts) -> Iterator[Violation]:
    """Ingresses use the class the Kong values register and every rule host is covered by a TLS
    entry with a secret (otherwise Kong ignores the Ingress or serves it without a certificate)."""
    classes = {str(((values.get("ingressController") or {}).get("ingressClass")) or "kong") for (env, stem), values in a.values.items() if stem == "kong"}
    for ingress in a.of_kind("Ingress"):
        spec = ingress.obj.get("spec") or {}
        if spec.get("ingressClassName") not in (classes or {"kong"}):
            yield _v(ingress, "ingress-class-tls", f"ingressClassName {spec.get('ingressClassName')!r} is not the Kong class ({', '.join(sorted(classes or {'kong'}))})")
        tls_hosts = {h for t in spec.get("tls") or [] if t.get("secretName") for h in t.get("hosts") or []}
        for host in _ingress_hosts(ingress):
            if host not in tls_hosts:
                yield _v(ingress, "ingress-class-tls", f"host {host} has no TLS entry with a secretName")


def _services(a: Artifacts, index: Index, env: str) -> dict[tuple[str, str], set[int | str]]:
    """(namespace, service) -> ports (numbers and names), of the tree's and the charts' Services."""
    found: dict[tuple[str, str], set[int | str]] = {}
    for service in [*a.of_kind("Service", env), *rendered_manifests(a, env, "Service")]:
        ports: set[int | str] = set()
        for port in (service.obj.get("spec") or {}).get("ports") or []:
            ports.add(port.get("port"))
            if port.get("name"):
                ports.add(port["name"])
        found[(index.namespace_of(service), service.name)] = ports
    return found


@rule("ingress-backend", "consistency")
def ingress_backend(a: Artifacts) -> Iterator[Violation]:
    """Ingress backends name a Service and port that exist: one in the tree or one the chart
    really renders with the tree's values. A wrong name is a 503 at the edge (a failure seen before: Grafana
    ignored the parent chart's fullnameOverride)."""
    index = Index(a)
    for env in a.environments:
        services = _services(a, index, env)
        for ingress in a.of_kind("Ingress", env):
            namespace = index.namespace_of(ingress)
            for rule_ in (ingress.obj.get("spec") or {}).get("rules") or []:
                for path in (rule_.get("http") or {}).get("paths") or []:
                    service = (path.get("backend") or {}).get("service") or {}
                    port = service.get("port") or {}
                    wanted = port.get("number", port.get("name"))
                    ports = services.get((namespace, str(service.get("name"))))
                    if ports is None:
                        yield _v(ingress, "ingress-backend", f"backend service {namespace}/{service.get('name')} is not created by any rendered object or chart values")
                    elif wanted not in ports:
                        yield _v(ingress, "ingress-backend", f"backend port {wanted!r} is not a port of {namespace}/{service.get('name')} ({', '.join(sorted(map(str, ports)))})")


@rule("externalsecret-store", "consistency")
def externalsecret_store(a: Artifacts) -> Iterator[Violation]:
    """ExternalSecrets reference a (Cluster)SecretStore rendered in the env (a failure seen before: the
    ClusterSecretStore was missing and had to be created by hand)."""
    index = Index(a)
    by_env_kind: dict[tuple[str, str], set[tuple[str, str]]] = {}  # once per (env, store kind), not per ExternalSecret
    for es in a.of_kind("ExternalSecret"):
        ref = (es.obj.get("spec") or {}).get("secretStoreRef") or {}
        kind = ref.get("kind", "SecretStore")
        if (es.env, kind) not in by_env_kind:
            by_env_kind[(es.env, kind)] = {(m.kind, m.name if kind == "ClusterSecretStore" else f"{index.namespace_of(m)}/{m.name}") for m in a.of_kind(kind, es.env)}
        stores = by_env_kind[(es.env, kind)]
        key = ref.get("name") if kind == "ClusterSecretStore" else f"{index.namespace_of(es)}/{ref.get('name')}"
        if (kind, key) not in stores:
            yield _v(es, "externalsecret-store", f"{kind} {ref.get('name')!r} is not rendered in {es.env}")


@rule("externalsecret-remote-key", "consistency")
def externalsecret_remote_key(a: Artifacts) -> Iterator[Violation]:
    """Every remoteRef.key is a Secrets Manager secret Terraform creates for the same env, and
    every property is in that secret's key set; tag lookups name the env's RDS instance
    (a failure seen before: a secret written under one name and read under another, a property that did not exist)."""
    index = Index(a)
    for es in a.of_kind("ExternalSecret"):
        spec = es.obj.get("spec") or {}
        secrets = index.secrets.get(es.env, {})
        for entry in spec.get("data") or []:
            remote = entry.get("remoteRef") or {}
            key, prop = remote.get("key"), remote.get("property")
            if key not in secrets:
                yield _v(es, "externalsecret-remote-key", f"remote key {key!r} is not a secret Terraform creates in {es.env}")
            elif prop is not None and (known := secrets[key].keys) is not None and prop not in known:
                yield _v(es, "externalsecret-remote-key", f"property {prop!r} is not a key of {key} ({', '.join(sorted(known))})")
        for entry in spec.get("dataFrom") or []:
            if "extract" in entry:
                key = (entry.get("extract") or {}).get("key")
                if key not in secrets:
                    yield _v(es, "externalsecret-remote-key", f"extract key {key!r} is not a secret Terraform creates in {es.env}")
            tags = ((entry.get("find") or {}).get("tags")) or {}
            if RDS_TAG in tags:
                identifier = str(tags[RDS_TAG]).rsplit(":db:", 1)[-1]
                if identifier not in index.db_identifiers(es.env):
                    yield _v(es, "externalsecret-remote-key", f"tag {RDS_TAG} names RDS instance {identifier!r}, not one of {es.env} ({', '.join(index.db_identifiers(es.env)) or 'none'})")


def _irsa_annotations(a: Artifacts, index: Index) -> Iterator[tuple[Manifest, str, str, str, Manifest]]:
    """(owner, role ARN, namespace, service account, the ServiceAccount) for every IRSA-annotated
    ServiceAccount: the tree's (owner: itself) and the ones charts render (owner: the
    Application or Terraform release that installs the chart)."""
    for sa in a.of_kind("ServiceAccount"):
        arn = ((sa.obj.get("metadata") or {}).get("annotations") or {}).get(IRSA_ANNOTATION)
        if arn:
            yield sa, str(arn), index.namespace_of(sa), sa.name, sa
    for env in a.environments:
        for release, obj in rendered(a, env):
            if obj.get("kind") != "ServiceAccount":
                continue
            metadata = obj.get("metadata") or {}
            arn = (metadata.get("annotations") or {}).get(IRSA_ANNOTATION)
            if arn:
                sa = Manifest(env, release.owner.file, {**obj, "metadata": {**metadata, "namespace": release.namespace_of(obj)}})
                yield release.owner, str(arn), release.namespace_of(obj), str(metadata.get("name", "")), sa


def _pod_service_accounts(a: Artifacts, index: Index, env: str) -> set[tuple[str, str]]:
    """(namespace, service account) of every pod template in the env, tree and charts (once per
    env: irsa-trust asks per annotated ServiceAccount)."""
    key = f"pod-service-accounts:{env}"
    if optimize.enabled() and key in a.cache:
        return a.cache[key]  # type: ignore[no-any-return]
    used: set[tuple[str, str]] = set()
    for m in [*a.manifests, *rendered_manifests(a, env)]:
        pod = pod_security.pod_spec(m.obj) if m.env == env else None
        if pod is not None:
            used.add((index.namespace_of(m), str(pod.get("serviceAccountName") or pod.get("serviceAccount") or "default")))
    if optimize.enabled():
        a.cache[key] = used
    return used


def _addon_roles(a: Artifacts, env: str) -> set[str]:
    """Logical names of roles EKS add-ons assume (their ServiceAccount is EKS's, not ours)."""
    return {str(b.body.get("service_account_role_arn", "")) for b in a.blocks("aws_eks_addon", env)}


@rule("irsa-trust", "consistency")
def irsa_trust(a: Artifacts) -> Iterator[Violation]:
    """IRSA ServiceAccounts (in the tree and in the charts' renders) name a Terraform role of the
    same env whose trust subject is exactly system:serviceaccount:<namespace>:<name>, and a
    workload runs as them; every IRSA role is used (a failure seen before: account-global role names, trust for
    the wrong service account; the pod silently falls back to the node role)."""
    index = Index(a)
    annotated: dict[str, set[str]] = {}
    for owner, arn, namespace, account, _sa in _irsa_annotations(a, index):
        name = arn.rsplit("/", 1)[-1]
        annotated.setdefault(owner.env, set()).add(name)
        role = index.roles.get(owner.env, {}).get(name)
        subject = f"system:serviceaccount:{namespace}:{account}"
        if role is None:
            yield _v(owner, "irsa-trust", f"role {name} (from {arn}) is not created by the {owner.env} stacks")
        elif role.subjects() != {subject}:
            yield _v(owner, "irsa-trust", f"role {name} trusts {sorted(role.subjects())}, not exactly {subject}")
        if (namespace, account) not in _pod_service_accounts(a, index, owner.env):
            yield _v(owner, "irsa-trust", f"ServiceAccount {namespace}/{account} carries role {name} but no workload of the tree or its charts runs as it")
    for env in a.environments:
        addons = _addon_roles(a, env)
        for name, role in sorted(index.roles.get(env, {}).items()):
            web_identity = any(s.startswith("system:serviceaccount:") for s in role.subjects())
            if web_identity and name not in annotated.get(env, set()) and not any(f"aws_iam_role.{role.block.name}." in ref for ref in addons):
                target = Manifest(env, role.block.file, {"kind": "aws_iam_role", "metadata": {"name": role.block.name}})
                yield _v(target, "irsa-trust", f"role {name} trusts {sorted(role.subjects())}, but no ServiceAccount the tree or a chart renders is annotated with it")


def _secret_name_of(resource: str) -> str | None:
    match = re.match(r"^arn:aws:secretsmanager:[^:]*:[^:]*:secret:(.+)$", resource)
    return match.group(1) if match else None


@rule("iam-secret-scope", "consistency")
def iam_secret_scope(a: Artifacts) -> Iterator[Violation]:
    """The External Secrets role may read every key the env's ExternalSecrets that use its own
    identity read (apps read through the tenant role: tenant-secret-store) and nothing outside the
    env prefix (a failure seen before: the policy did not match names with slashes; a wider
    policy would let dev read prod)."""
    index = Index(a)
    for owner, arn, _namespace, _account, _sa in _irsa_annotations(a, index):
        if owner.kind != "Application" or not any(src.get("chart") == "external-secrets" for src in sources(owner)):
            continue  # only the External Secrets operator's role reads secrets
        role = index.roles.get(owner.env, {}).get(arn.rsplit("/", 1)[-1])
        if role is None:
            continue  # irsa-trust reports it
        prefix_re = re.compile(rf"^[^*?]+/{re.escape(owner.env)}/.+$")
        patterns: list[str] = []
        tag_scoped: set[str] = set()
        for statement in role.policies:
            actions = set(as_list(statement.get("Action")))
            if statement.get("Effect") != "Allow" or not actions & SECRET_READ:
                continue
            resources = as_list(statement.get("Resource"))
            condition = ((statement.get("Condition") or {}).get("StringEquals") or {}).get(f"secretsmanager:ResourceTag/{RDS_TAG}")
            for resource in resources:
                name = _secret_name_of(str(resource))
                if resource == "*" and condition:
                    tag_scoped.add(str(condition).rsplit(":db:", 1)[-1])
                elif name is None or not prefix_re.match(name):
                    yield _v(owner, "iam-secret-scope", f"role {role.name} may read {resource}, wider than the {owner.env} prefix")
                else:
                    patterns.append(name)
        for identifier in sorted(tag_scoped - set(index.db_identifiers(owner.env))):
            yield _v(owner, "iam-secret-scope", f"role {role.name} may read the master secret of RDS instance {identifier}, not one of {owner.env}")
        for es in a.of_kind("ExternalSecret", owner.env):
            if not reads_as_operator(a, es):
                continue
            spec = es.obj.get("spec") or {}
            keys = [(e.get("remoteRef") or {}).get("key") for e in spec.get("data") or []]
            keys += [(e.get("extract") or {}).get("key") for e in spec.get("dataFrom") or [] if "extract" in e]
            for key in sorted({k for k in keys if k}):
                # A secret's ARN is its name + "-" + 6 random characters (Secrets Manager User Guide,
                # "Secret ARN"): a resource like .../postgres-?????? matches the name postgres.
                if not any(fnmatch.fnmatchcase(str(key), p) or fnmatch.fnmatchcase(f"{key}-XXXXXX", p) for p in patterns):
                    yield _v(es, "iam-secret-scope", f"role {role.name} cannot read {key} (allowed: {', '.join(patterns) or 'nothing'})")
            for entry in spec.get("dataFrom") or []:
                identifier = str((((entry.get("find") or {}).get("tags")) or {}).get(RDS_TAG, "")).rsplit(":db:", 1)[-1]
                if identifier and identifier not in tag_scoped:
                    yield _v(es, "iam-secret-scope", f"role {role.name} cannot read the master secret of {identifier} (no ResourceTag grant)")


@rule("values-ref", "consistency")
def values_ref(a: Artifacts) -> Iterator[Violation]:
    """Every $values/ file an Application names exists in the tree and a `ref: values` source is
    present (a failure seen before: a relative values path Argo CD could not read)."""
    index = Index(a)
    for app in a.of_kind("Application"):
        refs = {s.get("ref") for s in sources(app)}
        root = index.root_apps.get(app.env)
        for source in sources(app):
            for value_file in (source.get("helm") or {}).get("valueFiles") or []:
                value_file = str(value_file)
                if not value_file.startswith("$"):
                    continue
                ref, _, path = value_file[1:].partition("/")
                if ref not in refs:
                    yield _v(app, "values-ref", f"{value_file} uses ${ref} but no source has ref: {ref}")
                    continue
                relative = path.removeprefix(root.tree_prefix if root else "")
                if not (a.gitops_root / relative).is_file():
                    yield _v(app, "values-ref", f"{value_file} does not exist in the tree ({relative})")


@rule("target-revision", "consistency")
def target_revision(a: Artifacts) -> Iterator[Violation]:
    """Every source from the platform repository tracks the env's branch, the one the root
    Application Terraform installs uses (a failure seen before: apps pointed at a feature branch)."""
    index = Index(a)
    for app in a.of_kind("Application"):
        root = index.root_apps.get(app.env)
        if root is None:
            yield _v(app, "target-revision", f"no root Application for {app.env} in the Terraform bootstrap values")
            continue
        for source in sources(app):
            if source.get("repoURL") == root.repo_url and source.get("targetRevision") != root.branch:
                yield _v(app, "target-revision", f"targetRevision {source.get('targetRevision')!r} is not the {app.env} branch {root.branch!r}")


def _dashboards(configmap: Manifest) -> list[dict[str, Any]]:
    out = []
    for key, text in ((configmap.obj.get("data") or {}).items()):
        if str(key).endswith(".json"):
            try:
                out.append(json.loads(text))
            except ValueError:
                out.append({"__invalid__": key})
    return out


def _dashboard_sidecars(a: Artifacts, env: str) -> list[dict[str, str]]:
    """Settings of every Grafana dashboard sidecar the env's charts render, read from its
    container environment (LABEL, LABEL_VALUE, NAMESPACE) the way k8s-sidecar reads them."""
    found = []
    for m in rendered_manifests(a, env):
        for container in pod_security.containers(pod_security.pod_spec(m.obj) or {}):
            variables = {str(e.get("name")): str(e.get("value", "")) for e in container.get("env") or [] if "value" in e}
            if "k8s-sidecar" in str(container.get("image", "")) and variables.get("FOLDER", "").endswith("dashboards") or container.get("name") == "grafana-sc-dashboard":
                found.append({"where": m.ref, "label": variables.get("LABEL", ""), "value": variables.get("LABEL_VALUE", ""), "namespace": variables.get("NAMESPACE", "")})
    return found


@rule("dashboard-sidecar", "consistency")
def dashboard_sidecar(a: Artifacts) -> Iterator[Violation]:
    """Dashboard ConfigMaps carry the label/value the Grafana dashboard sidecar (as the chart
    renders it) watches, in a namespace it searches, are valid JSON and have unique uids (a failure seen before: a label the sidecar did not watch; dashboards never appeared)."""
    index = Index(a)
    for env in a.environments:
        sidecars = _dashboard_sidecars(a, env)
        uids: dict[str, Manifest] = {}
        for cm in a.of_kind("ConfigMap", env):
            boards = _dashboards(cm)
            if not boards:
                continue
            labels = (cm.obj.get("metadata") or {}).get("labels") or {}
            namespace = index.namespace_of(cm)
            if not sidecars:
                yield _v(cm, "dashboard-sidecar", "no chart of the env renders a Grafana dashboard sidecar: the dashboard is never loaded")
            for sidecar in sidecars:
                if labels.get(sidecar["label"]) != (sidecar["value"] or labels.get(sidecar["label"])) or sidecar["label"] not in labels:
                    yield _v(cm, "dashboard-sidecar", f"label {sidecar['label']}={sidecar['value']!r} (watched by {sidecar['where']}) is missing (labels: {labels})")
                if sidecar["namespace"] != "ALL" and namespace not in sidecar["namespace"].split(","):
                    yield _v(cm, "dashboard-sidecar", f"namespace {namespace} is not searched by {sidecar['where']} (NAMESPACE={sidecar['namespace'] or 'its own'})")
            for board in boards:
                if "__invalid__" in board:
                    yield _v(cm, "dashboard-sidecar", f"{board['__invalid__']} is not valid JSON")
                    continue
                uid = str(board.get("uid") or "")
                if not uid:
                    yield _v(cm, "dashboard-sidecar", "dashboard has no uid")
                elif uid in uids:
                    yield _v(cm, "dashboard-sidecar", f"uid {uid} is also used by {uids[uid].ref}; Grafana keeps only one")
                uids.setdefault(uid, cm)


@rule("image-registry", "consistency")
def image_registry(a: Artifacts) -> Iterator[Violation]:
    """App workloads run images from ECR repositories Terraform declares (a failure seen before: images pulled
    from a registry that failed). Tags and registries of every image: image-pinned."""
    index = Index(a)
    app_dirs = {d for apps in index.applications.values() for app in apps if APP_LABEL in ((app.obj.get("metadata") or {}).get("labels") or {}) for d in index.source_dirs(app)}
    for m in a.manifests:
        if m.file.rsplit("/", 1)[0] + "/" not in app_dirs:
            continue
        for container in containers(m.obj):
            image = str(container.get("image", ""))
            repo = image.split("@", 1)[0].rpartition(":")[0] if ":" in image.rsplit("/", 1)[-1] else image.split("@", 1)[0]
            match = re.match(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/(.+)$", repo)
            if not match or match.group(1) not in index.ecr_repositories:
                yield _v(m, "image-registry", f"image {image} is not from an ECR repository Terraform declares")


@rule("kong-lb-name", "consistency")
def kong_lb_name(a: Artifacts) -> Iterator[Violation]:
    """The NLB name on the Kong proxy Service (as the chart renders it) is the one the env's DNS
    stack looks up; otherwise `terraform apply` of the DNS stack fails or points the wildcard
    at nothing."""
    index = Index(a)
    for env in a.environments:
        lookups = index.load_balancer_lookups(env)
        proxies = [m for m in rendered_manifests(a, env, "Service", chart="kong") if (m.obj.get("spec") or {}).get("type") == "LoadBalancer"]
        names = set()
        for proxy in proxies:
            name = ((proxy.obj.get("metadata") or {}).get("annotations") or {}).get(LB_NAME_ANNOTATION)
            if not name:
                yield _v(proxy, "kong-lb-name", f"Kong proxy Service has no {LB_NAME_ANNOTATION} annotation; the DNS stack looks up {', '.join(lookups) or 'nothing'}")
            elif name not in lookups:
                yield _v(proxy, "kong-lb-name", f"Kong NLB name {name!r} is not the one the {env} DNS stack looks up ({', '.join(lookups) or 'none'})")
            names.add(name)
        for lookup in lookups:
            if lookup not in names:
                target = next(iter(proxies), None) or Manifest(env, f"{env}/apps", {"kind": "Application", "metadata": {"name": "kong"}})
                yield _v(target, "kong-lb-name", f"the {env} DNS stack looks up NLB {lookup!r}, which no rendered Kong LoadBalancer Service is named")


@rule("rwo-rolling-update", "consistency")
def rwo_rolling_update(a: Artifacts) -> Iterator[Violation]:
    """A ReadWriteOnce volume never sits under a RollingUpdate Deployment, in the tree or in a
    chart's render: the new pod waits for the volume the old pod holds, forever (a failure seen before:
    Grafana stuck in Init for 52 minutes)."""
    index = Index(a)
    for env in a.environments:
        objects = [m for m in a.manifests if m.env == env] + rendered_manifests(a, env)
        rwo = {(index.namespace_of(p), p.name) for p in objects if p.kind == "PersistentVolumeClaim" and "ReadWriteOnce" in ((p.obj.get("spec") or {}).get("accessModes") or [])}
        for deployment in (m for m in objects if m.kind == "Deployment"):
            spec = deployment.obj.get("spec") or {}
            strategy = (spec.get("strategy") or {}).get("type", "RollingUpdate")
            volumes = ((spec.get("template") or {}).get("spec") or {}).get("volumes") or []
            claims = [(v.get("persistentVolumeClaim") or {}).get("claimName") for v in volumes if v.get("persistentVolumeClaim")]
            for claim in claims:
                if (index.namespace_of(deployment), claim) in rwo and strategy != "Recreate":
                    yield _v(deployment, "rwo-rolling-update", f"mounts ReadWriteOnce claim {claim} with strategy {strategy}; use Recreate")


@rule("single-owner", "consistency")
def single_owner(a: Artifacts) -> Iterator[Violation]:
    """Every object is synced by exactly one Application: none means Argo CD never applies it, two
    means they fight and one prunes what the other creates."""
    index = Index(a)
    for m in a.manifests:
        owners = index.owners(m)
        if not owners:
            yield _v(m, "single-owner", "no Application syncs this file's directory")
        elif len(owners) > 1:
            yield _v(m, "single-owner", f"synced by {len(owners)} Applications: {', '.join(sorted(o.name for o in owners))}")


@rule("namespace-name", "consistency")
def namespace_name(a: Artifacts) -> Iterator[Violation]:
    """Namespace names are DNS-1123 labels (the API server rejects others at sync time)."""
    for ns in a.of_kind("Namespace"):
        if len(ns.name) > 63 or not DNS_1123_LABEL.match(ns.name):
            yield _v(ns, "namespace-name", f"{ns.name!r} is not a DNS-1123 label")


@rule("destination-namespace", "consistency")
def destination_namespace(a: Artifacts) -> Iterator[Violation]:
    """Every Application's destination namespace and every namespaced object's namespace is a
    Namespace rendered in the env (Applications use CreateNamespace=false)."""
    index = Index(a)
    for env in a.environments:
        rendered = {m.name for m in a.of_kind("Namespace", env)}
        for app in index.applications.get(env, []):
            namespace = ((app.obj.get("spec") or {}).get("destination") or {}).get("namespace")
            if namespace and namespace not in rendered and namespace not in ("argocd", "kube-system", "default"):
                yield _v(app, "destination-namespace", f"destination namespace {namespace} is not rendered in {env}")
        for m in a.manifests:
            if m.env == env and m.namespace and m.namespace not in rendered and m.namespace not in ("argocd", "kube-system", "default"):
                yield _v(m, "destination-namespace", f"namespace {m.namespace} is not rendered in {env}")


@rule("env-parity", "consistency")
def env_parity(a: Artifacts) -> Iterator[Violation]:
    """Every environment runs the same platform components unless config/ disables one there
    (read from the config's own disabled lists, never from an annotation of the tree an edit could
    change); the predecessor had only dev complete. Without a config every env must match."""
    index = Index(a)
    components: dict[str, set[str]] = {}
    for env in a.environments:
        components[env] = {
            app.name.removeprefix(f"{env}-")
            for app in index.applications.get(env, [])
            if any(s.get("chart") for s in sources(app))
        }
    config = a.config
    everywhere = set().union(*components.values()) if components else set()
    for env in a.environments:
        target = next(iter(a.of_kind("AppProject", env)), None) or Manifest(env, f"{env}/apps", {"kind": "AppProject"})
        if config is not None and env in config.environments:
            wanted = set(config.components_in(env))
            for component in sorted(wanted - components[env]):
                yield _v(target, "env-parity", f"component {component} is enabled for {env} in config/ but no Application of {env} runs it")
            for component in sorted(components[env] - wanted):
                yield _v(target, "env-parity", f"component {component} runs in {env} but config/ disables it there")
        else:
            for component in sorted(everywhere - components[env]):
                yield _v(target, "env-parity", f"component {component} runs in other environments but not in {env}")
