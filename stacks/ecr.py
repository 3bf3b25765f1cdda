"""The ``global-ecr`` stack: one ECR repository per app, shared by every environment.

Tags are immutable (an image tag always means the same bytes; Argo CD Image Updater pins by
tag), images are scanned on push and encrypted with a customer-managed key, and a lifecycle
policy keeps the registry from growing without bound.
"""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import EcrRepository, EcrRepositoryEncryptionConfiguration
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from stacks.base import PlatformStack

KEEP_TAGGED_IMAGES = 50
EXPIRE_UNTAGGED_DAYS = 14


def lifecycle_policy() -> str:
    rules = [
        {
            "rulePriority": 1,
            "description": f"expire untagged images after {EXPIRE_UNTAGGED_DAYS} days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": EXPIRE_UNTAGGED_DAYS},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"keep the last {KEEP_TAGGED_IMAGES} tagged images",
            "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": KEEP_TAGGED_IMAGES},
            "action": {"type": "expire"},
        },
    ]
    return json.dumps({"rules": rules}, sort_keys=True)


def resource_id(app_name: str) -> str:
    return app_name.replace("-", "_")


class EcrStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, naming.global_stack("ecr"), config=config, env=None)
        key = self.kms_key("ecr_key", purpose="ecr", description="ECR image encryption")
        self.repositories: dict[str, EcrRepository] = {}
        for app in config.apps:
            rid = resource_id(app.name)
            repo = EcrRepository(
                self,
                rid,
                name=naming.ecr_repository(self.platform, app),
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configuration=[EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=key.arn)],
            )
            EcrLifecyclePolicy(self, f"{rid}_lifecycle", repository=repo.name, policy=lifecycle_policy())
            self.repositories[app.name] = repo
        self.output("repository_urls", {name: repo.repository_url for name, repo in sorted(self.repositories.items())}, "ECR repository URL per app (docker push target)")
