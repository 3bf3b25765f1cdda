"""The verifier and the change summary scale linearly with the tree (issue 14), proven without
timing: the work they do is counted as executed lines of their own code (``sys.settrace``,
only frames of ``goldenpath/verify`` or of the compare step), which is deterministic up to set
ordering, unlike seconds on a shared machine. Trees of the default platform plus 0, 6 and 12
generated apps (``bench.configs``) differ by the same six apps twice, so linear work grows by the
same amount twice; a rule that scans the tree per object grows faster the second time (before
issue 14 the verifier's second step was 1.26x its first; the bound is 1.1x).

And every optimisation honours ``GOLDENPATH_OPTIMIZE=0``: the report of a mutated tree is
identical with optimisations on and off.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.configs import make_config
from goldenpath.verify import engine
from orchestration import changes, guard, inventory
from tests.conftest import REPO

SIZES = (0, 6, 12)
LAYERS = ("schema", "consistency", "charts")
GROWTH_BOUND = 1.1  # second step / first step of the work; linear: 1.0 (+ set-order noise)
RULE_SLACK_LINES = 50
VERIFY_CODE = str(Path(engine.__file__).parent)
COMPARE_CODE = tuple(str(Path(m.__file__)) for m in (changes, guard, inventory))


@pytest.fixture(scope="module")
def trees(synthesized: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The default platform plus n generated apps, rendered by the real synth path (unverified)."""
    from orchestration.cli import main

    root = tmp_path_factory.mktemp("scale")
    found = {0: synthesized}
    for n in SIZES[1:]:
        config = make_config(root / f"config-{n}", n)
        out = root / f"tree-{n}"
        code = main(["synth", "--config", str(config), "--terraform-out", str(out / "cdktf.out"), "--gitops-out", str(out / "gitops"),
                     "--platform-doc", str(out / "PLATFORM.md"), "--allow-destroy", "*", "--no-verify"])
        assert code == 0
        found[n] = out
    return found


def executed_lines(code: Callable[[], Any], *where: str) -> int:
    """Lines of the files under ``where`` that ``code()`` executes (loop iterations included)."""
    count = 0

    def local(_frame: Any, event: str, _arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: Any, _event: str, _arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(where) else None

    sys.settrace(calls)
    try:
        code()
    finally:
        sys.settrace(None)
    return count


def assert_linear(work: dict[int, int]) -> None:
    first, second = work[SIZES[1]] - work[SIZES[0]], work[SIZES[2]] - work[SIZES[1]]
    assert first > 0 and second <= GROWTH_BOUND * first, f"work per size {work}: the second {SIZES[1]} apps cost {second / first:.2f}x the first"


@pytest.mark.slow
def test_verification_work_grows_linearly_with_the_apps_and_so_does_every_rule(trees: dict[int, Path]) -> None:
    """The whole verifier's bound can hide one quadratic rule among linear ones at these sizes (a
    scan of the env's SecretStores per ExternalSecret did, until 2,000 apps showed it: 3.4 s), so
    each rule is also held to it alone. Shared facts are counted in the first rule that asks, in
    the engine's order, the same at every size."""
    from goldenpath.config import load_config
    from goldenpath.verify.artifacts import load

    # GIVEN trees of 0, 6 and 12 extra apps, each verified once untraced (chart renders cached)
    configs = {0: REPO / "config", **{n: trees[n].parent / f"config-{n}" for n in SIZES[1:]}}
    for n in SIZES:
        assert engine.run(trees[n] / "cdktf.out", trees[n] / "gitops", layers=LAYERS, config=load_config(configs[n])) == [], n
    engine._load_rule_modules()
    rules = [r for r in engine.RULES.values() if r.layer in LAYERS]
    work: dict[str, dict[int, int]] = {}
    for n in SIZES:
        # WHEN counting the executed lines of the load and of each rule, per size
        loaded: list[Any] = []
        work.setdefault("load", {})[n] = executed_lines(lambda n=n, into=loaded: into.append(load(trees[n] / "cdktf.out", trees[n] / "gitops")), VERIFY_CODE)
        artifacts = loaded[0]
        artifacts.config = load_config(configs[n])
        found: list[Any] = []
        for registered in rules:
            work.setdefault(registered.id, {})[n] = executed_lines(lambda r=registered, a=artifacts, into=found: into.extend(r.check(a)), VERIFY_CODE)
        assert found == [], (n, found[:5])
    # THEN the second six apps cost what the first did, in all and in every rule alone (a few lines
    # of slack: a rule with no work per app may still vary with set order)
    assert_linear({n: sum(counts[n] for counts in work.values()) for n in SIZES})
    steep = {
        rule_id: counts for rule_id, counts in work.items()
        if counts[SIZES[2]] - counts[SIZES[1]] > GROWTH_BOUND * (counts[SIZES[1]] - counts[SIZES[0]]) + RULE_SLACK_LINES
    }
    assert steep == {}, steep
    assert sum(1 for counts in work.values() if counts[SIZES[1]] > counts[SIZES[0]]) > 20  # the rules do work per app


@pytest.mark.slow
def test_change_summary_and_inventory_work_grows_linearly(trees: dict[int, Path], tmp_path: Path) -> None:
    # GIVEN each tree compared with an empty previous tree (everything added), its inventory built,
    # and the reverse (every Application removed: the destroy guard asks what each one held)
    empty = tmp_path / "empty"
    empty.mkdir()
    work: dict[str, dict[int, int]] = {}
    for n in SIZES:
        tf, gitops = trees[n] / "cdktf.out", trees[n] / "gitops"
        found: dict[str, Any] = {}
        steps: dict[str, Callable[[], Any]] = {
            "compare, all added": lambda tf=tf, gitops=gitops, into=found: into.update(added=changes.compare(empty, tf, empty, gitops)),
            "destroy guard, all added": lambda into=found: guard.change_dangers(into["added"]),
            "inventory": lambda tf=tf, gitops=gitops: inventory.build(tf, gitops),
            "compare, all removed": lambda tf=tf, gitops=gitops, into=found: into.update(removed=changes.compare(tf, empty, gitops, empty)),
            "destroy guard, all removed": lambda into=found: guard.change_dangers(into["removed"]),
        }
        # WHEN counting each step's executed lines
        for name, step in steps.items():
            work.setdefault(name, {})[n] = executed_lines(step, *COMPARE_CODE)
    # THEN they grow linearly, in all and each step alone (as the verifier's rules, above)
    assert_linear({n: sum(counts[n] for counts in work.values()) for n in SIZES})
    steep = {
        name: counts for name, counts in work.items()
        if counts[SIZES[2]] - counts[SIZES[1]] > GROWTH_BOUND * (counts[SIZES[1]] - counts[SIZES[0]]) + RULE_SLACK_LINES
    }
    assert steep == {}, steep


def test_optimisations_off_give_the_identical_report_on_a_mutated_tree(artifact_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the real artifacts with mutations several rules report (a typo'd host, a second owner,
    # a missing secret store, a bad PromQL expression, a selector that misses its template, an
    # oversized object, an image update written to the wrong path)
    from tests.goldenpath.verify.test_consistency import CASES

    for rule_id in ("ingress-dns", "single-owner", "externalsecret-store", "promql-parse", "workload-selector", "manifest-size", "image-update-write-back"):
        CASES[rule_id](artifact_copy)

    def report() -> list[str]:
        return [str(v) for v in engine.run(artifact_copy / "cdktf.out", artifact_copy / "gitops", layers=LAYERS)]

    # WHEN verifying with the optimisations on and with GOLDENPATH_OPTIMIZE=0
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "1")
    optimised = report()
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    plain = report()
    # THEN the reports are identical, violation for violation
    assert optimised == plain
    assert {line.split(": ")[2] for line in optimised} >= {"ingress-dns", "single-owner", "externalsecret-store", "promql-parse", "manifest-size"}


def test_the_guard_index_finds_what_the_scan_finds(artifact_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the real tree's inventory WHEN built with the StateIndex and with GOLDENPATH_OPTIMIZE=0 (scan per Application)
    built = inventory.build(artifact_copy / "cdktf.out", artifact_copy / "gitops")
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    # THEN the Applications holding state and what they hold are identical
    assert inventory.build(artifact_copy / "cdktf.out", artifact_copy / "gitops") == built
    assert any(entry.get("holds") for objects in built["gitops"].values() for entry in objects.values())


def test_a_run_reports_the_seconds_of_the_load_and_of_every_rule(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN $GOLDENPATH_TIMINGS (what `make bench` sets) WHEN verifying THEN every rule's wall and CPU seconds are written beside it
    monkeypatch.delenv(engine.PROFILE_ENV, raising=False)
    monkeypatch.setenv("GOLDENPATH_TIMINGS", str(tmp_path / "t.json"))
    profile: dict[str, float] = {}
    engine.run(synthesized / "cdktf.out", synthesized / "gitops", layers=("schema", "consistency"), profile=profile)
    written = json.loads((tmp_path / "t.rules.json").read_text())
    rules = {r.id for r in engine.all_rules() if r.layer in ("schema", "consistency")}
    assert written == profile
    assert set(written) == {"load", "cpu:load"} | {f"{p}rule:{r}" for r in rules for p in ("", "cpu:")}
    assert all(seconds >= 0 for seconds in written.values())


def test_the_inventory_from_a_comparisons_items_equals_the_one_from_the_trees(synthesized: Path, artifact_copy: Path) -> None:
    from tests.goldenpath.verify.test_consistency import edit_yaml

    # GIVEN a comparison of an edited tree (the synth's staged one) with the session's synthesis
    edit_yaml(artifact_copy, "dev/workloads/orders/service-orders.yaml", lambda obj: obj["metadata"].setdefault("labels", {}).update(edited="yes"))
    comparison = changes.compare(synthesized / "cdktf.out", artifact_copy / "cdktf.out", synthesized / "gitops", artifact_copy / "gitops")
    assert comparison.new_manifests and comparison.new_terraform and not comparison.gitops.empty
    # THEN the inventory from its items is the inventory of the new trees read again
    built = inventory.build(artifact_copy / "cdktf.out", artifact_copy / "gitops", comparison)
    assert built == inventory.build(artifact_copy / "cdktf.out", artifact_copy / "gitops")
