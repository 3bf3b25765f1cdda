"""The typed bindings and the pinned URLs cdk8s.yaml lists agree with goldenpath.imports."""

from __future__ import annotations

import yaml

from goldenpath.imports import PINNED
from tests.conftest import REPO


def test_cdk8s_yaml_lists_every_pinned_crd_url() -> None:
    config = yaml.safe_load((REPO / "cdk8s.yaml").read_text())
    assert config["imports"] == [c.spec for c in PINNED]
    assert all(c.url.startswith("https://raw.githubusercontent.com/") and f"/{c.version}/" in c.url for c in PINNED)


def test_every_pinned_crd_has_a_generated_module() -> None:
    for crd in PINNED:
        assert list((REPO / "imports" / crd.module).rglob("*.jsii.tgz")), crd.module
