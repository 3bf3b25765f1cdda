"""stacks/attributes.py: each resource's read-only attributes cross jsii once, nothing else is
remembered. (Identical output with the memo on and off: tests/test_fastimport.py for the default
platform, tests/cdk8s_app/test_render_identity.py for 100 generated apps.)"""

from __future__ import annotations

import jsii
import pytest
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.eks_cluster import EksCluster
from cdktf_cdktf_provider_aws.iam_role import IamRole

from stacks import attributes


def test_only_a_provider_classs_own_read_only_attributes_are_remembered() -> None:
    role = attributes._readonly(IamRole)
    assert {"arn", "uniqueId", "createDate"} <= role
    assert not {"name", "nameInput", "assumeRolePolicy", "id"} & role  # settable, or the input so far
    assert not {"rawOverrides", "terraformMetaArguments", "node", "fqn", "friendlyUniqueId"} & role  # cdktf's own
    assert {"endpoint", "certificateAuthority", "identity"} <= attributes._readonly(EksCluster)
    assert attributes._readonly(App) == frozenset()


def _role(stack: TerraformStack, name: str) -> IamRole:
    return IamRole(stack, name, name=name, assume_role_policy="{}")


def test_repeated_reads_cross_once_and_settable_ones_every_time() -> None:
    stack = TerraformStack(App(), "memo")
    first, second = _role(stack, "first"), _role(stack, "second")
    original = jsii.get
    with attributes.remembered() as stats:
        assert jsii.get is not original
        arns = [first.arn for _ in range(5)]
        assert len(set(arns)) == 1  # the first answer, given again
        assert second.arn != first.arn
        names = [first.name for _ in range(3)]  # settable: asked every time
        with attributes.remembered() as inner:  # re-entrant: the outer memo keeps answering
            assert first.arn == arns[0]
            assert inner == {"asked": 0, "sent": 0}
    assert jsii.get is original
    assert stats == {"asked": 11, "sent": 5}  # 7 arn reads: first once, second once; 3 name reads: 3
    assert len(set(names)) == 3  # a settable property crossed each time: a new token per read
    # outside, each read is a new token for the same attribute
    assert first.arn != arns[0]


def test_switch_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    stack = TerraformStack(App(), "off")
    role = _role(stack, "role")
    with attributes.remembered():
        assert not isinstance(jsii.get, attributes._Memo)
        assert role.arn != role.arn
