"""Observability rules: alerts and dashboards that can really fire and really show something.

PromQL (and LogQL stream selectors, which share PromQL's selector syntax) is parsed with
``promql-parser``, never matched with regexes. Metric names are checked against the components'
documented lists (``metrics.yaml``, each list with its source) and the recording rules of the
tree and of the charts' renders; datasource uids against the Grafana datasources the
kube-prometheus-stack chart really provisions; Logs panels against the labels the rendered
Alloy configuration sets.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import yaml

from goldenpath import charts, trees
from goldenpath.verify import optimize
from goldenpath.verify.artifacts import Artifacts, Manifest
from goldenpath.verify.charts import rendered_manifests
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

METRICS_FILE = Path(__file__).with_name("metrics.yaml")
SEVERITIES = ("critical", "warning", "info")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def _v(m: Manifest, rule_id: str, message: str) -> Violation:
    return Violation(m.file, m.ref, rule_id, message)


@functools.cache
def documented_metrics() -> dict[str, str]:
    """metric name -> the source that documents it."""
    data = yaml.safe_load(METRICS_FILE.read_text(encoding="utf-8"))
    return {metric: entry["source"] for entry in data.values() for metric in entry["metrics"]}


def rule_entries(m: Manifest) -> Iterator[dict[str, Any]]:
    if m.kind == "PrometheusRule":
        for group in (m.obj.get("spec") or {}).get("groups") or []:
            yield from (r for r in group.get("rules") or [] if isinstance(r, dict))


def _dashboards(m: Manifest) -> Iterator[tuple[str, dict[str, Any]]]:
    if m.kind != "ConfigMap":
        return
    for key, text in (m.obj.get("data") or {}).items():
        if str(key).endswith(".json"):
            board = _board(text)
            if isinstance(board, dict):
                yield str(key), board


_BOARDS: dict[str, Any] = {}  # dashboard JSON text -> its model (None: invalid); read-only models


def _board(text: Any) -> Any:
    """The parsed dashboard (None when invalid: dashboard-sidecar reports it); four rules read
    every dashboard, so with optimisations on each text is parsed once per process."""
    if optimize.enabled() and isinstance(text, str) and text in _BOARDS:
        return _BOARDS[text]
    try:
        board = json.loads(text)
    except ValueError:
        board = None
    if optimize.enabled() and isinstance(text, str):
        if len(_BOARDS) > 50_000:
            _BOARDS.clear()
        _BOARDS[text] = board
    return board


def env_dashboards(a: Artifacts, env: str) -> Iterator[tuple[Manifest, str, dict[str, Any]]]:
    """(ConfigMap, data key, dashboard model) of every dashboard in the env's tree."""
    for m in a.manifests:
        if m.env == env:
            for key, board in _dashboards(m):
                yield m, key, board


def panel_targets(board: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for panel in board.get("panels") or []:
        for target in panel.get("targets") or []:
            yield panel, target


def _datasource_type(panel: dict[str, Any], target: dict[str, Any]) -> str:
    return str((target.get("datasource") or panel.get("datasource") or {}).get("type", ""))


def promql_sources(a: Artifacts, env: str) -> Iterator[tuple[Manifest, str, str]]:
    """(manifest, where, PromQL) of every rule expression and Prometheus panel in the env's tree."""
    for m in a.manifests:
        if m.env != env:
            continue
        for entry in rule_entries(m):
            name = entry.get("alert") or entry.get("record")
            yield m, f"rule {name}", str(entry.get("expr", ""))
        for key, board in _dashboards(m):
            for panel, target in panel_targets(board):
                if _datasource_type(panel, target) == "prometheus":
                    yield m, f"{key} panel {panel.get('title')!r}", str(target.get("expr", ""))


def parse(a: Artifacts, expr: str) -> Any:
    """``promql_parser.parse`` (raises ValueError), memoised per expression: the same expression
    is in every env and in many generated dashboards, and two rules parse each one."""
    if not optimize.enabled():
        return promql_parser.parse(expr)
    memo: dict[str, tuple[bool, Any]] = a.cache.setdefault("promql", {})
    if expr not in memo:
        try:
            memo[expr] = (True, promql_parser.parse(expr))
        except ValueError as exc:
            memo[expr] = (False, exc)
    ok, result = memo[expr]
    if not ok:
        raise result
    return result


# Generated apps' expressions differ only in the names inside their strings
# (namespace="apps-orders", service=~"apps-orders\\.orders\\..*"): at 2,000 apps the two PromQL rules
# parsed ~60,000 distinct expressions (21 s of one synth). Whether an expression parses and which
# metrics it names do not depend on the letters, digits, "_" and "-" of such a string, so both
# are asked once per shape (the strings' runs of those characters collapsed to "x"), except where
# they could: a character class or repetition count ("[", "{"), a backslash escape of a letter or
# digit, a group's flags or name ("(?i)", "(?P<n>": "(?z)" fails, "(?x)" is verbose mode), a
# metric named by __name__, another kind of string or a comment. An empty string stays
# empty (a selector needs a matcher that does not match ""). Collapsing a run can only make a
# shape fail that its expression passes ("ab?" now "x?", matching ""), never
# the reverse; so a shape that fails is never the answer: its expression is parsed itself.
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
_NAME_RUN = re.compile(r"[A-Za-z0-9_-]+")
_SHAPE_SENSITIVE = re.compile(r"[\[{]|\\[A-Za-z0-9_]|\(\?")


def shape(expr: str) -> str:
    """``expr`` with every run of letters, digits, "_" and "-" in its double-quoted strings
    collapsed to "x", or ``expr`` itself where that could change how it parses."""
    if "'" in expr or "`" in expr or "#" in expr or "__name__" in expr:
        return expr
    parts: list[str] = []
    last = 0
    for literal in _LITERAL.finditer(expr):
        body = literal.group(1)
        if _SHAPE_SENSITIVE.search(body):
            return expr
        parts += [expr[last : literal.start(1)], _NAME_RUN.sub("x", body)]
        last = literal.end(1)
    return "".join(parts) + expr[last:]


def _shape_of(a: Artifacts, expr: str) -> str:
    """:func:`shape`, once per expression (both PromQL rules ask for each; a third are distinct)."""
    memo: dict[str, str] = a.cache.setdefault("promql-shape-of", {})
    found = memo.get(expr)
    if found is None:
        found = memo[expr] = shape(expr)
    return found


def _shape_parse(a: Artifacts, expr: str) -> Any:
    """The parse of ``expr``'s :func:`shape` when it parses (memoised per shape), else ``expr``'s own
    (raises its ValueError): for what does not depend on the strings' names."""
    if not optimize.enabled():
        return parse(a, expr)
    memo: dict[str, Any] = a.cache.setdefault("promql-shapes", {})
    key = _shape_of(a, expr)
    if key not in memo:
        try:
            memo[key] = promql_parser.parse(key)
        except ValueError:
            memo[key] = None
    return memo[key] if memo[key] is not None else parse(a, expr)


def _metric_names(a: Artifacts, expr: str) -> set[str]:
    """metric_names(parse(expr)), memoised per shape of the expression (raises ValueError)."""
    if not optimize.enabled():
        return metric_names(parse(a, expr))
    memo: dict[str, set[str]] = a.cache.setdefault("promql-metric-names", {})
    key = _shape_of(a, expr)
    if key not in memo:
        memo[key] = metric_names(_shape_parse(a, expr))
    return memo[key]


def metric_names(expr: Any) -> set[str]:
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            name = node.name or next((mt.value for mt in node.matchers.matchers if mt.name == "__name__"), None)
            if name:
                names.add(str(name))

    promql_parser.walk(expr, visit)
    return names


@rule("promql-parse", "consistency")
def promql_parse(a: Artifacts) -> Iterator[Violation]:
    """Every PromQL expression in the tree's rules and dashboards parses (Prometheus rejects the
    whole rule group of one bad expression; Grafana shows an empty panel)."""
    for env in a.environments:
        for m, where, expr in promql_sources(a, env):
            try:
                _shape_parse(a, expr)
            except ValueError as exc:
                yield _v(m, "promql-parse", f"{where}: {expr!r} does not parse ({exc})")


def recorded(a: Artifacts, env: str) -> set[str]:
    """Series recorded by PrometheusRules of the tree and of the charts' renders."""
    names = {str(e["record"]) for m in a.manifests if m.env == env for e in rule_entries(m) if e.get("record")}
    names |= {str(e["record"]) for m in rendered_manifests(a, env, "PrometheusRule") for e in rule_entries(m) if e.get("record")}
    return names


def _known(name: str, documented: dict[str, str], recorded_names: set[str]) -> bool:
    if name in documented or name in recorded_names:
        return True
    return any(name.endswith(s) and name[: -len(s)] in documented for s in HISTOGRAM_SUFFIXES)


@rule("promql-metrics", "consistency")
def promql_metrics(a: Artifacts) -> Iterator[Violation]:
    """Every metric a rule or panel uses is one a component documents (goldenpath/verify/
    metrics.yaml, with the source of each list) or one a recording rule produces; a misspelt
    metric is an alert that never fires and a panel that stays empty."""
    documented = documented_metrics()
    for env in a.environments:
        recorded_names = recorded(a, env)
        for m, where, expr in promql_sources(a, env):
            try:
                names = _metric_names(a, expr)
            except ValueError:
                continue  # promql-parse reports it
            for name in sorted(names):
                if not _known(name, documented, recorded_names):
                    yield _v(m, "promql-metrics", f"{where}: metric {name} is neither documented by a platform component nor recorded by a rule")


def runbook_path(url: str) -> str | None:
    """``docs/runbooks/X.md`` from ``https://<git host>/<org>/<repo>/blob/<branch>/docs/runbooks/X.md``."""
    match = re.fullmatch(r"https://[^/]+/[^/]+/[^/]+/blob/[^/]+/(docs/runbooks/[A-Za-z0-9_-]+\.md)", url)
    return match.group(1) if match else None


@rule("alert-runbook", "consistency")
def alert_runbook(a: Artifacts) -> Iterator[Violation]:
    """Every alert has a `severity` label Alertmanager routes on, a `summary`, and a runbook_url
    to a page that exists in this repository (docs/runbooks/<alert>.md): whoever is paged at
    night knows what it means and what to check first."""
    repo = Path(a.cache.get("repo_root", charts.REPO))
    for m in a.manifests:
        for entry in rule_entries(m):
            if not entry.get("alert"):
                continue
            name = entry["alert"]
            labels, annotations = entry.get("labels") or {}, entry.get("annotations") or {}
            if labels.get("severity") not in SEVERITIES:
                yield _v(m, "alert-runbook", f"alert {name}: severity {labels.get('severity')!r} is not one of {', '.join(SEVERITIES)}")
            if not annotations.get("summary"):
                yield _v(m, "alert-runbook", f"alert {name}: no summary annotation")
            path = runbook_path(str(annotations.get("runbook_url", "")))
            if path is None:
                yield _v(m, "alert-runbook", f"alert {name}: runbook_url {annotations.get('runbook_url')!r} is not a docs/runbooks/ page of the repository")
            elif not (repo / path).is_file():
                yield _v(m, "alert-runbook", f"alert {name}: runbook {path} does not exist in the repository")


def provisioned_datasources(a: Artifacts, env: str) -> set[str]:
    """uids of the Grafana datasources the rendered charts provision (sidecar datasource files)."""
    uids: set[str] = set()
    for m in rendered_manifests(a, env, "ConfigMap"):
        for key, text in ((m.obj.get("data") or {}).items()):
            if "datasource" in str(key) and str(key).endswith((".yaml", ".yml")):
                document = trees.parse_text(text) or {}
                uids |= {str(d.get("uid")) for d in document.get("datasources") or [] if isinstance(d, dict) and d.get("uid")}
    return uids


@rule("dashboard-datasource", "consistency")
def dashboard_datasource(a: Artifacts) -> Iterator[Violation]:
    """Every datasource uid a dashboard panel or target names is provisioned by the Grafana the
    kube-prometheus-stack chart renders; otherwise the panel shows "datasource not found"."""
    for env in a.environments:
        uids = provisioned_datasources(a, env)
        for m, key, board in env_dashboards(a, env):
            variables = {f"${{{v.get('name')}}}" for v in (board.get("templating") or {}).get("list") or [] if v.get("type") == "datasource"}
            for panel in board.get("panels") or []:
                for source in [panel.get("datasource") or {}, *((t.get("datasource") or {}) for t in panel.get("targets") or [])]:
                    uid = source.get("uid")
                    if uid and uid not in uids and uid not in variables:
                        yield _v(m, "dashboard-datasource", f"{key} panel {panel.get('title')!r}: datasource uid {uid!r} is not provisioned ({', '.join(sorted(uids)) or 'none'})")


def alloy_labels(a: Artifacts, env: str) -> set[str] | None:
    """Labels the rendered Alloy configuration sets on log lines (its relabel target_labels);
    None when the env renders no Alloy."""
    found: set[str] | None = None
    for m in rendered_manifests(a, env, "ConfigMap", chart="alloy"):
        for text in (m.obj.get("data") or {}).values():
            if "loki.source.kubernetes" in str(text):
                found = (found or set()) | set(re.findall(r'target_label\s*=\s*"([A-Za-z_][A-Za-z0-9_]*)"', str(text)))
    return found


@rule("logs-labels", "consistency")
def logs_labels(a: Artifacts) -> Iterator[Violation]:
    """Logs panels select streams only by labels the log shipper really sets (Alloy's rendered
    configuration); a label nobody sets is an empty panel forever."""
    for env in a.environments:
        labels = alloy_labels(a, env)
        for m, key, board in env_dashboards(a, env):
            for panel, target in panel_targets(board):
                if _datasource_type(panel, target) != "loki":
                    continue
                if labels is None:
                    yield _v(m, "logs-labels", f"{key} panel {panel.get('title')!r}: no log shipper (Alloy) is rendered in {env}")
                    continue
                selector = str(target.get("expr", "")).split("|", 1)[0].strip()
                try:
                    parsed = parse(a, selector)
                except ValueError as exc:
                    yield _v(m, "logs-labels", f"{key} panel {panel.get('title')!r}: stream selector {selector!r} does not parse ({exc})")
                    continue
                used = {mt.name for mt in parsed.matchers.matchers} if isinstance(parsed, promql_parser.VectorSelector) else set()
                for label in sorted(used - labels):
                    yield _v(m, "logs-labels", f"{key} panel {panel.get('title')!r}: label {label} is not set by Alloy ({', '.join(sorted(labels))})")
