"""The verifier's runner: loads the artifacts and runs the registered rules of the wanted layers
(the registry is :mod:`goldenpath.verify.registry`, which the rule modules import)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from goldenpath.verify.artifacts import load
from goldenpath.verify.registry import RULES, Rule, rule
from goldenpath.verify.report import Violation

__all__ = ["RULES", "Rule", "all_rules", "rule", "run"]


def _load_rule_modules() -> None:
    # Imported for their @rule registrations.
    from goldenpath.verify import aws_facts, charts, cluster_facts, consistency, observability, policy, references, schema, self_service  # noqa: F401


PROFILE_ENV = "GOLDENPATH_VERIFY_PROFILE"  # a path: per-rule seconds of every run are written there as JSON


def run(
    terraform: Path, gitops: Path, *, layers: Iterable[str] = ("schema", "consistency", "charts", "policy"), config: Any = None,
    profile: dict[str, float] | None = None,
) -> list[Violation]:
    """Every violation of every rule in ``layers``; raises UnusableInput for unreadable trees.
    ``config`` (a PlatformConfig) is what rules that compare with intent read (env parity).
    ``profile`` (or the file named by $GOLDENPATH_VERIFY_PROFILE) receives the seconds of the load
    (``load``) and of each rule (``rule:<id>``); a fact shared by rules (chart renders, indexes) is
    counted in the first rule that asks for it."""
    _load_rule_modules()
    seconds: dict[str, float] = {} if profile is None else profile
    start = time.perf_counter()
    artifacts = load(terraform, gitops)
    artifacts.config = config
    seconds["load"] = time.perf_counter() - start
    wanted = set(layers)
    found: list[Violation] = []
    for registered in RULES.values():
        if registered.layer in wanted:
            start = time.perf_counter()
            found.extend(registered.check(artifacts))
            seconds[f"rule:{registered.id}"] = time.perf_counter() - start
    if path := os.environ.get(PROFILE_ENV):
        Path(path).write_text(json.dumps(seconds, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return sorted(set(found))


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return sorted(RULES.values(), key=lambda r: (r.layer, r.id))
