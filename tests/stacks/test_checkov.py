"""Policy (issue 2 item 8): the skip file and checkov's terraform_json run (goldenpath/policy.py).
That the synthesized platform passes, with hundreds of checks, is
tests/goldenpath/verify/test_policy.py::test_default_platform_passes_policy (one checkov run per
framework serves both)."""

from __future__ import annotations

from pathlib import Path

from goldenpath.policy import SKIP_FILE, load_skips, run_checkov_terraform


def test_every_skip_has_a_one_line_reason() -> None:
    skips = load_skips(SKIP_FILE)
    assert skips
    for skip in skips:
        assert skip.reason and "\n" not in skip.reason and len(skip.reason) <= 240, skip.check
        assert skip.where, skip.check


def test_a_finding_outside_the_skip_file_fails(tmp_path: Path) -> None:
    # GIVEN a stack with an unencrypted, public-ACL-less bucket and an empty skip file
    stack = tmp_path / "stacks" / "demo"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text('{"resource": {"aws_ecr_repository": {"r": {"name": "x", "image_tag_mutability": "MUTABLE"}}}}')
    skip_file = tmp_path / "skips.yaml"
    skip_file.write_text("terraform_json: []\n")
    # WHEN checkov runs
    results = run_checkov_terraform(tmp_path, skip_file=skip_file)
    # THEN the mutable repository is reported as a failure at <stack>/<resource>
    assert "CKV_AWS_51" in {f.check_id for f in results.failed}
    assert {f.location for f in results.failed} == {"demo/r"}
