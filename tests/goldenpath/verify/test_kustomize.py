"""The verifier's kustomize build equals the real `kubectl kustomize` on the committed tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from goldenpath.verify import kustomize
from tests.conftest import REPO

KUSTOMIZED = sorted(p.parent for p in (REPO / "dist" / "gitops").glob("*/workloads/*/kustomization.yaml"))


def _key(obj: dict) -> tuple[str, str, str]:  # type: ignore[type-arg]
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind")), str(meta.get("namespace", "")), str(meta.get("name")))


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) is not installed: nothing to compare with")
@pytest.mark.parametrize("directory", KUSTOMIZED, ids=[str(p.relative_to(REPO)) for p in KUSTOMIZED])
def test_build_matches_kubectl_kustomize(directory: Path) -> None:
    real = [d for d in yaml.safe_load_all(subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True, text=True, check=True).stdout) if d]
    ours = [obj for _file, obj in kustomize.build(directory).objects]
    assert sorted(ours, key=_key) == sorted(real, key=_key)


def test_images_override_and_unsupported_fields(tmp_path: Path) -> None:
    # GIVEN a kustomization with an images: override
    (tmp_path / "d.yaml").write_text(yaml.safe_dump({"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "r/app:1"}]}}}}))
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"resources": ["d.yaml"], "images": [{"name": "r/app", "newName": "evil/app", "newTag": "2"}]}))
    # THEN the built image is the override, and an Argo CD override applies on top
    assert kustomize.build(tmp_path).objects[0][1]["spec"]["template"]["spec"]["containers"][0]["image"] == "evil/app:2"
    assert kustomize.build(tmp_path, ["evil/app=other/app@sha256:" + "a" * 64]).objects[0][1]["spec"]["template"]["spec"]["containers"][0]["image"] == "other/app@sha256:" + "a" * 64
    # AND a field the builder does not implement is a build error, never silently skipped
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"resources": ["d.yaml"], "namePrefix": "x-"}))
    with pytest.raises(kustomize.BuildError, match="namePrefix"):
        kustomize.build(tmp_path)
