"""Tenant isolation of secrets (issue 12): an app reads only its own secrets, in the IAM shape
as well as in the tree.

The shape these rules hold the artifacts to (stacks/irsa.py, cdk8s_app/platform.py): every app
namespace ``apps-<app>`` has one SecretStore that assumes the env's tenant reader role with the
session tag ``<tag>=<app>``; the role reads only ``<org>/<env>/${aws:PrincipalTag/<tag>}/*``
secrets that also carry the resource tag ``<tag>=<app>``; only the External Secrets operator's
role may assume it, and only with that tag; the ClusterSecretStore (the operator's own identity)
admits no app namespace. Without these, any ExternalSecret in an app namespace (a team's own
manifest, a kubectl user) could name the cluster-wide store and copy another team's secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from goldenpath.trees import as_list
from goldenpath.verify import optimize
from goldenpath.verify.artifacts import Artifacts, Manifest, TfBlock
from goldenpath.verify.index import Index, TfRole
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

APP_NAMESPACE_PREFIX = "apps-"  # goldenpath.naming.app_namespace
SECRET_READ = {"secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue", "secretsmanager:*", "*"}
DECRYPT = {"kms:Decrypt", "kms:*", "*"}
_REQUEST_TAG = re.compile(r"^aws:RequestTag/(.+)$")


def _v(m: Manifest, rule_id: str, message: str) -> Violation:
    return Violation(m.file, m.ref, rule_id, message)


def _tf(block: TfBlock) -> Manifest:
    return Manifest(block.stack, block.file, {"kind": block.type, "metadata": {"name": block.name}})


def _unescape(value: Any) -> str:
    """Terraform JSON escapes an IAM policy variable ``${...}`` as ``$${...}``."""
    return str(value).replace("$${", "${")


def _aws(store: Manifest) -> dict[str, Any]:
    return ((store.obj.get("spec") or {}).get("provider") or {}).get("aws") or {}


def _store_refs(es: Manifest) -> list[dict[str, Any]]:
    """Every store an ExternalSecret reads through: spec.secretStoreRef and per-entry sourceRef.storeRef."""
    spec = es.obj.get("spec") or {}
    refs = [spec.get("secretStoreRef") or {}]
    for entry in [*(spec.get("data") or []), *(spec.get("dataFrom") or [])]:
        store = ((entry.get("sourceRef") or {}).get("storeRef")) if isinstance(entry, dict) else None
        if store:
            refs.append(store)
    return refs


def _namespaced_store(a: Artifacts, env: str, namespace: str, name: str) -> Manifest | None:
    """The env's first SecretStore of that namespace and name. Asked per ExternalSecret: indexed
    once per manifest list (a scan per question was 3.4 s at 2,000 apps)."""
    if not optimize.enabled():
        return next((s for s in a.of_kind("SecretStore", env) if s.namespace == namespace and s.name == name), None)
    stamp = (id(a.manifests), len(a.manifests))
    cached = a.cache.get("secret-store-index")
    if cached is None or cached[0] != stamp:
        index: dict[tuple[str, str, str], Manifest] = {}
        for store in a.of_kind("SecretStore"):
            index.setdefault((store.env, store.namespace, store.name), store)
        cached = a.cache["secret-store-index"] = (stamp, index)
    found: Manifest | None = cached[1].get((env, namespace, name))
    return found


def reads_as_operator(a: Artifacts, es: Manifest) -> bool:
    """Whether the ExternalSecret reads with the operator's own identity (the ClusterSecretStore,
    or a store that assumes no role) rather than through the tenant role. iam-secret-scope and
    secret-kms-decrypt hold the operator's role to what these ExternalSecrets read."""
    for ref in _store_refs(es):
        if ref.get("kind") == "ClusterSecretStore":
            return True
        store = _namespaced_store(a, es.env, es.namespace, str(ref.get("name")))
        if store is None or not _aws(store).get("role"):
            return True
    return False


def _app_namespaces(a: Artifacts, env: str) -> dict[str, dict[str, str]]:
    """Rendered app namespaces -> their labels (with the kubernetes.io/metadata.name the API server adds)."""
    found = {}
    for ns in a.of_kind("Namespace", env):
        if ns.name.startswith(APP_NAMESPACE_PREFIX):
            labels = dict((ns.obj.get("metadata") or {}).get("labels") or {})
            found[ns.name] = {**labels, "kubernetes.io/metadata.name": ns.name}
    return found


def _selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """metav1.LabelSelector semantics (matchLabels AND matchExpressions)."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), set(expr.get("values") or [])
        present = key in labels
        if (op == "In" and (not present or labels[key] not in values)) or (op == "NotIn" and present and labels[key] in values):
            return False
        if (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True


def _admits(store: Manifest, namespace: str, labels: dict[str, str]) -> bool:
    """ESO's own test (pkg/controllers/secretstore/client_manager.go shouldProcessSecret): no
    conditions admit every namespace; otherwise one matching selector, name or regex (Go
    regexp.MatchString, i.e. unanchored) admits."""
    conditions = (store.obj.get("spec") or {}).get("conditions") or []
    if not conditions:
        return True
    for condition in conditions:
        if condition.get("namespaceSelector") is not None and _selector_matches(condition["namespaceSelector"], labels):
            return True
        if namespace in (condition.get("namespaces") or []):
            return True
        if any(re.search(str(pattern), namespace) for pattern in condition.get("namespaceRegexes") or []):
            return True
    return False


def _tenant_tag(role: TfRole) -> str | None:
    """The session tag the role's trust requires (``aws:RequestTag/<tag>``)."""
    for statement in role.trust:
        for op in (statement.get("Condition") or {}).values():
            for key in op or {}:
                match = _REQUEST_TAG.match(str(key))
                if match:
                    return match.group(1)
    return None


@rule("tenant-secret-store", "consistency")
def tenant_secret_store(a: Artifacts) -> Iterator[Violation]:
    """Every ExternalSecret in an app namespace apps-<app> reads through a SecretStore of its own
    namespace that assumes the env's tenant role (full ARN: partition, account) with exactly the
    session tag <tag>=<app> the role's trust requires, and no ClusterSecretStore admits an app
    namespace: otherwise a team's ExternalSecret reads with the operator's identity, or as another app."""
    from goldenpath.verify.aws_facts import account_region  # aws_facts imports consistency, which imports this module

    index = Index(a)
    for env in a.environments:
        partition, account, _region = account_region(a, env)
        roles = index.roles.get(env, {})
        apps = _app_namespaces(a, env)
        for store in a.of_kind("ClusterSecretStore", env):
            admitted = sorted(ns for ns, labels in apps.items() if _admits(store, ns, labels))
            if admitted:
                yield _v(store, "tenant-secret-store", f"admits app namespaces {', '.join(admitted)}: their ExternalSecrets would read with the operator's identity (set conditions to the platform namespaces)")
        for es in a.of_kind("ExternalSecret", env):
            namespace = index.namespace_of(es)
            if not namespace.startswith(APP_NAMESPACE_PREFIX):
                continue
            app = namespace.removeprefix(APP_NAMESPACE_PREFIX)
            for ref in _store_refs(es):
                if ref.get("kind") == "ClusterSecretStore":
                    yield _v(es, "tenant-secret-store", f"reads through ClusterSecretStore {ref.get('name')!r}, not the SecretStore of {namespace} (the tenant role tagged {app})")
                    continue
                found = _namespaced_store(a, env, namespace, str(ref.get("name")))
                if found is None:
                    continue  # externalsecret-store reports it
                store = found
                aws = _aws(store)
                arn = str(aws.get("role") or "")
                name = arn.rsplit("/", 1)[-1]
                role = roles.get(name)
                tag = _tenant_tag(role) if role is not None else None
                if role is None or tag is None:
                    yield _v(store, "tenant-secret-store", f"assumes {arn or 'no role'}, not a {env} tenant role (a Terraform role whose trust requires a session tag)")
                    continue
                wanted = f"arn:{partition}:iam::{account}:role/{name}"
                if arn != wanted:
                    yield _v(store, "tenant-secret-store", f"role {arn} is not the {env} tenant role {wanted}")
                tags = [(str(t.get("key")), str(t.get("value"))) for t in aws.get("sessionTags") or []]
                if tags != [(tag, app)]:
                    yield _v(store, "tenant-secret-store", f"session tags {tags} are not exactly [({tag!r}, {app!r})], the app of {namespace}")
                if aws.get("auth"):
                    yield _v(store, "tenant-secret-store", "sets auth: the tenant role trusts only the operator's own identity")
                if aws.get("sessionTagsPolicy") not in (None, "None"):
                    yield _v(store, "tenant-secret-store", f"sessionTagsPolicy {aws.get('sessionTagsPolicy')} replaces the session tags (ESO providers/v1/aws/provider.go newClient)")


def _principal_tag_only(statement: dict[str, Any], tag: str) -> bool:
    value = ((statement.get("Condition") or {}).get("StringEquals") or {}).get(f"secretsmanager:ResourceTag/{tag}")
    return value is not None and _unescape(value) == f"${{aws:PrincipalTag/{tag}}}"


def _tenant_roles(a: Artifacts, env: str, index: Index) -> dict[str, TfRole]:
    """Roles the env's app SecretStores assume (by name)."""
    roles = index.roles.get(env, {})
    named = {str(_aws(s).get("role") or "").rsplit("/", 1)[-1] for s in a.of_kind("SecretStore", env) if s.namespace.startswith(APP_NAMESPACE_PREFIX)}
    return {n: roles[n] for n in sorted(named) if n in roles}


@rule("tenant-secret-policy", "consistency")
def tenant_secret_policy(a: Artifacts) -> Iterator[Violation]:
    """The tenant role reads only secrets named <org>/<env>/${aws:PrincipalTag/<tag>}/* that carry
    the resource tag <tag>=${aws:PrincipalTag/<tag>}, decrypts only through Secrets Manager, is
    assumable only by the External Secrets operator's role with that tag, and every secret an app
    reads carries its tag and a key the role may decrypt: a wider grant lets one app's session
    read another's secrets; a missing tag or key fails the app's sync with AccessDenied."""
    from goldenpath.verify.aws_facts import account_region

    index = Index(a)
    for env in a.environments:
        partition, account, region = account_region(a, env)
        secrets = index.secrets.get(env, {})
        for name, role in _tenant_roles(a, env, index).items():
            target = _tf(role.block)
            tag = _tenant_tag(role) or ""
            prefixes = {f"{s.split('/', 2)[0]}/{env}/" for s in secrets if s.count("/") >= 2}
            wanted = {f"arn:{partition}:secretsmanager:{region}:{account}:secret:{p}${{aws:PrincipalTag/{tag}}}/*" for p in prefixes}
            decrypt_keys: set[str] = set()
            for statement in role.policies:
                if statement.get("Effect") != "Allow":
                    continue
                actions = {str(x) for x in as_list(statement.get("Action"))}
                resources = [_unescape(r) for r in as_list(statement.get("Resource"))]
                if actions & DECRYPT:
                    via = ((statement.get("Condition") or {}).get("StringEquals") or {}).get("kms:ViaService")
                    if via != f"secretsmanager.{region}.amazonaws.com" or actions - {"kms:Decrypt"}:
                        yield _v(target, "tenant-secret-policy", f"role {name} may {sorted(actions)} on {resources} outside kms:Decrypt via secretsmanager.{region}.amazonaws.com")
                    decrypt_keys.update(resources)
                elif actions - {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}:
                    yield _v(target, "tenant-secret-policy", f"role {name} may {sorted(actions - {'secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'})}: an app session needs only GetSecretValue")
                elif any(r not in wanted for r in resources) or not _principal_tag_only(statement, tag):
                    yield _v(target, "tenant-secret-policy", f"role {name} may read {resources} (condition {statement.get('Condition')}), not only {sorted(wanted)} with secretsmanager:ResourceTag/{tag} = ${{aws:PrincipalTag/{tag}}}")
            operators = _operator_roles(a, env, index)
            for statement in role.trust:
                if statement.get("Effect") != "Allow":
                    continue
                principal = statement.get("Principal")
                arns = as_list(principal.get("AWS")) if isinstance(principal, dict) and set(principal) == {"AWS"} else [principal]
                conditions = statement.get("Condition") or {}
                if any(str(p) not in operators for p in arns):
                    yield _v(target, "tenant-secret-policy", f"role {name} trusts {principal}, not only the External Secrets operator's role")
                if "sts:TagSession" not in as_list(statement.get("Action")) or f"aws:RequestTag/{tag}" not in (conditions.get("StringLike") or {}) or (conditions.get("ForAllValues:StringEquals") or {}).get("aws:TagKeys") != [tag]:
                    yield _v(target, "tenant-secret-policy", f"role {name} may be assumed without exactly the session tag {tag} (sts:TagSession, aws:RequestTag/{tag}, aws:TagKeys)")
            for es in a.of_kind("ExternalSecret", env):
                namespace = index.namespace_of(es)
                if not namespace.startswith(APP_NAMESPACE_PREFIX) or reads_as_operator(a, es):
                    continue
                app = namespace.removeprefix(APP_NAMESPACE_PREFIX)
                for entry in (es.obj.get("spec") or {}).get("data") or []:
                    key = str((entry.get("remoteRef") or {}).get("key"))
                    secret = secrets.get(key)
                    if secret is None or key.split("/")[2:3] != [app]:
                        continue  # externalsecret-remote-key / externalsecret-tenant report it
                    tags = secret.block.body.get("tags") or {}
                    if tags.get(tag) != app:
                        yield _v(es, "tenant-secret-policy", f"reads {key}, which lacks the resource tag {tag}={app} role {name} requires (has {tags.get(tag)!r})")
                    kms = str(secret.block.body.get("kms_key_id") or "")
                    if kms and not any(_same_key(kms, secret.block, k) for k in decrypt_keys):
                        yield _v(es, "tenant-secret-policy", f"reads {key}, encrypted with {kms}, which role {name} may not kms:Decrypt")


def _same_key(kms: str, secret: TfBlock, granted: str) -> bool:
    """A decrypt grant names the secret's key: the same reference in its own stack, or the
    cross-stack output CDKTF makes of it (``...outputs.cross-stack-output-aws_kms_key<name>arn``)."""
    if granted == kms or granted == "*":
        return True
    match = re.match(r"^\$\{aws_kms_key\.([A-Za-z0-9_-]+)\.arn\}$", kms)
    return match is not None and granted.endswith(f"aws_kms_key{match.group(1)}arn}}")


def _operator_roles(a: Artifacts, env: str, index: Index) -> set[str]:
    """How a trust policy names the External Secrets operator's role (its Terraform reference or
    its ARN): the role whose web-identity trust names the ServiceAccount the ClusterSecretStore
    authenticates as."""
    from goldenpath.verify.aws_facts import account_region

    partition, account, _region = account_region(a, env)
    subjects = set()
    for store in a.of_kind("ClusterSecretStore", env):
        ref = ((_aws(store).get("auth") or {}).get("jwt") or {}).get("serviceAccountRef") or {}
        if ref:
            subjects.add(f"system:serviceaccount:{ref.get('namespace')}:{ref.get('name')}")
    found: set[str] = set()
    for role in index.roles.get(env, {}).values():
        if role.subjects() & subjects:
            found |= {f"${{aws_iam_role.{role.block.name}.arn}}", f"arn:{partition}:iam::{account}:role/{role.name}"}
    return found


def _covers(rules: list[dict[str, Any]]) -> bool:
    """Whether admission rules (NamedRuleWithOperations) cover CREATE and UPDATE of
    external-secrets.io secretstores (the main resource) in every served version."""
    for r in rules:
        groups, versions, resources = set(r.get("apiGroups") or []), set(r.get("apiVersions") or []), set(r.get("resources") or [])
        operations = set(r.get("operations") or [])
        if (
            groups & {"external-secrets.io", "*"}
            and versions & {"*"}
            and resources & {"secretstores", "*"}
            and ("*" in operations or {"CREATE", "UPDATE"} <= operations)
            and not r.get("resourceNames")
            and r.get("scope", "*") in ("*", "Namespaced")
        ):
            return True
    return False


def _cel_literal(expression: Any) -> str | None:
    """The value of a CEL string literal written as JSON (cdk8s_app/platform.cel_string), else None."""
    try:
        value = json.loads(str(expression))
    except ValueError:
        return None
    return value if isinstance(value, str) else None


_PREFIX_CONDITION = f"request.namespace.startsWith({json.dumps(APP_NAMESPACE_PREFIX)})"


@rule("tenant-admission", "consistency")
def tenant_admission(a: Artifacts) -> Iterator[Violation]:
    """Every env with SecretStores in app namespaces has a ValidatingAdmissionPolicy over CREATE and
    UPDATE of secretstores in every app namespace (matchConditions only the namespace prefix, no
    object or namespace selector, no exclusions, failurePolicy Fail) whose variables tenantRole
    and tenantTag are the env's tenant role in the Terraform JSON (full ARN) and the session tag
    its trust requires, with validations that use them, bound with validationActions Deny and no
    narrowing: ESO assumes every store's role with one controller identity, so without it whoever
    may write a SecretStore in an app namespace (kubectl) claims another app's tag or chains roles."""
    from goldenpath.verify.aws_facts import account_region

    index = Index(a)
    for env in a.environments:
        stores = sorted((s for s in a.of_kind("SecretStore", env) if s.namespace.startswith(APP_NAMESPACE_PREFIX)), key=lambda s: s.file)
        if not stores:
            continue
        partition, account, _region = account_region(a, env)
        tenant = {n: r for n, r in sorted(index.roles.get(env, {}).items()) if _tenant_tag(r) is not None}
        wanted_roles = {f"arn:{partition}:iam::{account}:role/{n}" for n in tenant}
        wanted_tags = {str(_tenant_tag(r)) for r in tenant.values()}
        policies = [p for p in a.of_kind("ValidatingAdmissionPolicy", env) if _covers(((p.obj.get("spec") or {}).get("matchConstraints") or {}).get("resourceRules") or [])]
        bindings = list(a.of_kind("ValidatingAdmissionPolicyBinding", env))
        if not policies:
            yield _v(stores[0], "tenant-admission", f"no ValidatingAdmissionPolicy in {env} covers CREATE/UPDATE of external-secrets.io secretstores: a kubectl user could write this store with another app's tag")
            continue
        for policy in policies:
            spec = policy.obj.get("spec") or {}
            constraints = spec.get("matchConstraints") or {}
            if spec.get("failurePolicy", "Fail") != "Fail":
                yield _v(policy, "tenant-admission", f"failurePolicy {spec.get('failurePolicy')}: an expression error would admit the store (Fail denies)")
            narrowing = [k for k in ("namespaceSelector", "objectSelector", "excludeResourceRules") if constraints.get(k)]
            if narrowing:
                yield _v(policy, "tenant-admission", f"matchConstraints set {', '.join(narrowing)}: a store could be written outside the policy (an object selector is the writer's own labels)")
            conditions = [str(c.get("expression")) for c in spec.get("matchConditions") or []]
            if conditions != [_PREFIX_CONDITION]:
                yield _v(policy, "tenant-admission", f"matchConditions {conditions} are not exactly [{_PREFIX_CONDITION}]: every app namespace, and only by its prefix")
            variables = {str(v.get("name")): v.get("expression") for v in spec.get("variables") or []}
            role, tag = _cel_literal(variables.get("tenantRole")), _cel_literal(variables.get("tenantTag"))
            if role not in wanted_roles:
                yield _v(policy, "tenant-admission", f"variable tenantRole {role or variables.get('tenantRole')!r} is not the {env} tenant role in the Terraform JSON ({', '.join(sorted(wanted_roles)) or 'none: no role requires a session tag'})")
            if tag not in wanted_tags:
                yield _v(policy, "tenant-admission", f"variable tenantTag {tag or variables.get('tenantTag')!r} is not the session tag the tenant role's trust requires ({', '.join(sorted(wanted_tags)) or 'none'})")
            expressions = " ".join(str(v.get("expression")) for v in spec.get("validations") or [])
            unused = [v for v in ("variables.tenantRole", "variables.tenantTag") if v not in expressions]
            if unused:
                yield _v(policy, "tenant-admission", f"no validation uses {', '.join(unused)}")
            bound = [b for b in bindings if (b.obj.get("spec") or {}).get("policyName") == policy.name]
            enforcing = [b for b in bound if "Deny" in ((b.obj.get("spec") or {}).get("validationActions") or []) and not (b.obj.get("spec") or {}).get("matchResources")]
            if not enforcing:
                found = ", ".join(f"{b.name} {(b.obj.get('spec') or {}).get('validationActions')}" for b in bound) or "none"
                yield _v(policy, "tenant-admission", f"no ValidatingAdmissionPolicyBinding enforces it with validationActions [Deny] and no matchResources (found: {found})")
