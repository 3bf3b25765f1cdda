"""goldenpath/verify/observability.py: PromQL is asked once per shape of an expression (the names in
its strings collapsed), and that answers exactly what parsing each expression would."""

from __future__ import annotations

from pathlib import Path

import promql_parser
import pytest

from goldenpath.verify import observability
from goldenpath.verify.artifacts import Artifacts, load

# (expression, its shape)
SHAPES = [
    ('sum(rate(kong_http_requests_total{service=~"apps-orders\\\\.orders\\\\..*",code=~"5.."}[5m]))', 'sum(rate(kong_http_requests_total{service=~"x\\\\.x\\\\..*",code=~"x.."}[5m]))'),
    ('sum by (pod) (container_memory_working_set_bytes{namespace="apps-orders",container!=""})', 'sum by (pod) (container_memory_working_set_bytes{namespace="x",container!=""})'),
    ('up{job=~"[a-z]+"}', 'up{job=~"[a-z]+"}'),  # a character class: as it is
    ('up{job=~"a{2,3}"}', 'up{job=~"a{2,3}"}'),  # a repetition count
    ('up{job=~"\\\\d+"}', 'up{job=~"\\\\d+"}'),  # an escaped letter
    ('up{job=~"(?i)orders"}', 'up{job=~"(?i)orders"}'),  # a group's flags (or name)
    ('{__name__="up",job="a"}', '{__name__="up",job="a"}'),  # a metric named in a string
    ("up{job='a'}", "up{job='a'}"),
    ('up # "a"\n', 'up # "a"\n'),
]

# Expressions whose own parse the shapes must reproduce: passing, failing, and those whose shape
# fails although they pass (the answer is then their own parse).
CASES = [s for s, _ in SHAPES] + [
    '{job=""}',  # no matcher that does not match "": fails, and its shape (still "") fails too
    '{job=~"ab?"}',  # passes; its shape {job=~"x?"} matches "" and fails
    '{job=~"a*"}',
    'up{job=~"(?P<first>a)(?P<second>b)"}',
    'up{job=~"(?P<same>a)(?P<same>b)"}',  # fails
    'up{job=~"(?z)a"}',  # fails (no flag z); collapsed it would be "(?x)x", verbose mode, and pass
    'up{job=~"(("}',
    'sum(up{job="a"}',
    'rate(up{job="a"}[5m]) / on(instance) group_left up{job!="b"}',
    'up{job=~"a|"}',
]


@pytest.mark.parametrize(("expr", "expected"), SHAPES)
def test_shape_collapses_only_names_that_cannot_change_the_parse(expr: str, expected: str) -> None:
    assert observability.shape(expr) == expected


def _own(expr: str) -> tuple[bool, set[str]]:
    try:
        return True, observability.metric_names(promql_parser.parse(expr))
    except ValueError:
        return False, set()


def _by_shape(artifacts: Artifacts, expr: str) -> tuple[bool, set[str]]:
    try:
        observability._shape_parse(artifacts, expr)
    except ValueError as exc:
        with pytest.raises(ValueError) as own:
            promql_parser.parse(expr)
        assert str(exc) == str(own.value)  # the expression's own message, never its shape's
        return False, set()
    return True, observability._metric_names(artifacts, expr)


def test_asking_by_shape_answers_what_each_expression_answers(synthesized: Path) -> None:
    artifacts = load(synthesized / "cdktf.out", synthesized / "gitops")
    tree = [expr for env in artifacts.environments for _m, _where, expr in observability.promql_sources(artifacts, env)]
    assert len(tree) > 100
    outcomes = {expr: _own(expr) for expr in CASES + tree}
    assert {ok for ok, _ in outcomes.values()} == {True, False}
    fresh = Artifacts(artifacts.terraform_root, artifacts.gitops_root)  # memos of its own
    for expr, expected in outcomes.items():
        assert _by_shape(fresh, expr) == expected, expr
    # AND the default tree's expressions come in fewer shapes than expressions
    assert len({observability.shape(e) for e in tree}) < len(set(tree))
