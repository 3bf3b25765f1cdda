"""stacks/state.py: the state bucket is versioned, KMS-encrypted, private and TLS-only."""

from __future__ import annotations

from goldenpath import naming
from tests.stacks.conftest import policy, resources


def test_state_bucket_is_versioned_encrypted_private_tls_only(stack, default_config) -> None:
    # GIVEN the state stack
    doc = stack(naming.STATE_STACK)
    (bucket,) = resources(doc, "aws_s3_bucket").values()
    # THEN the bucket is the configured one and cannot be destroyed by accident
    assert bucket["bucket"] == default_config.platform.state.bucket
    assert bucket["lifecycle"] == {"prevent_destroy": True}
    # AND versioning is on
    assert resources(doc, "aws_s3_bucket_versioning")["versioning"]["versioning_configuration"] == {"status": "Enabled"}
    # AND objects are encrypted with the stack's KMS key
    (rule,) = resources(doc, "aws_s3_bucket_server_side_encryption_configuration")["encryption"]["rule"]
    assert rule == {
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": "${aws_kms_key.state_key.arn}"},
        "bucket_key_enabled": True,
    }
    # AND every kind of public access is blocked
    block = resources(doc, "aws_s3_bucket_public_access_block")["public_access_block"]
    assert {k: block[k] for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")} == dict.fromkeys(
        ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"), True
    )
    # AND requests without TLS are denied
    (statement,) = policy(resources(doc, "aws_s3_bucket_policy")["tls_only"]["policy"])["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == ["${aws_s3_bucket.bucket.arn}", "${aws_s3_bucket.bucket.arn}/*"]


def test_old_state_versions_expire(stack) -> None:
    (rule,) = resources(stack(naming.STATE_STACK), "aws_s3_bucket_lifecycle_configuration")["lifecycle"]["rule"]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert rule["status"] == "Enabled"


def test_bucket_settings_are_applied_one_after_another(stack) -> None:
    # GIVEN the state bucket's sub-resources (S3 rejects concurrent bucket-level writes with
    # "A conflicting conditional operation is currently in progress")
    doc = stack(naming.STATE_STACK)
    # THEN the policy waits for the public access block, and ownership controls for both
    assert resources(doc, "aws_s3_bucket_policy")["tls_only"]["depends_on"] == ["aws_s3_bucket_public_access_block.public_access_block"]
    assert resources(doc, "aws_s3_bucket_ownership_controls")["ownership"]["depends_on"] == [
        "aws_s3_bucket_policy.tls_only",
        "aws_s3_bucket_public_access_block.public_access_block",
    ]
    # AND noncurrent-version expiry waits for versioning
    assert resources(doc, "aws_s3_bucket_lifecycle_configuration")["lifecycle"]["depends_on"] == ["aws_s3_bucket_versioning.versioning"]


def test_state_outputs(stack, default_config) -> None:
    outputs = stack(naming.STATE_STACK)["output"]
    assert outputs["bucket"]["value"] == "${aws_s3_bucket.bucket.bucket}"
    assert outputs["state_key_arn"]["value"] == "${aws_kms_key.state_key.arn}"
