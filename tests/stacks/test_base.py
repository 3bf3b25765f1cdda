"""stacks/base.py: backend, provider default tags and KMS keys shared by every stack."""

from __future__ import annotations

import pytest

from goldenpath import naming
from stacks.base import STATE_STACK_LOCAL_PATH
from tests.stacks.conftest import policy, resources

ALL = [naming.STATE_STACK, "global-zone", "global-ecr"] + [f"{e}-{k}" for e in ("dev", "staging", "prod") for k in naming.ENV_STACK_KINDS]


@pytest.mark.parametrize("name", [n for n in ALL if n != naming.STATE_STACK])
def test_s3_backend_with_native_lock(stack, default_config, name: str) -> None:
    # GIVEN any stack but `state`
    backend = stack(name)["terraform"]["backend"]
    # THEN its state lives in the state bucket under its own key, encrypted with the state stack's
    # KMS key (not SSE-S3: state holds database passwords), with S3 native locking
    assert backend == {
        "s3": {
            "bucket": default_config.platform.state.bucket,
            "key": naming.state_key(name),
            "region": default_config.platform.region,
            "encrypt": True,
            "kms_key_id": "arn:aws:kms:eu-west-2:593517239005:alias/goldenpath-global-tfstate",
            "use_lockfile": True,
        }
    }


def test_backend_key_is_the_key_the_state_stack_creates(stack, default_config) -> None:
    # GIVEN the state stack's KMS key alias (backends cannot reference it, so it is named)
    (alias,) = resources(stack(naming.STATE_STACK), "aws_kms_alias").values()
    assert alias["target_key_id"] == "${aws_kms_key.state_key.key_id}"
    # THEN every backend's kms_key_id is exactly that alias, as an ARN in the platform's region/account
    expected = f"arn:aws:kms:{default_config.platform.region}:{default_config.platform.account_id}:{alias['name']}"
    assert naming.state_kms_key_arn(default_config.platform) == expected
    for name in (n for n in ALL if n != naming.STATE_STACK):
        assert stack(name)["terraform"]["backend"]["s3"]["kms_key_id"] == expected, name


def test_state_stack_uses_a_local_backend_outside_cdktf_out(stack) -> None:
    # GIVEN the stack that creates the state bucket
    backend = stack(naming.STATE_STACK)["terraform"]["backend"]
    # THEN its state is local, three levels up from cdktf.out/stacks/state (synth replaces cdktf.out)
    assert backend == {"local": {"path": STATE_STACK_LOCAL_PATH}}
    assert STATE_STACK_LOCAL_PATH.startswith("../../../")


@pytest.mark.parametrize("name", ALL)
def test_default_tags_and_pinned_account(stack, default_config, name: str) -> None:
    # GIVEN any stack
    (aws,) = stack(name)["provider"]["aws"]
    env = name.split("-")[0] if name.split("-")[0] in default_config.environments else None
    # THEN every resource is tagged Project/Environment/ManagedBy/Owner and the account is pinned
    assert aws["default_tags"] == [
        {"tags": {"Project": "goldenpath-idp", "Environment": env or "global", "ManagedBy": "goldenpath-cdktf", "Owner": "platform-team"}}
    ]
    assert aws["region"] == "eu-west-2"
    assert aws["allowed_account_ids"] == [default_config.platform.account_id]


@pytest.mark.parametrize("name", ALL)
def test_every_kms_key_rotates_and_has_a_policy(stack, name: str) -> None:
    # GIVEN every customer-managed key of every stack
    for key_id, key in resources(stack(name), "aws_kms_key").items():
        # THEN rotation is on and the key policy is explicit (account root administers it)
        assert key["enable_key_rotation"] is True, key_id
        statements = policy(key["policy"])["Statement"]
        assert statements[0]["Principal"] == {"AWS": "arn:aws:iam::593517239005:root"}, key_id
