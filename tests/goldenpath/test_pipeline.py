"""The synth pipeline refuses to publish artifacts that do not verify."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration import pipeline
from orchestration.cli import main
from tests.conftest import REPO


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_violations_keep_the_previous_trees(synthesized: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN previously published trees
    shutil.copytree(synthesized, tmp_path / "out")
    out = tmp_path / "out"
    before = _files(out)
    # AND a renderer that (by a bug) emits an object the verifier rejects
    original = pipeline.render_gitops

    def buggy(config, outdir, timings):  # type: ignore[no-untyped-def]
        written = original(config, outdir, timings)
        (outdir / "dev/platform/namespaces/namespace-bad.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_Name\n")
        return written

    monkeypatch.setattr(pipeline, "render_gitops", buggy)
    # WHEN synth runs
    code = main(["synth", "--config", str(REPO / "config"), "--terraform-out", str(out / "cdktf.out"),
                 "--gitops-out", str(out / "gitops"), "--platform-doc", str(out / "PLATFORM.md")])
    # THEN it reports the violation, exits 1 and leaves every previous file as it was
    err = capsys.readouterr().err
    assert code == 1
    assert "dev/platform/namespaces/namespace-bad.yaml: Namespace/Bad_Name: namespace-name:" in err
    assert "synth refused: the rendered artifacts do not verify. Nothing was written." in err
    assert _files(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["PLATFORM.md", "apps", "catalog", "cdktf.out", "gitops", "state-inventory.json"]  # no staging leftovers


def test_a_second_synth_waits_then_exits_2(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import fcntl
    import os

    from orchestration.cli import main
    from tests.conftest import REPO

    # GIVEN another synth holds the output directory's lock
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOLDENPATH_LOCK_TIMEOUT", "0.5")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        # WHEN synth runs THEN it exits 2 with one clear line and writes nothing
        assert main(["synth", "--config", str(REPO / "config")]) == 2
    finally:
        os.close(fd)
    assert capsys.readouterr().err.strip().splitlines() == [f"synth: another synth is writing into {tmp_path} (waited 0s); run again when it has finished"]
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_ends_in_one_line_exit_1_and_no_leftovers(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import errno

    from orchestration import pipeline
    from orchestration.cli import main
    from tests.conftest import REPO

    # GIVEN a GitOps render that hits ENOSPC
    def full(config, outdir, timings):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device", str(outdir / "x.yaml"))

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "render_gitops", full)
    # WHEN synth runs THEN one line, exit 1, and no staging directory or output is left
    assert main(["synth", "--config", str(REPO / "config")]) == 1
    err = capsys.readouterr().err
    assert "synth: cannot write the outputs: No space left on device" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] in ([], ["dist"])
    assert not [p for p in tmp_path.rglob(".goldenpath-tmp-*")]


def test_published_trees_have_normal_permissions(synthesized) -> None:  # type: ignore[no-untyped-def]
    import stat

    for tree in ("cdktf.out", "gitops"):
        mode = stat.S_IMODE((synthesized / tree).stat().st_mode)
        assert mode & 0o055 == 0o055, oct(mode)  # group and others may read and enter (not mkdtemp's 0700)


def test_gitops_plan_shares_envs_by_expected_cost(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bench.configs import make_config
    from goldenpath.config import load_config

    config = load_config(REPO / "config")
    # GIVEN 3 apps: one child renders every env (Terraform alone takes longer)
    assert pipeline.gitops_plan(config) == ([config.environments], [])
    # GIVEN 100 apps: Terraform is done well before three envs are, so this process takes one
    hundred = load_config(make_config(tmp_path / "config", 100))
    groups, own = pipeline.gitops_plan(hundred)
    assert len(groups) == 1 and len(own) == 1 and sorted(groups[0] + own) == sorted(hundred.environments)
    # GIVEN the split threshold reached: two children, balanced, in the config's env order
    monkeypatch.setattr(pipeline, "SPLIT_FROM_APP_ENVS", 0)
    groups, own = pipeline.gitops_plan(config)
    assert len(groups) == 2 and own == [] and sorted(e for g in groups for e in g) == sorted(config.environments)
    assert all(g == [e for e in config.environments if e in g] for g in groups)


@pytest.mark.slow
def test_envs_rendered_by_two_children_and_this_process_equal_the_committed_tree(tmp_path: Path) -> None:
    """Every share of the plan at once (two children and this process's, forced for the default
    config) in a fresh process, as `make synth` runs it, with the Terraform half: the GitOps tree
    byte for byte."""
    script = (
        "import gc, shutil, sys; from pathlib import Path; from orchestration import pipeline; from goldenpath.config import load_config\n"
        "pipeline.SPLIT_FROM_APP_ENVS = pipeline.TERRAFORM_MS = pipeline.TERRAFORM_PER_APP_MS = 0\n"
        "config = load_config(Path('config')); out = Path(sys.argv[1]); timings = pipeline.Timings()\n"
        "groups, own = pipeline.gitops_plan(config)\n"
        "assert len(groups) == 2 and len(own) == 1, (groups, own)\n"
        "with pipeline.staged_render(Path('config'), out / 'cdktf.out', out / 'gitops', timings) as staged:\n"
        # what the synth keeps is frozen for the GC while it lasts, the collector running again
        "    assert gc.get_freeze_count() > 0 and gc.isenabled(), gc.get_freeze_count()\n"
        "    shutil.copytree(staged.gitops, out / 'gitops')\n"
        "assert gc.get_freeze_count() == 0, gc.get_freeze_count()\n"
        "assert 'gitops-render' in timings.steps, timings.steps\n"
    )
    _run_fresh(script, tmp_path)
    assert _files(tmp_path / "gitops") == _files(REPO / "dist" / "gitops")


@pytest.mark.slow
def test_the_child_that_renders_every_env_prechecks_the_gitops_only_rules(tmp_path: Path) -> None:
    """The default plan (one child, every env) in a fresh process: the child ran the verifier's
    GitOps-only rules on its tree, and the verification of both halves takes their findings."""
    script = (
        "from pathlib import Path; import sys; from orchestration import pipeline; from orchestration.synth import SYNTH_LAYERS\n"
        "from goldenpath.verify import engine\n"
        # as if Terraform always took longer than the GitOps render (the timing: the test below)
        "pipeline._readable = lambda fd: False\n"
        "out = Path(sys.argv[1]); timings = pipeline.Timings()\n"
        "with pipeline.staged_render(Path('config'), out / 'cdktf.out', out / 'gitops', timings, verify_layers=SYNTH_LAYERS) as staged:\n"
        "    p = staged.prechecked\n"
        "    assert p is not None and p.rules == engine.GITOPS_ONLY_RULES and p.violations == [] and p.layers == SYNTH_LAYERS, p\n"
        "    assert p.gitops == staged.gitops and 'gitops-verify' in timings.steps, timings.steps\n"
        "    assert engine.run(staged.terraform, staged.gitops, layers=SYNTH_LAYERS, prechecked=p) == []\n"
        "with pipeline.staged_render(Path('config'), out / 'cdktf.out', out / 'gitops', pipeline.Timings()) as staged:\n"
        "    assert staged.prechecked is None  # nothing to verify asked: nothing checked early\n"
    )
    _run_fresh(script, tmp_path)


def _run_fresh(script: str, out: Path) -> None:
    """``script`` in a fresh interpreter (no jsii runtime yet: the synth forks), as make synth runs."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    subprocess.run([sys.executable, "-O", "-c", script, str(out)], cwd=REPO, env=env, check=True, timeout=600)


def test_a_precheck_that_fails_leaves_every_rule_to_the_verification(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from goldenpath.verify import engine

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("the staged tree went away")

    monkeypatch.setattr(pipeline, "render_gitops", lambda *_args: {})
    monkeypatch.setattr(engine, "precheck", broken)
    from goldenpath.config import load_config

    steps, written, prechecked = pipeline._render_gitops_child(load_config(REPO / "config"), tmp_path, ["dev"], ("schema",))
    assert prechecked is None and written == {} and "gitops-verify" in steps


def test_the_child_prechecks_only_while_terraform_is_still_rendering(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    from goldenpath.config import load_config
    from goldenpath.verify import engine

    checked: list[Path] = []
    monkeypatch.setattr(pipeline, "render_gitops", lambda *_args: {})
    monkeypatch.setattr(engine, "precheck", lambda gitops, **_kwargs: checked.append(gitops) or "findings")
    config = load_config(REPO / "config")
    # GIVEN the parent still rendering Terraform (its end of the pipe open: here a copy of it)
    read_end, write_end = os.pipe()
    parent_end = os.dup(write_end)
    try:
        _steps, _written, prechecked = pipeline._render_gitops_child(config, tmp_path, ["dev"], ("schema",), (read_end, write_end))
        assert prechecked == "findings" and checked == [tmp_path]
    finally:
        os.close(parent_end)
        os.close(read_end)
    # GIVEN Terraform done (every writer closed): the verification runs every rule itself
    checked.clear()
    read_end, write_end = os.pipe()
    try:
        steps, _written, prechecked = pipeline._render_gitops_child(config, tmp_path, ["dev"], ("schema",), (read_end, write_end))
        assert prechecked is None and checked == [] and "gitops-verify" not in steps
    finally:
        os.close(read_end)


def test_a_config_error_in_a_forked_render_reaches_the_synth_with_its_issues() -> None:
    """The GitOps children hand back what they raise (goldenpath.forking); a ConfigError keeps its
    located issues across the pipe, so the user still gets file:line: key: message."""
    from goldenpath import forking
    from goldenpath.errors import ConfigError, ConfigIssue

    issue = ConfigIssue("config/apps/a.yaml", 3, "owner", "must be a team")

    def render() -> None:
        raise ConfigError([issue])

    child = forking.Child(render)
    with pytest.raises(ConfigError) as raised:
        child.result()
    assert raised.value.issues == [issue]
    child.kill()  # reaped already: a no-op, never a signal to a recycled pid


def test_a_forked_helper_that_dies_is_an_error_not_a_hang() -> None:
    import os

    from goldenpath import forking

    with pytest.raises(RuntimeError, match="without a result"):
        forking.Child(lambda: os._exit(9)).result()


def test_render_objects_are_prefetched_only_while_optimising(monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    from goldenpath import helm_render

    started: list[bool] = []

    @contextlib.contextmanager
    def spy():  # type: ignore[no-untyped-def]
        started.append(True)
        yield

    monkeypatch.setattr(helm_render, "prefetching", spy)
    for switch, expected in (("1", [True]), ("0", [])):
        started.clear()
        monkeypatch.setenv("GOLDENPATH_OPTIMIZE", switch)
        with pipeline._prefetching_renders():
            pass
        assert started == expected, switch
