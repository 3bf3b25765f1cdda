"""What every stack shares: the AWS provider with default tags, the backend, KMS keys, IAM helpers.

All CDKTF imports of the stacks are plain ``from cdktf... import`` lines at the top of each
module, so a switch to the maintained fork ``cdktn`` is a rename (DESIGN §2). Resources are
created directly on the stack (not inside nested constructs) so their Terraform addresses are
the readable ids given here, not hashed paths: the tests, the verifier and checkov skips use them.
"""

from __future__ import annotations

import json
from typing import Any

from cdktf import LocalBackend, S3Backend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig

# Relative to the stack's working directory cdktf.out/stacks/state/: the state of the state
# bucket must survive `make synth`, which replaces cdktf.out/ as a whole.
STATE_STACK_LOCAL_PATH = "../../../terraform.state.tfstate"
KMS_DELETION_WINDOW_DAYS = 30
LOG_RETENTION_DAYS = 365  # checkov CKV_AWS_338: at least a year


def policy_json(statements: list[dict[str, Any]]) -> str:
    """An IAM policy document as a sorted JSON string (deterministic, parseable offline).

    Tokens inside (``${aws_kms_key.x.arn}``) stay plain text inside JSON strings, so the
    verifier can ``json.loads`` the synthesized value; never put Terraform function calls with
    quoted arguments in here (they would break that).
    """
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def trust_service(service: str, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return policy_json([statement])


class PlatformStack(TerraformStack):
    """A stack with the AWS provider (default tags, pinned account) and its backend.

    ``env`` is None for the global stacks. ``local_state`` is only for the ``state`` stack that
    creates the bucket every other stack keeps its state in.
    """

    def __init__(self, scope: Construct, name: str, *, config: PlatformConfig, env: str | None, local_state: bool = False) -> None:
        super().__init__(scope, name)
        self.config = config
        self.platform = config.platform
        self.env = env
        self.stack_name = name
        # service role id -> its managed-policy attachments (resources that must outlive users
        # of the role: EKS leaks ENIs if the cluster policy is detached before the cluster is gone).
        self.role_attachments: dict[str, list[IamRolePolicyAttachment]] = {}
        self.aws = AwsProvider(
            self,
            "aws",
            region=self.platform.region,
            allowed_account_ids=[self.platform.account_id],  # a wrong profile fails before any change
            default_tags=[AwsProviderDefaultTags(tags=naming.default_tags(self.platform, env))],
        )
        if local_state:
            LocalBackend(self, path=STATE_STACK_LOCAL_PATH)
        else:
            S3Backend(
                self,
                bucket=self.platform.state.bucket,
                key=naming.state_key(name),
                region=self.platform.region,
                encrypt=True,
                # State holds database passwords: without kms_key_id the backend's `encrypt`
                # asks for SSE-S3 and overrides the bucket's KMS default (Terraform S3 backend docs).
                kms_key_id=naming.state_kms_key_arn(self.platform),
            )
            # S3 native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no property for it.
            self.add_override("terraform.backend.s3.use_lockfile", True)

    @property
    def account_root(self) -> str:
        return f"arn:aws:iam::{self.platform.account_id}:root"

    def kms_key(self, id_: str, *, purpose: str, description: str, service_statements: list[dict[str, Any]] | None = None) -> KmsKey:
        """A customer-managed key with rotation and an explicit key policy (checkov CKV_AWS_7, CKV2_AWS_64).

        The account-root statement delegates use to IAM policies (how RDS, EKS and Secrets
        Manager reach the key through their callers' permissions); services that act on their
        own (CloudWatch Logs) get their statement in ``service_statements``.
        """
        statements = [
            {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": self.account_root}, "Action": "kms:*", "Resource": "*"},
            *(service_statements or []),
        ]
        key = KmsKey(
            self,
            id_,
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=KMS_DELETION_WINDOW_DAYS,
            policy=policy_json(statements),
        )
        KmsAlias(self, f"{id_}_alias", name=naming.kms_alias(self.platform, self.env, purpose), target_key_id=key.key_id)
        return key

    def logs_key_statement(self, log_group_arn_pattern: str) -> dict[str, Any]:
        """Lets CloudWatch Logs use a key for log groups matching the pattern (AWS documented policy)."""
        return {
            "Sid": "CloudWatchLogsUse",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{self.platform.region}.amazonaws.com"},
            "Action": ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_group_arn_pattern}},
        }

    def log_group_arn(self, name: str) -> str:
        return f"arn:aws:logs:{self.platform.region}:{self.platform.account_id}:log-group:{name}"

    def service_role(
        self, id_: str, *, purpose: str, service: str, managed_policies: tuple[str, ...] = (), condition: dict[str, Any] | None = None
    ) -> IamRole:
        """A role that an AWS service assumes, with AWS-managed policies attached (one resource each).

        ``condition`` narrows the trust (confused-deputy protection: ``aws:SourceAccount`` /
        ``aws:SourceArn``) for services that act on behalf of a resource."""
        role = IamRole(
            self,
            id_,
            name=naming.iam_role(self.platform, self.env or naming.GLOBAL_SCOPE, purpose),
            assume_role_policy=trust_service(service, condition),
        )
        self.role_attachments[id_] = [
            IamRolePolicyAttachment(self, f"{id_}_policy_{index}", role=role.name, policy_arn=arn) for index, arn in enumerate(sorted(managed_policies))
        ]
        return role

    def output(self, name: str, value: Any, description: str, *, sensitive: bool = False) -> TerraformOutput:
        """An output for operators (`cdktf output <stack>`); named, not hashed, so scripts can read it."""
        out = TerraformOutput(self, f"output_{name}", value=value, description=description, sensitive=sensitive)
        out.override_logical_id(name)
        return out
