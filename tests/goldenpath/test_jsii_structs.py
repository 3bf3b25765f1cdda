"""goldenpath/jsii_structs.py: the Terraform half's structs encode as jsii itself encodes them."""

from __future__ import annotations

import jsii._kernel as kernel
import pytest

from goldenpath import jsii_structs


def _config() -> list[object]:
    from cdktf_cdktf_provider_aws.iam_role import IamRoleConfig, IamRoleInlinePolicy
    from cdktf_cdktf_provider_aws.provider import AwsProviderConfig, AwsProviderDefaultTags

    role = IamRoleConfig(
        name="r", assume_role_policy="{}", tags={"a": "b"},
        inline_policy=[IamRoleInlinePolicy(name="p", policy="{}")], count=2,
    )
    provider = AwsProviderConfig(region="eu-west-2", default_tags=[AwsProviderDefaultTags(tags={"Environment": "dev"})])
    return ["id", role, provider, {"nested": [role, None, 1, 1.5, True, "s"]}]


def test_terraform_structs_encode_as_jsii_encodes_them() -> None:
    # GIVEN resource and provider configs with nested structs, lists, maps and unset fields
    args = _config()
    # WHEN encoded from their values THEN the request is jsii's own
    handed_on: list[object] = []
    assert jsii_structs.serialiser(handed_on.append)(kernel.Kernel(), args) == jsii_structs.ORIGINAL(kernel.Kernel(), args)
    # AND no struct was left to jsii's encoder (every one was read from its values)
    assert handed_on == []


def test_the_encoder_is_installed_only_inside_the_block_and_only_when_optimising(monkeypatch: pytest.MonkeyPatch) -> None:
    assert kernel._make_reference_for_native is jsii_structs.ORIGINAL
    with jsii_structs.structs_from_values():
        assert kernel._make_reference_for_native is not jsii_structs.ORIGINAL
        inner = kernel._make_reference_for_native
        with jsii_structs.structs_from_values():  # an inner use keeps the outer encoder
            assert kernel._make_reference_for_native is inner
        assert kernel._make_reference_for_native is inner
    assert kernel._make_reference_for_native is jsii_structs.ORIGINAL
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    with jsii_structs.structs_from_values():
        assert kernel._make_reference_for_native is jsii_structs.ORIGINAL
