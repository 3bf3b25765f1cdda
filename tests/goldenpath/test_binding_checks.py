"""goldenpath/binding_checks.py: the Terraform bindings' type checks, memoised and (outside
pytest) skipped, within the block only."""

from __future__ import annotations

import typing

import pytest

from goldenpath import binding_checks


def _iam_role_module():  # type: ignore[no-untyped-def]
    """The namespace the generated IamRole code runs in (publication.publish() leaves only the
    public names in the module itself)."""
    import cdktf_cdktf_provider_aws.iam_role as module

    return module._private


def _stub():  # type: ignore[no-untyped-def]
    module = _iam_role_module()
    return next(value for name, value in sorted(vars(module).items()) if name.startswith(binding_checks.STUB_PREFIX))


def test_a_stubs_hints_are_computed_once_and_equal_typings_own() -> None:
    # GIVEN a generated type-checking stub of the AWS provider's bindings
    stub = _stub()
    hints = binding_checks.memoised_type_hints(typing.get_type_hints)
    # WHEN asked twice THEN the answer equals typing's and is computed once
    first = hints(stub)
    assert first == typing.get_type_hints(stub) and first
    assert hints(stub) is first and list(hints.memo) == [stub]


def test_anything_but_a_stub_reaches_typing_every_time() -> None:
    hints = binding_checks.memoised_type_hints(typing.get_type_hints)

    def annotated(x: int) -> str:
        return str(x)

    assert hints(annotated) == {"x": int, "return": str}
    assert hints(_stub(), include_extras=True) == typing.get_type_hints(_stub(), include_extras=True)
    assert hints.memo == {}  # neither was remembered


def test_outside_pytest_the_bindings_checks_are_skipped_inside_the_block_only(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _iam_role_module()
    import cdktf

    cdktf = cdktf._private
    checks = (module.check_type, cdktf.check_type)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    with binding_checks.cheap_type_checks():
        assert module.check_type is binding_checks.no_check and cdktf.check_type is binding_checks.no_check
        assert hasattr(typing.get_type_hints, "memo")
        with binding_checks.cheap_type_checks():  # re-entrant: the inner block changes nothing
            assert module.check_type is binding_checks.no_check
        assert hasattr(typing.get_type_hints, "memo")
    assert (module.check_type, cdktf.check_type) == checks
    assert not hasattr(typing.get_type_hints, "memo")


def test_under_pytest_a_wrong_type_still_fails_in_python_with_the_hints_memoised() -> None:
    from cdktf import App, TerraformStack

    module = _iam_role_module()
    stack = TerraformStack(App(), "s")
    with binding_checks.cheap_type_checks():
        assert module.check_type is not binding_checks.no_check and hasattr(typing.get_type_hints, "memo")
        with pytest.raises(TypeError, match="id_"):
            module.IamRole(stack, 5, assume_role_policy="{}")  # type: ignore[arg-type]


def test_nothing_changes_with_optimisations_off(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _iam_role_module()
    check, hints = module.check_type, typing.get_type_hints
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    with binding_checks.cheap_type_checks():
        assert module.check_type is check and typing.get_type_hints is hints
