"""The verifier's runner: loads the artifacts and runs the registered rules of the wanted layers
(the registry is :mod:`goldenpath.verify.registry`, which the rule modules import)."""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldenpath import forking
from goldenpath.optimize import collector_paused
from goldenpath.verify import optimize
from goldenpath.verify.artifacts import TerraformNotLoaded, load
from goldenpath.verify.registry import RULES, Rule, rule
from goldenpath.verify.report import Violation

__all__ = ["GITOPS_ONLY_RULES", "RULES", "Prechecked", "Rule", "all_rules", "precheck", "rule", "run"]


def _load_rule_modules() -> None:
    # Imported for their @rule registrations.
    from goldenpath.verify import (  # noqa: F401
        aws_facts,
        charts,
        cluster_facts,
        consistency,
        dns,
        limits,
        observability,
        policy,
        references,
        schema,
        self_service,
        tenancy,
    )


PROFILE_ENV = "GOLDENPATH_VERIFY_PROFILE"  # a path: per-rule seconds of every run are written there as JSON


def profile_path() -> Path | None:
    """Where a run writes its per-rule seconds: $GOLDENPATH_VERIFY_PROFILE, else next to the
    synth's step split ($GOLDENPATH_TIMINGS ``t.json`` -> ``t.rules.json``, which `make bench` sets)."""
    if explicit := os.environ.get(PROFILE_ENV):
        return Path(explicit)
    if timings := os.environ.get("GOLDENPATH_TIMINGS"):
        return Path(timings).with_suffix(".rules.json")
    return None


# Rules that read nothing of the Terraform half (tests/goldenpath/verify/test_engine.py runs each
# on a GitOps-only load, where reading a stack raises): the process that rendered the GitOps tree
# runs them while this one still renders Terraform (:func:`precheck`, orchestration/pipeline.py).
# Default config: ~0.2 s of the synth's ~0.5 s of rules, the schema rule most of it.
GITOPS_ONLY_RULES = frozenset({
    "alert-runbook", "argocd-build", "destination-namespace", "env-parity", "externalsecret-store",
    "externalsecret-tenant", "image-update-write-back", "ingress-class-tls", "ingress-issuer", "manifest-size",
    "namespace-name", "promql-parse", "schema", "team-source-paths", "workload-selector",
})


@dataclass
class Prechecked:
    """What :func:`precheck` found: the violations of ``rules`` (of ``layers``) on ``gitops``."""

    gitops: Path
    layers: tuple[str, ...]
    rules: frozenset[str]
    violations: list[Violation] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def precheck(gitops: Path, *, layers: Iterable[str], config: Any = None) -> Prechecked:
    """The GitOps-only rules of ``layers`` on the GitOps tree alone, for a later :func:`run` of
    both trees to take instead of running them itself. A rule that reads Terraform after all
    (TerraformNotLoaded) is left to that run, its findings here dropped."""
    _load_rule_modules()
    layers = tuple(layers)
    seconds: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()
    with collector_paused():
        artifacts = load(None, gitops)
    artifacts.config = config
    seconds["precheck:load"], seconds["cpu:precheck:load"] = time.perf_counter() - start, time.process_time() - cpu
    done: set[str] = set()
    rules = [r for r in _wanted(layers) if r.id in GITOPS_ONLY_RULES]
    found, own = _check(rules, artifacts, optimize.refresh() and gc.isenabled(), done)
    seconds.update(own)
    return Prechecked(Path(gitops), layers, frozenset(done), found, seconds)


def _wanted(layers: Iterable[str]) -> list[Rule]:
    wanted = set(layers)
    return [r for r in RULES.values() if r.layer in wanted]


def run(
    terraform: Path, gitops: Path, *, layers: Iterable[str] = ("schema", "consistency", "charts", "policy"), config: Any = None,
    profile: dict[str, float] | None = None, prechecked: Prechecked | None = None,
) -> list[Violation]:
    """Every violation of every rule in ``layers``; raises UnusableInput for unreadable trees.
    ``config`` (a PlatformConfig) is what rules that compare with intent read (env parity).
    ``profile`` (or the file named by $GOLDENPATH_VERIFY_PROFILE) receives the wall-clock seconds
    of the load (``load``) and of each rule (``rule:<id>``), and the process CPU seconds of each
    (``cpu:load``, ``cpu:rule:<id>``: steadier on a shared machine); a fact shared by rules (chart
    renders, indexes) is counted in the first rule that asks for it. ``prechecked`` (a
    :func:`precheck` of the same GitOps tree and layers) gives its rules' findings instead of
    their runs here."""
    _load_rule_modules()
    layers = tuple(layers)
    if prechecked is not None and (prechecked.layers != layers or Path(prechecked.gitops) != Path(gitops)):
        prechecked = None  # of another tree or other layers: everything runs here
    # The tree is hundreds of thousands of long-lived objects: every full collection of the cyclic
    # GC walked all of them again (at 500 apps, four fifths of a rule's time; a sixth of the load at
    # 2,000). The load makes no cycles (parsed YAML), so it runs without the cyclic GC; the tree is
    # then frozen, and again after each rule, so a collection walks only what one rule allocated.
    # A caller that froze its own objects first (the synth: orchestration/pipeline.py) keeps them
    # frozen: only a run that found nothing frozen unfreezes at the end.
    freeze = optimize.refresh() and gc.isenabled()
    unfreeze = freeze and gc.get_freeze_count() == 0
    seconds: dict[str, float] = {} if profile is None else profile
    try:
        if freeze:
            gc.freeze()
        start, cpu = time.perf_counter(), time.process_time()
        with collector_paused():
            artifacts = load(terraform, gitops)
        artifacts.config = config
        seconds["load"], seconds["cpu:load"] = time.perf_counter() - start, time.process_time() - cpu
        wanted = _wanted(layers)
        found: list[Violation] = []
        if prechecked is not None:
            wanted = [r for r in wanted if r.id not in prechecked.rules]
            found += prechecked.violations
            seconds.update(prechecked.seconds)
        helper = None
        if parallel(artifacts) and any(r.id in FORKED_RULES for r in wanted):
            forked = [r for r in wanted if r.id in FORKED_RULES]
            helper = forking.Child(lambda: _check(forked, artifacts, freeze))
            wanted = [r for r in wanted if r.id not in FORKED_RULES]
        try:
            own_found, own = _check(wanted, artifacts, freeze)
            found += own_found
            seconds.update(own)
            if helper is not None:
                theirs, their_seconds = helper.result()
                found += theirs
                seconds.update(their_seconds)
                helper = None
        finally:
            if helper is not None:
                helper.kill()
    finally:
        if unfreeze:
            gc.unfreeze()
    if path := profile_path():
        path.write_text(json.dumps(seconds, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return sorted(set(found))


# A forked child runs these rules while this process runs the others (2 cores; the tree is shared
# copy-on-write, frozen for the GC): about half of all rules' time on a large tree. The PromQL
# rules go together: they share the parse memo (an Artifacts fact), which each process would
# otherwise fill again. manifest-size stays here: with it the child was the longer side at 2,000
# apps (14.2 s against 9.0 s; without it 12.6 s against 10.6 s).
FORKED_RULES = frozenset({"schema", "promql-parse", "promql-metrics", "logs-labels"})
PARALLEL_FROM_MANIFESTS = 1500  # below, the fork costs more than half the rule saves


def parallel(artifacts: Any) -> bool:
    return optimize.enabled() and hasattr(os, "fork") and len(artifacts.manifests) >= PARALLEL_FROM_MANIFESTS


def _check(rules: list[Rule], artifacts: Any, freeze: bool, done: set[str] | None = None) -> tuple[list[Violation], dict[str, float]]:
    """The rules' findings and seconds; with ``done`` (a GitOps-only load), a rule that reads
    Terraform is skipped, its findings dropped, and ``done`` collects the others."""
    found: list[Violation] = []
    seconds: dict[str, float] = {}
    for registered in rules:
        if freeze:
            gc.freeze()
        start, cpu = time.perf_counter(), time.process_time()
        if done is None:
            found.extend(registered.check(artifacts))
        else:
            try:
                found.extend(list(registered.check(artifacts)))
            except TerraformNotLoaded:
                continue
            done.add(registered.id)
        seconds[f"rule:{registered.id}"] = time.perf_counter() - start
        seconds[f"cpu:rule:{registered.id}"] = time.process_time() - cpu
    return found, seconds


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return sorted(RULES.values(), key=lambda r: (r.layer, r.id))
