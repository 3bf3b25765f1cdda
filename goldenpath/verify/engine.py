"""The verifier's runner: loads the artifacts and runs the registered rules of the wanted layers
(the registry is :mod:`goldenpath.verify.registry`, which the rule modules import)."""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from goldenpath.verify import optimize
from goldenpath.verify.artifacts import load
from goldenpath.verify.registry import RULES, Rule, rule
from goldenpath.verify.report import Violation

__all__ = ["RULES", "Rule", "all_rules", "rule", "run"]


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


def run(
    terraform: Path, gitops: Path, *, layers: Iterable[str] = ("schema", "consistency", "charts", "policy"), config: Any = None,
    profile: dict[str, float] | None = None,
) -> list[Violation]:
    """Every violation of every rule in ``layers``; raises UnusableInput for unreadable trees.
    ``config`` (a PlatformConfig) is what rules that compare with intent read (env parity).
    ``profile`` (or the file named by $GOLDENPATH_VERIFY_PROFILE) receives the wall-clock seconds
    of the load (``load``) and of each rule (``rule:<id>``), and the process CPU seconds of each
    (``cpu:load``, ``cpu:rule:<id>``: steadier on a shared machine); a fact shared by rules (chart
    renders, indexes) is counted in the first rule that asks for it."""
    _load_rule_modules()
    # The tree is hundreds of thousands of long-lived objects: every full collection of the cyclic
    # GC walked all of them again (at 500 apps, four fifths of a rule's time; a sixth of the load at
    # 2,000). The load makes no cycles (parsed YAML), so it runs without the cyclic GC; the tree is
    # then frozen, and again after each rule, so a collection walks only what one rule allocated.
    freeze = optimize.refresh() and gc.isenabled()
    seconds: dict[str, float] = {} if profile is None else profile
    try:
        if freeze:
            gc.freeze()
            gc.disable()
        start, cpu = time.perf_counter(), time.process_time()
        try:
            artifacts = load(terraform, gitops)
        finally:
            if freeze:
                gc.enable()
        artifacts.config = config
        seconds["load"], seconds["cpu:load"] = time.perf_counter() - start, time.process_time() - cpu
        wanted = set(layers)
        found: list[Violation] = []
        for registered in RULES.values():
            if registered.layer in wanted:
                if freeze:
                    gc.freeze()
                start, cpu = time.perf_counter(), time.process_time()
                found.extend(registered.check(artifacts))
                seconds[f"rule:{registered.id}"] = time.perf_counter() - start
                seconds[f"cpu:rule:{registered.id}"] = time.process_time() - cpu
    finally:
        if freeze:
            gc.unfreeze()
    if path := profile_path():
        path.write_text(json.dumps(seconds, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return sorted(set(found))


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return sorted(RULES.values(), key=lambda r: (r.layer, r.id))
