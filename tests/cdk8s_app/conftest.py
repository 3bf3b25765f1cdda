"""One render of the default config per test session (rendering is the slow part)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from goldenpath.config import PlatformConfig, load_config
from tests.conftest import REPO

Tree = dict[str, dict[str, Any]]  # env -> {relative path: document}


@pytest.fixture(scope="session")
def config() -> PlatformConfig:
    return load_config(REPO / "config")


@pytest.fixture(scope="session")
def tree(config: PlatformConfig) -> Tree:
    from cdk8s_app.app import render_files

    start = time.perf_counter()
    files = render_files(config)
    print(f"\nrender_files: {time.perf_counter() - start:.2f}s")
    return files


@pytest.fixture(scope="session")
def rendered_dir(tree: Tree, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's render, written as ``render`` writes it (one render per session)."""
    from cdk8s_app.app import write_files

    out = tmp_path_factory.mktemp("gitops")
    write_files(tree, out)
    return out


def manifests(files: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only the Kubernetes objects of one env (no values files, no kustomizations)."""
    return {p: o for p, o in files.items() if not p.startswith("values/") and not p.endswith("kustomization.yaml")}


def of_kind(files: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {p: o for p, o in manifests(files).items() if o["kind"] == kind}


def named(files: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    found = [o for o in of_kind(files, kind).values() if o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]
