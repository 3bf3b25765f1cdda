"""The verifier's runner: loads the artifacts and runs the registered rules of the wanted layers
(the registry is :mod:`goldenpath.verify.registry`, which the rule modules import)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

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
        observability,
        policy,
        references,
        schema,
        self_service,
        tenancy,
    )


def run(terraform: Path, gitops: Path, *, layers: Iterable[str] = ("schema", "consistency", "charts", "policy"), config: Any = None) -> list[Violation]:
    """Every violation of every rule in ``layers``; raises UnusableInput for unreadable trees.
    ``config`` (a PlatformConfig) is what rules that compare with intent read (env parity)."""
    _load_rule_modules()
    artifacts = load(terraform, gitops)
    artifacts.config = config
    wanted = set(layers)
    found: list[Violation] = []
    for registered in RULES.values():
        if registered.layer in wanted:
            found.extend(registered.check(artifacts))
    return sorted(set(found))


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return sorted(RULES.values(), key=lambda r: (r.layer, r.id))
