"""Helm values per platform component, computed from the model (pure Python, no jsii).

Both halves need some of them: the GitOps tree writes every component's values to
``dist/gitops/<env>/values/<component>.yaml``; the bootstrap stack installs Argo CD with the
same ``argocd`` values plus the root Application. Computing them here (not in either renderer)
keeps the renderers from reading each other (DESIGN §3).
"""

from __future__ import annotations

from typing import Any

from goldenpath import naming
from goldenpath.config import PlatformConfig


def root_application(config: PlatformConfig, env: str) -> dict[str, Any]:
    """The one Application Terraform creates; it syncs ``dist/gitops/<env>/apps`` on the env branch."""
    platform = config.platform
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": naming.root_application(env),
            "namespace": naming.ARGOCD_NAMESPACE,
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "default",
            "source": {
                "repoURL": platform.git.repo_url,
                "targetRevision": platform.environments[env].branch,
                "path": naming.gitops_path(env, "apps"),
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": naming.ARGOCD_NAMESPACE},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


def argocd(config: PlatformConfig, env: str) -> dict[str, Any]:
    platform = config.platform
    return {
        "fullnameOverride": naming.release(env, "argocd"),
        "crds": {"install": True, "keep": True},
        "configs": {
            # TLS terminates at Kong (cert-manager certificate); the server speaks HTTP behind it.
            "params": {"server.insecure": True},
            "cm": {"url": f"https://{naming.host(platform, env, platform.components['argocd'].host or 'argocd')}"},
        },
        "server": {"metrics": {"enabled": True}},
        "controller": {"metrics": {"enabled": True}},
        "repoServer": {"metrics": {"enabled": True}},
    }


def argocd_bootstrap(config: PlatformConfig, env: str) -> dict[str, Any]:
    """What Terraform's helm_release installs: the argocd values plus the root Application
    (as ``extraObjects``, so no CRD has to exist when Terraform plans)."""
    values = argocd(config, env)
    return {**values, "extraObjects": [root_application(config, env)]}
