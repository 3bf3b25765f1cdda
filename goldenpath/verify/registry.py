"""The rule registry: rule modules register here with :func:`rule`; the engine runs what is
registered. Its own module, so the engine imports the rule modules and they import only this.

A rule is a function ``(Artifacts) -> Iterable[Violation]``; its docstring says which failure it
prevents (``goldenpath verify --list-rules`` prints them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from goldenpath.verify.artifacts import Artifacts
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
