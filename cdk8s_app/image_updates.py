"""Argo CD Image Updater 1.x: one ``ImageUpdater`` per env and app (the 0.x Application
annotations are ignored by 1.x, which is configured only through these resources).

Updates are written back to **git**: a commit on the env's branch to the ``kustomization.yaml``
of the app's workload directory (``kustomization:.`` is relative to the Application's
``spec.source.path``), so the repository stays the truth and Argo CD syncs the new tag like any
change. The objects live in ``components/argocd-image-updater/``, the third source of the
updater's own Application: its chart installs the CRD in the same sync.
"""

from __future__ import annotations

import cdk8s
from constructs import Construct

from cdk8s_app import workloads
from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.model import App
from imports.argocd_imageupdater.io.argoproj.argocd_image_updater import (
    ImageUpdater,
    ImageUpdaterSpec,
    ImageUpdaterSpecApplicationRefs,
    ImageUpdaterSpecApplicationRefsImages,
    ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings,
    ImageUpdaterSpecApplicationRefsImagesManifestTargets,
    ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize,
    ImageUpdaterSpecWriteBackConfig,
    ImageUpdaterSpecWriteBackConfigGitConfig,
)

WRITE_BACK_TARGET = "kustomization:."  # the kustomization.yaml at the Application's source path
IMAGE_ALIAS = "app"


def image_name(config: PlatformConfig, app: App) -> str:
    """The image the workload runs, without its tag (the kustomization ``images`` entry's name)."""
    return f"{naming.ecr_registry(config.platform)}/{naming.ecr_repository(config.platform, app)}"


class AppImageUpdates(Construct):
    """ImageUpdaters of the env's apps whose ``image_update`` policy is not ``none``."""

    def __init__(self, scope: Construct, id: str, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, id)
        platform = config.platform
        for app in config.apps_in(env):
            strategy = workloads.image_update(app, env)
            if strategy == "none":
                continue
            name = image_name(config, app)
            ImageUpdater(
                self,
                app.name,
                metadata=cdk8s.ApiObjectMetadata(
                    name=naming.image_updater(env, app), namespace=naming.ARGOCD_NAMESPACE, labels=naming.app_labels(platform, app)
                ),
                spec=ImageUpdaterSpec(
                    namespace=naming.ARGOCD_NAMESPACE,
                    write_back_config=ImageUpdaterSpecWriteBackConfig(
                        method="git",
                        git_config=ImageUpdaterSpecWriteBackConfigGitConfig(
                            repository=platform.git.repo_url, branch=platform.environments[env].branch, write_back_target=WRITE_BACK_TARGET
                        ),
                    ),
                    application_refs=[
                        ImageUpdaterSpecApplicationRefs(
                            name_pattern=naming.application(env, app.name),
                            images=[
                                ImageUpdaterSpecApplicationRefsImages(
                                    alias=IMAGE_ALIAS,
                                    image_name=name,
                                    common_update_settings=ImageUpdaterSpecApplicationRefsImagesCommonUpdateSettings(update_strategy=strategy),
                                    manifest_targets=ImageUpdaterSpecApplicationRefsImagesManifestTargets(
                                        kustomize=ImageUpdaterSpecApplicationRefsImagesManifestTargetsKustomize(name=name)
                                    ),
                                )
                            ],
                        )
                    ],
                ),
            )
