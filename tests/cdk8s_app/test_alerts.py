"""cdk8s_app/alerts.py: platform alerts with runbooks; per-app SLOs as multi-window burn rates."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdk8s_app.alerts import ALERT_NAMES, PLATFORM_ALERTS, le_matcher, slo_queries
from goldenpath.config import PlatformConfig
from tests.cdk8s_app.conftest import Tree, named
from tests.conftest import REPO


def _rules(rule: dict) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    return {g["name"]: g["rules"] for g in rule["spec"]["groups"]}


def test_platform_alerts_have_severity_summary_and_a_runbook(tree: Tree) -> None:
    rule = named(tree["dev"], "PrometheusRule", "platform-alerts")
    (alerts,) = _rules(rule).values()
    assert [a["alert"] for a in alerts] == [a.name for a in PLATFORM_ALERTS]
    for alert in alerts:
        assert alert["labels"]["severity"] in ("critical", "warning")
        assert alert["annotations"]["summary"]
        # THEN the runbook is the page in this repository, on the env's branch
        assert alert["annotations"]["runbook_url"] == f"https://github.com/mikeybeezy/goldenpath-idp-infra/blob/development/docs/runbooks/{alert['alert']}.md"


def test_every_alert_has_exactly_one_runbook_page() -> None:
    pages = {p.stem for p in (REPO / "docs" / "runbooks").glob("*.md")}
    assert pages == set(ALERT_NAMES)
    for name in ALERT_NAMES:
        text = (REPO / "docs" / "runbooks" / f"{name}.md").read_text()
        assert text.startswith(f"# {name}\n") and "## First three things to check" in text and "3. " in text


def test_certificate_expiry_threshold_is_14_days() -> None:
    (expiry,) = [a for a in PLATFORM_ALERTS if a.name == "CertificateExpiringSoon"]
    assert "< 14 * 24 * 3600" in expiry.expr and "certmanager_certificate_expiration_timestamp_seconds" in expiry.expr


def test_an_app_with_an_slo_gets_burn_rate_rules(config_copy: Path) -> None:
    # GIVEN orders with a 99.9% availability and a 95% under 300 ms objective
    orders = config_copy / "apps" / "orders.yaml"
    orders.write_text(orders.read_text() + "slo: {availability: 99.9, latency_ms: 300, latency_percent: 95}\n")
    from cdk8s_app.app import render_files
    from goldenpath.config import load_config

    tree = render_files(load_config(config_copy))
    rule = named(tree["prod"], "PrometheusRule", "orders-slo")
    groups = _rules(rule)
    # THEN one recording rule per SLO and window
    records = {r["record"]: r["expr"] for r in groups["orders-slo-ratios"]}
    assert sorted(records) == sorted(f"app:slo_{k}:ratio_rate{w}" for k in ("errors", "slow") for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d"))
    assert 'le=~"0*300(\\\\.0+)?"' in records["app:slo_slow:ratio_rate1h"]
    assert 'service=~"apps-orders\\\\.orders\\\\..*"' in records["app:slo_errors:ratio_rate5m"]
    # AND the SRE workbook's multiwindow burn rates on a 0.1% budget: 14.4x/6x page, 3x/1x ticket
    alerts = {(a["alert"], a["labels"]["severity"]): a for a in groups["orders-slo-alerts"]}
    page = alerts[("AppAvailabilityBudgetBurn", "critical")]
    assert page["expr"] == (
        '(app:slo_errors:ratio_rate1h{app="orders"} > 0.0144 and app:slo_errors:ratio_rate5m{app="orders"} > 0.0144)'
        ' or (app:slo_errors:ratio_rate6h{app="orders"} > 0.006 and app:slo_errors:ratio_rate30m{app="orders"} > 0.006)'
    )
    ticket = alerts[("AppAvailabilityBudgetBurn", "warning")]
    assert ticket["expr"] == (
        '(app:slo_errors:ratio_rate1d{app="orders"} > 0.003 and app:slo_errors:ratio_rate2h{app="orders"} > 0.003)'
        ' or (app:slo_errors:ratio_rate3d{app="orders"} > 0.001 and app:slo_errors:ratio_rate6h{app="orders"} > 0.001)'
    )
    # the latency budget is 5%: a page at 14.4 x 0.05
    assert "app:slo_slow:ratio_rate1h{app=\"orders\"} > 0.72" in alerts[("AppLatencyBudgetBurn", "critical")]["expr"]
    assert page["labels"] == {"severity": "critical", "app": "orders"}


def test_apps_without_an_slo_get_the_defaults(config: PlatformConfig, tree: Tree) -> None:
    assert named(tree["dev"], "PrometheusRule", "hello-goldenpath-idp-slo")["metadata"]["namespace"] == "apps-hello-goldenpath-idp"
    (hello,) = [a for a in config.apps if a.name == "hello-goldenpath-idp"]
    assert (hello.slo.availability, hello.slo.latency_ms, hello.slo.latency_percent) == (99.5, 1000, 99.0)


@pytest.mark.parametrize(("bound", "matches", "rejects"), [(300, ["300", "300.0", "00300.0"], ["3000", "30"]), (0.25, ["0.25", "0.250"], ["0.5", "2.5"])])
def test_le_matcher_matches_every_spelling_of_the_bound(bound: float, matches: list[str], rejects: list[str]) -> None:
    import re

    pattern = le_matcher(bound).split("=~", 1)[1].strip('"').replace("\\\\", "\\")
    assert all(re.fullmatch(pattern, s) for s in matches)
    assert not any(re.fullmatch(pattern, s) for s in rejects)


def test_internal_apps_use_the_client_library_metrics(config: PlatformConfig) -> None:
    # GIVEN an app without a public host (so Kong never sees its traffic)
    internal = config.apps[0].model_copy(update={"public": None})
    queries = slo_queries(internal)
    # THEN its SLOs read the conventional client-library metrics of its namespace, in seconds
    assert "http_request_duration_seconds_bucket" in queries.slow and 'le=~"0*1(\\\\.0+)?"' in queries.slow
    assert f'namespace="apps-{internal.name}"' in queries.errors
