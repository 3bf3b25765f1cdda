"""stacks/ecr.py: one immutable, scanned, KMS-encrypted repository per app, with a lifecycle."""

from __future__ import annotations

import json

from goldenpath import naming
from tests.stacks.conftest import resources


def test_one_repository_per_app(stack, default_config) -> None:
    repos = resources(stack("global-ecr"), "aws_ecr_repository")
    # plus the platform's own Backstage image (issue 16)
    expected = [naming.ecr_repository(default_config.platform, a) for a in default_config.apps] + [naming.ecr_repository(default_config.platform, "backstage")]
    assert sorted(r["name"] for r in repos.values()) == sorted(expected)


def test_repositories_are_immutable_scanned_and_kms_encrypted(stack) -> None:
    for rid, repo in resources(stack("global-ecr"), "aws_ecr_repository").items():
        assert repo["image_tag_mutability"] == "IMMUTABLE", rid
        assert repo["image_scanning_configuration"] == {"scan_on_push": True}, rid
        assert repo["encryption_configuration"] == [{"encryption_type": "KMS", "kms_key": "${aws_kms_key.ecr_key.arn}"}], rid


def test_lifecycle_expires_untagged_and_keeps_last_tagged(stack) -> None:
    doc = stack("global-ecr")
    policies = resources(doc, "aws_ecr_lifecycle_policy")
    assert len(policies) == len(resources(doc, "aws_ecr_repository"))
    for lifecycle in policies.values():
        rules = {r["selection"]["tagStatus"]: r["selection"] for r in json.loads(lifecycle["policy"])["rules"]}
        assert rules["untagged"] == {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}
        assert rules["tagged"]["countType"] == "imageCountMoreThan"


def test_repository_urls_are_an_output(stack, default_config) -> None:
    (output,) = [o for name, o in stack("global-ecr")["output"].items() if name == "repository_urls"]
    names = [app.name for app in default_config.apps] + ["backstage"]
    assert output["value"] == {name: f"${{aws_ecr_repository.{name.replace('-', '_')}.repository_url}}" for name in names}
