"""What the cluster's controllers need from the Terraform half, read from both artifacts: the
AWS Load Balancer Controller finds its VPC, External Secrets may look secrets up by tag and
decrypt them, and every volume names a StorageClass the EBS CSI add-on creates (or a default).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from goldenpath.trees import as_list
from goldenpath.verify.artifacts import Artifacts, Manifest
from goldenpath.verify.charts import rendered_manifests
from goldenpath.verify.consistency import _irsa_annotations
from goldenpath.verify.index import Index, sources
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
FIND_ACTIONS = ("secretsmanager:BatchGetSecretValue", "secretsmanager:ListSecrets")


def _v(m: Manifest, rule_id: str, message: str) -> Violation:
    return Violation(m.file, m.ref, rule_id, message)


def _args(m: Manifest) -> dict[str, str]:
    found: dict[str, str] = {}
    for container in ((m.obj.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []:
        for arg in container.get("args") or []:
            key, _, value = str(arg).partition("=")
            found[key] = value
    return found


@rule("alb-vpc-discovery", "consistency")
def alb_vpc_discovery(a: Artifacts) -> Iterator[Violation]:
    """The AWS Load Balancer Controller (as its chart renders it) is told its VPC by id or by tags
    the env's VPC really carries: on AL2023 nodes IMDS answers only one hop, so it cannot ask the
    instance metadata, never reconciles a Service and Kong's NLB is never created."""
    for env in a.environments:
        vpc_tags = [dict(b.body.get("tags") or {}) for b in a.blocks("aws_vpc", env)]
        for m in rendered_manifests(a, env, "Deployment", chart="aws-load-balancer-controller"):
            args = _args(m)
            if args.get("--aws-vpc-id"):
                continue
            wanted = dict(pair.split("=", 1) for pair in args.get("--aws-vpc-tags", "").split(",") if "=" in pair)
            if not wanted:
                yield _v(m, "alb-vpc-discovery", "neither --aws-vpc-id nor --aws-vpc-tags: the controller cannot find its VPC on nodes with IMDS hop limit 1")
            elif not any(all(tags.get(k) == v for k, v in wanted.items()) for tags in vpc_tags):
                yield _v(m, "alb-vpc-discovery", f"--aws-vpc-tags {wanted} match no VPC of the {env} stacks (VPC tags: {vpc_tags or 'no VPC'})")


def _allowed_actions(statements: list[dict[str, Any]]) -> set[str]:
    return {str(action) for s in statements if s.get("Effect") == "Allow" for action in as_list(s.get("Action"))}


@rule("secret-find-permission", "consistency")
def secret_find_permission(a: Artifacts) -> Iterator[Violation]:
    """An ExternalSecret that finds secrets by tag (the RDS master secret) needs the operator's
    role to allow secretsmanager:BatchGetSecretValue and ListSecrets (External Secrets'
    find-by-tags calls them); without them the master credentials never sync and the database
    provisioning Job never runs."""
    index = Index(a)
    roles_by_env = {env: [r for r in index.roles.get(env, {}).values() if r.block.name in names] for env, names in _operator_roles(a, index).items()}
    for es in a.of_kind("ExternalSecret"):
        finds = [e for e in (es.obj.get("spec") or {}).get("dataFrom") or [] if "find" in e]
        if not finds:
            continue
        for role in roles_by_env.get(es.env, []):
            missing = [action for action in FIND_ACTIONS if not ({action, "secretsmanager:*", "*"} & _allowed_actions(role.policies))]
            if missing:
                yield _v(es, "secret-find-permission", f"finds secrets by tag, but role {role.name} lacks {', '.join(missing)}")


def _storage_classes(a: Artifacts, env: str) -> tuple[set[str], bool]:
    """(StorageClass names the EBS CSI add-on creates, whether one of them is the default)."""
    names, default = set(), False
    for block in a.blocks("aws_eks_addon", env):
        try:
            configuration = json.loads(block.body.get("configuration_values") or "{}")
        except ValueError:
            continue
        for storage_class in configuration.get("storageClasses") or [] if isinstance(configuration, dict) else []:
            names.add(str(storage_class.get("name")))
            default |= str((storage_class.get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION)) == "true"
    return names, default


def _claims(m: Manifest) -> list[tuple[str, str | None]]:
    """(claim, storageClassName) of a PersistentVolumeClaim or a StatefulSet's claim templates."""
    if m.kind == "PersistentVolumeClaim":
        return [(m.name, (m.obj.get("spec") or {}).get("storageClassName"))]
    if m.kind == "StatefulSet":
        return [(str((t.get("metadata") or {}).get("name")), (t.get("spec") or {}).get("storageClassName")) for t in (m.obj.get("spec") or {}).get("volumeClaimTemplates") or []]
    return []


@rule("storage-class", "consistency")
def storage_class(a: Artifacts) -> Iterator[Violation]:
    """Every volume (PVCs and StatefulSet claim templates, in the tree and in the charts'
    renders) names a StorageClass the EBS CSI add-on creates, or names none while a default
    exists: EKS >= 1.30 has no default class, and such a claim stays Pending forever."""
    for env in a.environments:
        names, default = _storage_classes(a, env)
        for m in [*(m for m in a.manifests if m.env == env), *rendered_manifests(a, env)]:
            for claim, class_name in _claims(m):
                if class_name is None and not default:
                    yield _v(m, "storage-class", f"volume {claim} names no StorageClass and the {env} cluster has no default one")
                elif class_name is not None and class_name not in names:
                    yield _v(m, "storage-class", f"volume {claim} names StorageClass {class_name!r}, which the {env} EBS CSI add-on does not create ({', '.join(sorted(names)) or 'none'})")



def _operator_roles(a: Artifacts, index: Index) -> dict[str, set[str]]:
    """env -> logical names of the External Secrets operator's IRSA roles (from the renders)."""
    found: dict[str, set[str]] = {}
    for owner, arn, _namespace, _account, _sa in _irsa_annotations(a, index):
        if owner.kind == "Application" and any(src.get("chart") == "external-secrets" for src in sources(owner)):
            role = index.roles.get(owner.env, {}).get(arn.rsplit("/", 1)[-1])
            if role is not None:
                found.setdefault(owner.env, set()).add(role.block.name)
    return found


def _decrypt_grants(a: Artifacts, env: str, logical_roles: set[str]) -> set[tuple[str, str]]:
    """(stack, KMS key reference or "*") the roles may kms:Decrypt, from every inline policy of
    the env that names one of them (directly or through a cross-stack output)."""
    grants: set[tuple[str, str]] = set()
    for block in a.blocks("aws_iam_role_policy", env):
        ref = str(block.body.get("role", ""))
        if not any(ref in (f"${{aws_iam_role.{r}.name}}", f"${{aws_iam_role.{r}.id}}") or ref.endswith((f"aws_iam_role{r}name}}", f"aws_iam_role{r}id}}")) for r in logical_roles):
            continue
        try:
            statements = as_list(json.loads(str(block.body.get("policy", "{}"))).get("Statement"))
        except ValueError:
            continue
        for statement in statements:
            if statement.get("Effect") == "Allow" and {"kms:Decrypt", "kms:*", "*"} & set(as_list(statement.get("Action"))):
                grants.update((block.stack, str(resource)) for resource in as_list(statement.get("Resource")))
    return grants


@rule("secret-kms-decrypt", "consistency")
def secret_kms_decrypt(a: Artifacts) -> Iterator[Violation]:
    """The External Secrets operator may kms:Decrypt with the customer-managed key of every secret
    its ExternalSecrets read (Secrets Manager decrypts with the caller's permissions): otherwise
    GetSecretValue fails with AccessDenied although the secretsmanager grant is right."""
    index = Index(a)
    for env, logical_roles in sorted(_operator_roles(a, index).items()):
        grants = _decrypt_grants(a, env, logical_roles)
        master_keys = {(b.stack, str(b.body.get("master_user_secret_kms_key_id"))) for b in a.blocks("aws_db_instance", env) if b.body.get("master_user_secret_kms_key_id")}
        for es in a.of_kind("ExternalSecret", env):
            spec = es.obj.get("spec") or {}
            keys = {str((d.get("remoteRef") or {}).get("key")) for d in spec.get("data") or []}
            keys |= {str((d.get("extract") or {}).get("key")) for d in spec.get("dataFrom") or [] if "extract" in d}
            needed = {(s.block.stack, str(s.block.body["kms_key_id"])) for k in keys if (s := index.secrets.get(env, {}).get(k)) and s.block.body.get("kms_key_id")}
            if any("find" in d for d in spec.get("dataFrom") or []):
                needed |= master_keys
            for stack, key in sorted(needed):
                if (stack, key) not in grants and not any(r == "*" for _s, r in grants):
                    yield _v(es, "secret-kms-decrypt", f"reads secrets encrypted with {key} ({stack}), which the External Secrets role may not kms:Decrypt")
