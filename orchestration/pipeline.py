"""The `make synth` path: config -> both halves -> verify -> atomic publish, in one process.

Rendering into staging directories first means a bad config, a renderer exception or a
verifier finding leaves the committed ``cdktf.out/`` and ``dist/gitops/`` exactly as they were.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from goldenpath import fastimport, forking, optimize
from goldenpath.config import PlatformConfig, load_config
from orchestration.publish import Deleter, clean_leftovers, replace_trees, staging_dir

if TYPE_CHECKING:  # the verifier loads when a synth verifies, not with this module
    from goldenpath.verify.engine import Prechecked


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)  # per step; the GitOps children's overlap this process's
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        """Wall seconds since these timings began (the steps' sum counts parallel work twice)."""
        return time.perf_counter() - self.started

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
    with optimize.collector_paused():
        with timings.step("construct"):
            # absolute: the jsii runtime resolves paths against its own cwd, fixed when it started
            app = build_app(config, outdir=str(outdir.absolute()))
        with timings.step("terraform-synth"), _prefetching_renders():
            app.synth()


@contextmanager
def _prefetching_renders() -> Iterator[None]:
    """While node synthesizes Terraform (this process only waits), the chart renders' cached
    objects the last verification read are parsed in a thread (goldenpath.helm_render.prefetch)."""
    if not optimize.requested():
        yield
        return
    from goldenpath import helm_render

    with helm_render.prefetching():
        yield


def render_gitops(config: PlatformConfig, outdir: Path, timings: Timings, envs: list[str] | None = None) -> dict[str, tuple[bytes, list[object]]]:
    """The GitOps tree (``envs``: only theirs); returns what it wrote, parsed, for
    :func:`remember_written` in the process that reads it next."""
    with timings.step("import"):
        fastimport.install()  # this process may start its own jsii runtime (a forked child)
        from cdk8s_app.app import render
    with timings.step("gitops-render"):
        return render(config, outdir, envs)


def remember_written(written: dict[str, tuple[bytes, list[object]]]) -> None:
    """The summary and the verifier read the staged tree as parsed already (no YAML parse)."""
    from goldenpath import trees

    for path, (digest, documents) in written.items():
        trees.remember(Path(path), digest, documents)


def render_halves(
    config: PlatformConfig, tf_stage: Path, gitops_stage: Path, timings: Timings, verify_layers: tuple[str, ...] | None = None
) -> Prechecked | None:
    """Both halves into their staging directories, at once: children forked before jsii starts
    (no node runtime to share yet) render the GitOps tree's envs while this process renders
    Terraform, then the envs :func:`gitops_plan` left to it (the cores are shared best that way
    from about a hundred apps on). Each runs in a jsii runtime of its own, exactly the code of
    the sequential path, and each env's tree depends on nothing but the config, so the bytes are
    the same (tests/test_synth.py compares the committed tree with both). Sequential when jsii is
    already running here (the test suite's in-process synths), when fork is unavailable, or with
    GOLDENPATH_OPTIMIZE=0.

    With ``verify_layers``, a child that renders every env then runs the verifier's GitOps-only
    rules of those layers on its tree while this process still renders Terraform; their findings
    are returned (for the verifier's run), else None."""
    if not optimize.requested() or "jsii" in sys.modules or not hasattr(os, "fork"):
        render_terraform(config, tf_stage, timings)
        remember_written(render_gitops(config, gitops_stage, timings))
        return None
    children: list[forking.Child] = []
    groups, own = gitops_plan(config)
    precheck = verify_layers if len(groups) == 1 and not own else None
    # The child prechecks only while this process still renders Terraform: it reads EOF on this
    # pipe once Terraform is done, and then leaves every rule to the verification here (waiting
    # for its precheck would only delay the synth; near 45 apps the child finishes last).
    terraform_done = os.pipe() if precheck is not None else None
    try:
        for envs in groups:
            children.append(forking.Child(partial(_render_gitops_child, config, gitops_stage, envs, precheck, terraform_done)))
        if terraform_done is not None:
            os.close(terraform_done[0])  # the child's end
        render_terraform(config, tf_stage, timings)
        if terraform_done is not None:
            os.close(terraform_done[1])
            terraform_done = None
        gc.freeze()  # see GC_NOTE
        # this process's share is timed like a child's (its cdk8s import is not Terraform's)
        results = [_render_gitops_child(config, gitops_stage, own)] if own else []
        with optimize.collector_paused():
            results += [child.result() for child in children]
            for _steps, written, _prechecked in results:
                remember_written(written)
        gc.freeze()
    except BaseException:
        for child in children:
            child.kill()
        if terraform_done is not None:
            with contextlib.suppress(OSError):
                os.close(terraform_done[1])
        raise
    for steps, _written, _prechecked in results:
        for step, seconds in steps.items():
            # kept apart from Terraform's "import"; of the processes rendering GitOps envs, the
            # longest
            name = "gitops-import" if step == "import" else step
            timings.steps[name] = max(seconds, timings.steps.get(name, 0.0))
    return next((prechecked for _steps, _written, prechecked in results if prechecked is not None), None)


# GC_NOTE: from here on this process keeps what it has built until it exits: the Terraform half's
# objects, then the GitOps documents (the children's, this process's own). Each full collection
# of the cyclic GC walked all of them again: at 2,000 apps 23 of them took 9.6 s of this process
# (unpickling the children's results 2.0 s, the change summary 1.7 s, this process's own env
# 5.5 s). gc.freeze() moves what exists to the permanent generation, so a collection walks only
# what was made since; the renders and the loading of the results (plain containers) run with
# the collector paused (goldenpath.optimize.collector_paused). The verifier freezes its tree the
# same way and leaves these frozen (goldenpath/verify/engine.py); staged_render unfreezes
# everything when the synth is done (for in-process callers: the tests).


# From this many (app, env) pairs on, two children render GitOps envs: below it a third process
# (and jsii runtime) only competes for the 2 cores and memory (measured: default config 8.5 s ->
# 9.2 s; 100 apps even; 200 apps 28.8 s and 1,546 MiB peak -> 26.8 s and 1,339 MiB with one
# child; 300 apps 47.5 s -> 43.5 s with two).
SPLIT_FROM_APP_ENVS = 1200

# What :func:`gitops_plan` expects each share to cost (ms, this machine, both halves rendering at
# once: 100 apps took Terraform 3.3-5.3 s, each env's GitOps tree 2.0-2.8 s, loading cdk8s 0.6-0.8 s;
# 2,000 apps Terraform 54-56 s, each env ~60 s; the default config Terraform 2.0 s, each env
# 0.3 s). Only their ratios matter. At 2,000 apps this process then renders one env after
# Terraform instead of idling while a child renders two (183 s -> 179 s, one run each).
TERRAFORM_MS, TERRAFORM_PER_APP_MS = 1900, 20
GITOPS_ENV_MS, GITOPS_PER_APP_ENV_MS, GITOPS_IMPORT_MS = 200, 26, 700


def gitops_plan(config: PlatformConfig) -> tuple[list[list[str]], list[str]]:
    """(the envs of each GitOps child, the envs this process renders after Terraform): largest
    env first, each to the process that would finish it first (Terraform is this process's
    head start; a child is preferred on a tie). One child below SPLIT_FROM_APP_ENVS, else two;
    each group keeps the config's env order."""
    apps = {env: len(config.apps_in(env)) for env in config.environments}
    cost = {env: GITOPS_ENV_MS + GITOPS_PER_APP_ENV_MS * n for env, n in apps.items()}
    parts = 1 if sum(apps.values()) < SPLIT_FROM_APP_ENVS else 2
    # [finish time, is this process, envs]; this process pays the cdk8s import with its first env
    loads: list[list[Any]] = [[GITOPS_IMPORT_MS, False, []] for _ in range(min(parts, len(apps)))]
    loads.append([TERRAFORM_MS + TERRAFORM_PER_APP_MS * len(config.apps), True, []])
    for env in sorted(cost, key=lambda e: -cost[e]):
        finish = [load[0] + cost[env] + (GITOPS_IMPORT_MS if load[1] and not load[2] else 0) for load in loads]
        best = min(range(len(loads)), key=lambda i: (finish[i], loads[i][1]))
        loads[best][0] = finish[best]
        loads[best][2].append(env)
    order = config.environments
    groups = [sorted(load[2], key=order.index) for load in loads if not load[1] and load[2]]
    return groups, sorted(loads[-1][2], key=order.index)


def _render_gitops_child(
    config: PlatformConfig, gitops_stage: Path, envs: list[str], verify_layers: tuple[str, ...] | None = None,
    terraform_done: tuple[int, int] | None = None,
) -> tuple[dict[str, float], dict[str, tuple[bytes, list[object]]], Prechecked | None]:
    """One process's share of the GitOps envs: its steps, what it wrote and, with
    ``verify_layers`` (only for a share of every env), the GitOps-only rules' findings on it,
    unless ``terraform_done`` (a pipe whose writer the parent closes after Terraform) says the
    parent is done already (a forked child's errors reach the parent as raised)."""
    if terraform_done is not None:
        os.close(terraform_done[1])  # the parent's end: EOF comes when the parent closes its own
    child = Timings()
    written = render_gitops(config, gitops_stage, child, envs)
    prechecked: Prechecked | None = None
    if verify_layers is not None and not (terraform_done is not None and _readable(terraform_done[0])):
        from goldenpath.verify import engine

        with child.step("gitops-verify"):
            remember_written(written)  # read as rendered, not parsed again
            try:
                prechecked = engine.precheck(gitops_stage, layers=verify_layers, config=config)
            except Exception:  # noqa: BLE001 - the verifier's own run meets it again, where it reports errors
                prechecked = None
    return child.steps, written, prechecked


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


@dataclass
class Staged:
    config: PlatformConfig
    terraform: Path
    gitops: Path
    timings: Timings
    prechecked: Prechecked | None = None  # the GitOps-only rules' findings, when a GitOps child ran them


@contextmanager
def staged_render(
    config_dir: Path, terraform_out: Path, gitops_out: Path, timings: Timings | None = None, progress: Progress = _quiet,
    verify_layers: tuple[str, ...] | None = None,
) -> Iterator[Staged]:
    """Render both halves into staging directories; they are deleted on exit unless published.
    ``verify_layers``: what the caller will verify (render_halves may check part of it early)."""
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
        progress("rendering the GitOps tree")
        prechecked = render_halves(config, tf_stage, gitops_stage, timings, verify_layers)
        yield Staged(config, tf_stage, gitops_stage, timings, prechecked)
    finally:
        gc.unfreeze()  # render_halves froze what it made (GC_NOTE)
        shutil.rmtree(tf_stage, ignore_errors=True)
        shutil.rmtree(gitops_stage, ignore_errors=True)


def publish(staged: Staged, terraform_out: Path, gitops_out: Path, deleter: Deleter | None = None) -> None:
    with staged.timings.step("write"):
        replace_trees([(staged.terraform, terraform_out), (staged.gitops, gitops_out)], deleter)  # both halves or neither


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
