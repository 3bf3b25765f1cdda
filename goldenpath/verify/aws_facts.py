"""AWS facts compared in full, not by name (issue 12).

An ARN that names the right role in another account, region or partition, a trust policy for
the right subject but another audience or OIDC provider, a security group that opens another
port than the one the secret and the NetworkPolicy use: every name matches and the deploy
still fails (the pod falls back to the node role, the connection times out).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from goldenpath import identifiers
from goldenpath.trees import as_list
from goldenpath.verify.artifacts import Artifacts, Manifest, TfBlock
from goldenpath.verify.charts import rendered_manifests
from goldenpath.verify.consistency import IRSA_ANNOTATION, LB_NAME_ANNOTATION, RDS_TAG, _irsa_annotations
from goldenpath.verify.index import Index, containers, sources
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

AUDIENCE = "sts.amazonaws.com"  # what the EKS pod identity webhook's projected token carries
ECR_IMAGE = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<cn>\.cn)?/.+")


def _v(manifest: Manifest, rule_id: str, message: str) -> Violation:
    return Violation(manifest.file, manifest.ref, rule_id, message)


def _tf(block: TfBlock) -> Manifest:
    return Manifest(block.stack, block.file, {"kind": block.type, "metadata": {"name": block.name}})


def account_region(a: Artifacts, env: str | None) -> tuple[str, str, str]:
    """(partition, account, region) of an env's AWS provider (allowed_account_ids, region)."""
    for stack in a.stacks.values():
        if stack.environment == env or (env is None and stack.environment in (None, "global")):
            for provider in as_list(stack.document.get("provider", {}).get("aws")):
                accounts = as_list(provider.get("allowed_account_ids"))
                region = str(provider.get("region", ""))
                if accounts and region:
                    partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
                    return partition, str(accounts[0]), region
    return "aws", "", ""


@rule("arn-exact", "consistency")
def arn_exact(a: Artifacts) -> Iterator[Violation]:
    """IRSA role ARNs, ECR image registries, the ClusterSecretStore region and the RDS tag ARN are
    compared in full with the env's Terraform: partition, account and region, not only the name."""
    index = Index(a)
    operators: dict[str, set[str]] = {}  # env -> namespace/name of the External Secrets operator's IRSA ServiceAccounts
    for owner, arn, namespace, service_account, _sa in _irsa_annotations(a, index):
        if owner.kind == "Application" and any(src.get("chart") == "external-secrets" for src in sources(owner)):
            operators.setdefault(owner.env, set()).add(f"{namespace}/{service_account}")
        partition, account, _region = account_region(a, owner.env)
        name = arn.rsplit("/", 1)[-1]
        wanted = f"arn:{partition}:iam::{account}:role/{name}"
        if arn != wanted and name in index.roles.get(owner.env, {}):
            yield _v(owner, "arn-exact", f"{IRSA_ANNOTATION} {arn} is not the {owner.env} role {wanted}")
    for env in a.environments:
        partition, account, region = account_region(a, env)
        for m in a.manifests:
            if m.env != env:
                continue
            for container in containers(m.obj):
                match = ECR_IMAGE.fullmatch(str(container.get("image", "")))
                if match and (match.group("account"), match.group("region")) != (account, region):
                    yield _v(m, "arn-exact", f"image {container.get('image')} is in ECR of account {match.group('account')} region {match.group('region')}, not {account} {region} where Terraform creates the repositories")
        for store in a.of_kind("ClusterSecretStore", env):
            aws = ((store.obj.get("spec") or {}).get("provider") or {}).get("aws") or {}
            if aws.get("region") != region:
                yield _v(store, "arn-exact", f"region {aws.get('region')!r} is not {region}, where the {env} secrets live")
            ref = ((aws.get("auth") or {}).get("jwt") or {}).get("serviceAccountRef") or {}
            used = f"{ref.get('namespace')}/{ref.get('name')}"
            if ref and used not in operators.get(env, set()):
                yield _v(store, "arn-exact", f"authenticates as ServiceAccount {used}, not the External Secrets operator's IRSA ServiceAccount ({', '.join(sorted(operators.get(env, set()))) or 'none'})")
        for es in a.of_kind("ExternalSecret", env):
            for entry in (es.obj.get("spec") or {}).get("dataFrom") or []:
                tag = (((entry.get("find") or {}).get("tags")) or {}).get(RDS_TAG)
                if tag is None:
                    continue
                ids = index.db_identifiers(env)
                instance_arns = {f"arn:{partition}:rds:{region}:{account}:db:{i}" for i in ids}
                if tag not in instance_arns:
                    yield _v(es, "arn-exact", f"tag {RDS_TAG}={tag} is not the ARN of the {env} RDS instance ({', '.join(sorted(instance_arns)) or 'none'})")


@rule("irsa-audience", "consistency")
def irsa_audience(a: Artifacts) -> Iterator[Violation]:
    """Every web-identity trust statement names the env's own OIDC provider as Federated principal
    and requires aud = sts.amazonaws.com; otherwise STS refuses the pod's token (or any cluster
    trusting that provider could assume the role)."""
    index = Index(a)
    for env, roles in index.roles.items():
        providers = {f"${{aws_iam_openid_connect_provider.{b.name}.arn}}" for b in a.blocks("aws_iam_openid_connect_provider", env)}
        for role in roles.values():
            for statement in role.trust:
                if "sts:AssumeRoleWithWebIdentity" not in as_list(statement.get("Action")):
                    continue
                federated = set(map(str, as_list((statement.get("Principal") or {}).get("Federated"))))
                if not federated or not federated <= providers:
                    yield _v(_tf(role.block), "irsa-audience", f"role {role.name} trusts {sorted(federated)}, not the {env} OIDC provider ({', '.join(sorted(providers)) or 'none'})")
                conditions = (statement.get("Condition") or {}).get("StringEquals") or {}
                audiences = [v for k, v in conditions.items() if k.endswith(":aud")]
                if audiences != [AUDIENCE]:
                    yield _v(_tf(role.block), "irsa-audience", f"role {role.name} requires aud {audiences or 'nothing'}, not exactly {AUDIENCE}")


@rule("database-port", "consistency")
def database_port(a: Artifacts) -> Iterator[Violation]:
    """The RDS port, the database security group's ingress port, the port in every database
    secret and the provisioning Job's NetworkPolicy egress port are one number (a mismatch is a
    connection that times out, not an error anyone sees at synth time)."""
    for env in a.environments:
        instances = list(a.blocks("aws_db_instance", env))
        ports = {int(b.body.get("port", 5432)) for b in instances}
        if len(ports) != 1:
            continue
        (port,) = ports
        for sg in a.blocks("aws_security_group", env):
            for ingress in sg.body.get("ingress") or []:
                if "PostgreSQL" in str(ingress.get("description", "")) and (ingress.get("from_port"), ingress.get("to_port")) != (port, port):
                    yield _v(_tf(sg), "database-port", f"ingress {ingress.get('from_port')}-{ingress.get('to_port')} is not the RDS port {port}")
        for version in a.blocks("aws_secretsmanager_secret_version", env):
            try:
                data = json.loads(version.body.get("secret_string", ""))
            except (TypeError, ValueError):
                continue
            if isinstance(data, dict) and "port" in data and str(data["port"]) != str(port):
                yield _v(_tf(version), "database-port", f"secret port {data['port']} is not the RDS port {port}")
        for policy in a.of_kind("NetworkPolicy", env):
            for egress in (policy.obj.get("spec") or {}).get("egress") or []:
                numbers = [p.get("port") for p in egress.get("ports") or []]
                if egress.get("to") and numbers and port not in numbers and 53 not in numbers:
                    yield _v(policy, "database-port", f"egress to {egress['to']} allows ports {numbers}, not the RDS port {port}")


@rule("aws-name-limits", "consistency")
def aws_name_limits(a: Artifacts) -> Iterator[Violation]:
    """Names AWS would reject at apply time: IAM roles over 64, load balancers over 32 (in
    Terraform and on the Kong Service the chart renders), RDS identifiers, ECR repositories and
    S3 buckets outside their rules (goldenpath.identifiers holds each limit)."""
    checks = (
        ("aws_iam_role", "name", identifiers.IAM_ROLE, "resource"),
        ("aws_db_instance", "identifier", identifiers.RDS_IDENTIFIER, "resource"),
        ("aws_ecr_repository", "name", identifiers.ECR_REPOSITORY, "resource"),
        ("aws_s3_bucket", "bucket", identifiers.S3_BUCKET, "resource"),
        ("aws_eks_cluster", "name", identifiers.EKS_CLUSTER, "resource"),
        ("aws_lb", "name", identifiers.LOAD_BALANCER, "data"),
    )
    for rtype, attribute, kind, mode in checks:
        for block in a.blocks(rtype, mode=mode):
            value = block.body.get(attribute)
            if isinstance(value, str) and "${" not in value:
                problem = kind.derived_problem(f"{rtype}.{attribute}", value)
                if problem:
                    yield _v(_tf(block), "aws-name-limits", problem)
    for env in a.environments:
        for service in [*a.of_kind("Service", env), *rendered_manifests(a, env, "Service")]:
            name = ((service.obj.get("metadata") or {}).get("annotations") or {}).get(LB_NAME_ANNOTATION)
            if name and (problem := identifiers.LOAD_BALANCER.derived_problem("load balancer name", str(name))):
                yield _v(service, "aws-name-limits", problem)
