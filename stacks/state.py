"""The ``state`` stack: the S3 bucket every other stack keeps its Terraform state in.

It cannot keep its own state in the bucket it creates, so it uses a local backend and is
deployed once, by hand, before anything else (README "First deployment"). The bucket is
versioned (a bad apply can be rolled back), KMS-encrypted, private, and TLS-only.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import S3BucketOwnershipControls
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from stacks.base import PlatformStack, policy_json

NONCURRENT_STATE_VERSIONS_DAYS = 90  # how far back a state file can be restored


class StateStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, naming.STATE_STACK, config=config, env=None, local_state=True)
        bucket_name = self.platform.state.bucket
        key = self.kms_key("state_key", purpose=naming.STATE_KEY_PURPOSE, description=f"Terraform state in s3://{bucket_name}")
        self.this = S3Bucket(self, "bucket", bucket=bucket_name, lifecycle={"prevent_destroy": True})
        versioning = S3BucketVersioningA(self, "versioning", bucket=self.this.id, versioning_configuration={"status": "Enabled"})
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.this.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms", kms_master_key_id=key.arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
        )
        # Bucket -> public access block -> policy -> ownership controls, one after another: S3
        # rejects concurrent bucket-level writes with "A conflicting conditional operation is
        # currently in progress" (terraform-aws-modules/s3-bucket main.tf chains them the same way).
        public_access_block = S3BucketPublicAccessBlock(
            self,
            "public_access_block",
            bucket=self.this.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.this.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="old-state-versions",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=NONCURRENT_STATE_VERSIONS_DAYS)
                    ],
                    abort_incomplete_multipart_upload=[S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)],
                )
            ],
            depends_on=[versioning],  # noncurrent-version rules need versioning first (s3-bucket module)
        )
        bucket_policy = S3BucketPolicy(
            self,
            "tls_only",
            bucket=self.this.id,
            policy=policy_json(
                [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [self.this.arn, f"{self.this.arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ]
            ),
            depends_on=[public_access_block],
        )
        S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=self.this.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            depends_on=[bucket_policy, public_access_block],
        )
        self.output("bucket", self.this.bucket, "S3 bucket every other stack keeps its state in")
        self.output("state_key_arn", key.arn, "KMS key the state objects are encrypted with (backends use its alias)")
