"""Rule registry and runner.

A rule is a function ``(Artifacts) -> Iterable[Violation]`` registered with :func:`rule`; its
docstring says which failure it prevents (``goldenpath verify --list-rules`` prints them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from goldenpath.verify.artifacts import Artifacts, load
from goldenpath.verify.report import Violation

RuleFn = Callable[[Artifacts], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    id: str
    layer: str  # schema | consistency | charts | policy
    check: RuleFn

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").split())


RULES: dict[str, Rule] = {}


def rule(rule_id: str, layer: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(rule_id, layer, fn)
        return fn

    return register


def _load_rule_modules() -> None:
    # Imported for their @rule registrations.
    from goldenpath.verify import charts, consistency, observability, policy, schema, self_service  # noqa: F401


def run(terraform: Path, gitops: Path, *, layers: Iterable[str] = ("schema", "consistency", "charts", "policy")) -> list[Violation]:
    """Every violation of every rule in ``layers``; raises UnusableInput for unreadable trees."""
    _load_rule_modules()
    artifacts = load(terraform, gitops)
    wanted = set(layers)
    found: list[Violation] = []
    for registered in RULES.values():
        if registered.layer in wanted:
            found.extend(registered.check(artifacts))
    return sorted(set(found))


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return sorted(RULES.values(), key=lambda r: (r.layer, r.id))
