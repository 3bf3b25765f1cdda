"""The ``global-ecr`` stack: one ECR repository per app (and per platform-built component image,
``naming.PLATFORM_IMAGE_COMPONENTS``), shared by every environment, and the image pipeline's IAM:
GitHub's OIDC provider (once per account) and per app a push role that its repository's CI
assumes, trusted for exactly that repository's push branches and allowed to push only there.

Tags are immutable (an image tag always means the same bytes; Argo CD Image Updater pins by
tag), images are scanned on push and encrypted with a customer-managed key, and a lifecycle
policy keeps the registry from growing without bound.
"""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import EcrRepository, EcrRepositoryEncryptionConfiguration
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.model import App
from stacks.base import PlatformStack, policy_json

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


# What `docker push` needs on one repository (AWS ECR docs, "Private repository policy
# examples"), plus reading the push's scan findings. GetAuthorizationToken cannot be scoped.
PUSH_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImageScanFindings",
    "ecr:DescribeImages",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
]


def push_trust(app: App, provider_arn: str) -> str:
    """Only GitHub Actions runs of the app's repository on its push branches (exact ``sub``, no wildcards)."""
    host = naming.GITHUB_OIDC_HOST
    return policy_json([
        {
            "Sid": "GitHubActionsOfTheAppRepository",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{host}:aud": naming.GITHUB_OIDC_AUDIENCE, f"{host}:sub": naming.github_subjects(app)}},
        }
    ])


def push_policy(repository_arn: str) -> str:
    return policy_json([
        {"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Sid": "PushToTheAppRepository", "Effect": "Allow", "Action": PUSH_ACTIONS, "Resource": repository_arn},
    ])


class EcrStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, naming.global_stack("ecr"), config=config, env=None)
        key = self.kms_key("ecr_key", purpose="ecr", description="ECR image encryption")
        self.repositories: dict[str, EcrRepository] = {}
        owners: dict[str, App | None] = {app.name: app for app in config.apps}
        owners.update({c: None for c in naming.PLATFORM_IMAGE_COMPONENTS if c in self.platform.components})
        for name, app in sorted(owners.items()):
            rid = resource_id(name)
            repo = EcrRepository(
                self,
                rid,
                name=naming.ecr_repository(self.platform, name),
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configuration=[EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=key.arn)],
                tags=naming.app_tags(self.platform, app) if app else None,
            )
            EcrLifecyclePolicy(self, f"{rid}_lifecycle", repository=repo.name, policy=lifecycle_policy())
            self.repositories[name] = repo
        # Once per account: an IAM OIDC provider is unique per issuer URL. AWS trusts GitHub's
        # issuer through its own CA library, so no thumbprint is pinned (AWS IAM docs).
        github = IamOpenidConnectProvider(
            self, "github_actions", url=f"https://{naming.GITHUB_OIDC_HOST}", client_id_list=[naming.GITHUB_OIDC_AUDIENCE]
        )
        self.push_roles: dict[str, IamRole] = {}
        for app in config.apps:
            rid = f"{resource_id(app.name)}_ci"
            role = IamRole(
                self,
                rid,
                name=naming.ci_push_role(self.platform, app),
                description=f"CI of {app.source.git.github_repository}: push images to {naming.ecr_repository(self.platform, app)}",
                assume_role_policy=push_trust(app, github.arn),
                max_session_duration=3600,
                tags=naming.app_tags(self.platform, app),
            )
            IamRolePolicy(self, f"{rid}_push", name="push-own-repository", role=role.name, policy=push_policy(self.repositories[app.name].arn))
            self.push_roles[app.name] = role
        self.output("push_role_arns", {name: role.arn for name, role in sorted(self.push_roles.items())}, "IAM role per app that its CI assumes to push images")
        self.output("repository_urls", {name: repo.repository_url for name, repo in sorted(self.repositories.items())}, "ECR repository URL per app (docker push target)")
