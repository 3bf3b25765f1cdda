"""The embedded default config's stacks, synthesized once per session, parsed on demand."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from goldenpath import fastimport
from goldenpath.config import PlatformConfig, load_config

REPO = Path(__file__).resolve().parents[2]
fastimport.install()

Stack = dict[str, Any]


def synth(config: PlatformConfig, outdir: Path) -> Path:
    from stacks.app import build_app

    build_app(config, outdir=str(outdir)).synth()
    return outdir


def loader(outdir: Path) -> Callable[[str], Stack]:
    cache: dict[str, Stack] = {}

    def load(name: str) -> Stack:
        if name not in cache:
            cache[name] = json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text(encoding="utf-8"))
        return cache[name]

    return load


@pytest.fixture(scope="session")
def default_config() -> PlatformConfig:
    return load_config(REPO / "config")


@pytest.fixture(scope="session")
def synth_dir(synthesized: Path) -> Path:
    """The session's synth's cdktf.out (tests/conftest.py; every worker builds it anyway, and a
    second synth of the same config here cost ~2 s per worker); read only."""
    return synthesized / "cdktf.out"


@pytest.fixture(scope="session")
def stack(synth_dir: Path) -> Callable[[str], Stack]:
    """``stack("dev-database")`` -> the parsed cdk.tf.json of that stack."""
    return loader(synth_dir)


@pytest.fixture(scope="session")
def variant_stack(default_config: PlatformConfig, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Stack]:
    """The default config with ``hosted_zone.zone_id`` unset (create the zone) and the staging
    cluster's public endpoint switched off: the branches the default config does not take."""
    platform = default_config.platform
    staging = platform.environments["staging"]
    staging = staging.model_copy(update={"cluster": staging.cluster.model_copy(update={"public_endpoint": False})})
    platform = platform.model_copy(
        update={
            "hosted_zone": platform.hosted_zone.model_copy(update={"zone_id": None}),
            "environments": {**platform.environments, "staging": staging},
        }
    )
    config = dataclasses.replace(default_config, platform=platform)
    return loader(synth(config, tmp_path_factory.mktemp("cdktf-variant") / "cdktf.out"))


def resources(doc: Stack, kind: str) -> dict[str, Any]:
    return doc.get("resource", {}).get(kind, {})


def data(doc: Stack, kind: str) -> dict[str, Any]:
    return doc.get("data", {}).get(kind, {})


def policy(text: str) -> dict[str, Any]:
    """An IAM policy JSON string as synthesized (tokens stay as `${...}` text)."""
    return json.loads(text)
