"""The whole tree: snapshot per env, determinism, schema validity, kustomize, ownership."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from cdk8s_app.app import render
from cdk8s_app.writer import dump
from goldenpath import naming
from goldenpath.config import PlatformConfig
from goldenpath.schemas import validate_manifest
from tests.cdk8s_app.conftest import Tree, manifests, of_kind

ENVS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVS)
def test_tree_snapshot(rendered_dir: Path, env: str, snapshot) -> None:
    # GIVEN the default config rendered to disk
    # WHEN each file of the env is read back
    files = {str(p.relative_to(rendered_dir / env)): p.read_text() for p in sorted((rendered_dir / env).rglob("*.yaml"))}
    # THEN the env tree equals the reviewed snapshot
    assert files == snapshot


def test_render_is_byte_identical_twice(config: PlatformConfig, rendered_dir: Path, tmp_path: Path) -> None:
    # GIVEN a first render; WHEN rendering again into another directory
    render(config, tmp_path)
    first = {p.relative_to(rendered_dir): p.read_bytes() for p in rendered_dir.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    # THEN the bytes are identical and nothing machine-specific leaks in
    assert first == second
    blob = b"".join(first.values())
    assert str(Path.cwd()).encode() not in blob and b"/tmp/" not in blob


def test_file_per_object_sorted_keys_and_no_hashed_names(rendered_dir: Path) -> None:
    for path in rendered_dir.rglob("*.yaml"):
        text = path.read_text()
        docs = list(yaml.safe_load_all(text))
        assert len(docs) == 1, path
        # sorted keys: dumping the parsed doc with sort_keys reproduces the file (after the header)
        body = "".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))
        assert dump(docs[0]) == body, path
        if "values" not in path.parts and path.name != "kustomization.yaml":
            kind, name = docs[0]["kind"].lower(), docs[0]["metadata"]["name"]
            assert path.stem in (f"{kind}-{name}", f"{kind}-{docs[0]['metadata'].get('namespace')}-{name}"), path


@pytest.mark.parametrize("env", ENVS)
def test_every_object_is_schema_valid(tree: Tree, env: str) -> None:
    # GIVEN every rendered manifest; THEN core kinds pass k8s 1.33 strict and CRs their CRD schema
    violations = {p: v for p, o in manifests(tree[env]).items() if (v := validate_manifest(o))}
    assert violations == {}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
@pytest.mark.parametrize("env", ENVS)
def test_kubectl_kustomize_builds_every_manifest(rendered_dir: Path, tree: Tree, env: str) -> None:
    # WHEN `kubectl kustomize dist/gitops/<env>` runs; THEN it succeeds and emits every manifest
    result = subprocess.run(["kubectl", "kustomize", str(rendered_dir / env)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert len([d for d in yaml.safe_load_all(result.stdout) if d]) == len(manifests(tree[env]))


@pytest.mark.parametrize("env", ENVS)
def test_every_object_has_exactly_one_owning_application(tree: Tree, env: str) -> None:
    # GIVEN the directories Applications sync (the root app owns apps/)
    owned: Counter[str] = Counter({naming.gitops_path(env, "apps"): 1})
    for app in of_kind(tree[env], "Application").values():
        spec = app["spec"]
        for source in spec.get("sources") or [spec["source"]]:
            if "path" in source:
                owned[source["path"]] += 1
    # THEN each directory holding manifests is synced by one Application, and no Application syncs a missing dir
    dirs = {naming.gitops_path(env, str(Path(p).parent)) for p in manifests(tree[env])}
    assert {d: owned[d] for d in dirs} == dict.fromkeys(dirs, 1)
    assert set(owned) == dirs


def test_object_counts_by_kind(tree: Tree) -> None:
    # Reported in the closing note; exact for the default config so a silent drop shows up.
    counts = {env: Counter(o["kind"] for o in manifests(files).values()) for env, files in tree.items()}
    for env, c in counts.items():
        print(env, dict(sorted(c.items())), sum(c.values()))
    assert counts["dev"] == counts["prod"] == counts["staging"]
    assert counts["dev"]["Application"] == 13 + 3 + 5  # components + apps + platform sections
    assert counts["dev"]["ClusterIssuer"] == 2
    assert counts["dev"]["ExternalSecret"] == 8 + 4  # components/apps (incl. Alertmanager receivers) + provisioning (3 owners + master)
    assert counts["dev"]["PrometheusRule"] == 1 + 3  # platform alerts + one SLO rule per app


def test_multi_line_strings_are_block_scalars_in_the_committed_tree() -> None:
    # GIVEN the committed tree WHEN a reviewer reads `git diff dist/`
    # THEN scripts, Lua and dashboard JSON are literal blocks, one line per line, not escaped strings
    from tests.conftest import REPO

    dashboard = (REPO / "dist/gitops/dev/components/argocd/configmap-argocd-dashboard.yaml").read_text()
    assert "  argocd.json: |-\n    {\n" in dashboard
    values = (REPO / "dist/gitops/dev/values/argocd.yaml").read_text()
    assert "resource.customizations.health.argoproj.io_Application: |\n      hs = {}\n" in values
    script = (REPO / "dist/gitops/dev/platform/database/configmap-db-provisioner.yaml").read_text()
    assert "provision.sh: |\n    #!/bin/sh" in script or "provision.sh: |-\n    #!/bin/sh" in script
