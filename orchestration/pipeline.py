"""The `make synth` path: config -> both halves -> verify -> atomic publish, in one process.

Rendering into staging directories first means a bad config, a renderer exception or a
verifier finding leaves the committed ``cdktf.out/`` and ``dist/gitops/`` exactly as they were.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from goldenpath import fastimport
from goldenpath.config import PlatformConfig, load_config
from orchestration.publish import clean_leftovers, replace_trees, staging_dir


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - start


Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


def render_terraform(config: PlatformConfig, outdir: Path, timings: Timings) -> None:
    with timings.step("import"):
        fastimport.install()
        from stacks.app import build_app
    with timings.step("construct"):
        app = build_app(config, outdir=str(outdir))
    with timings.step("terraform-synth"):
        app.synth()


def render_gitops(config: PlatformConfig, outdir: Path, timings: Timings) -> None:
    with timings.step("import"):
        from cdk8s_app.app import render
    with timings.step("gitops-render"):
        render(config, outdir)


@dataclass
class Staged:
    config: PlatformConfig
    terraform: Path
    gitops: Path
    timings: Timings


@contextmanager
def staged_render(
    config_dir: Path, terraform_out: Path, gitops_out: Path, timings: Timings | None = None, progress: Progress = _quiet
) -> Iterator[Staged]:
    """Render both halves into staging directories; they are deleted on exit unless published."""
    timings = timings or Timings()
    with timings.step("load-config"):
        config = load_config(config_dir)

    clean_leftovers(terraform_out)
    clean_leftovers(gitops_out)
    tf_stage = staging_dir(terraform_out)
    gitops_stage = staging_dir(gitops_out)
    try:
        envs = len(config.environments)
        progress(f"synthesizing Terraform ({envs} environments, {len(config.apps)} apps)")
        render_terraform(config, tf_stage, timings)
        progress("rendering the GitOps tree")
        render_gitops(config, gitops_stage, timings)
        yield Staged(config, tf_stage, gitops_stage, timings)
    finally:
        shutil.rmtree(tf_stage, ignore_errors=True)
        shutil.rmtree(gitops_stage, ignore_errors=True)


def publish(staged: Staged, terraform_out: Path, gitops_out: Path) -> None:
    with staged.timings.step("write"):
        replace_trees([(staged.terraform, terraform_out), (staged.gitops, gitops_out)])  # both halves or neither


def write_platform_doc(config: PlatformConfig, target: Path, terraform: Path) -> None:
    """dist/PLATFORM.md: written next to the tree, atomically (temp file + rename); the stack
    edges come from ``terraform``/manifest.json (what cdktf itself orders deploys by)."""
    from orchestration.platform_doc import render_platform_doc

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_text(render_platform_doc(config, terraform), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half-written temporary file
