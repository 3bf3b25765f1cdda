"""The `make synth` path end to end, as a user runs it (subprocesses on copies of config/)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

OUTPUTS = ("cdktf.out", "dist/gitops", "dist/PLATFORM.md", "dist/state-inventory.json", "dist/apps", "dist/catalog")


def synth(workdir: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "goldenpath", "synth", "--config", "config", *extra],
        cwd=workdir, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, capture_output=True, text=True, check=False,
    )


def cli(workdir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in this process (jsii already warm: seconds less per call than a subprocess), run
    in ``workdir`` with ``env`` added, its output captured like a subprocess's."""
    from orchestration.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        with contextlib.chdir(workdir), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def synth_here(workdir: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return cli(workdir, "synth", "--config", "config", *extra, env=env)


def state(workdir: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for out in OUTPUTS:
        path = workdir / out
        for p in [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []:
            if p.is_file():
                files[str(p.relative_to(workdir))] = p.read_bytes()
    return files


def tree(workdir: Path, out: str) -> dict[str, bytes]:
    return {k: v for k, v in state(workdir).items() if k == out or k.startswith(out + "/")}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "config", tmp_path / "config")
    return tmp_path


@pytest.mark.slow
def test_two_runs_are_byte_identical_and_match_the_committed_tree(workdir: Path, synthesized: Path) -> None:
    started = time.perf_counter()
    first = synth(workdir)  # the CLI re-executes itself with -O (no jsii runtime type checks)
    wall = time.perf_counter() - started
    assert first.returncode == 0, first.stderr
    # the seconds it reports are at most its wall time (the steps' sum counted the GitOps child's
    # work beside this process's twice: "in 7.1s" after 5.4 s)
    assert 0 < float(re.findall(r" in (\d+\.\d)s$", first.stdout, re.M)[-1]) <= wall
    before = state(workdir)
    second = synth(workdir)
    assert second.returncode == 0, second.stderr
    assert state(workdir) == before
    assert "no changes" in second.stdout
    # the committed dist/ is exactly what the default config renders (drift check)
    # (git's list of dist/: test_make's refused `make synth` stages next to it, in the checkout)
    tracked = subprocess.run(["git", "ls-files", "-z", "dist"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    committed = {name: (REPO / name).read_bytes() for name in sorted(tracked.split("\0")) if name}
    assert {k: v for k, v in before.items() if k.startswith("dist/")} == committed
    # ... and equals the in-process, type-checked render of the session fixture, byte for byte
    checked = {f"cdktf.out/{p.relative_to(synthesized / 'cdktf.out')}": p.read_bytes() for p in sorted((synthesized / "cdktf.out").rglob("*")) if p.is_file()}
    assert tree(workdir, "cdktf.out") == checked
    # clean terminal output: no jsii banner, no warnings
    assert "end-of-life" not in first.stderr + first.stdout
    assert "Warning" not in first.stderr


@pytest.mark.slow
def test_removing_the_stateful_app_is_refused_until_acknowledged(workdir: Path, synthesized: Path) -> None:
    # GIVEN a synthesized platform (the session's render of this same config)
    shutil.copytree(synthesized / "cdktf.out", workdir / "cdktf.out")
    shutil.copytree(synthesized / "gitops", workdir / "dist/gitops")
    shutil.copy(synthesized / "PLATFORM.md", workdir / "dist/PLATFORM.md")
    shutil.copy(synthesized / "state-inventory.json", workdir / "dist/state-inventory.json")
    before = state(workdir)
    # WHEN the stateful app's file is deleted
    (workdir / "config/apps/orders.yaml").unlink()
    refused = synth_here(workdir)
    # THEN synth refuses, lists what would be destroyed, and writes nothing
    assert refused.returncode == 3, refused.stderr
    lines = refused.stderr.splitlines()
    for env in ("dev", "staging", "prod"):
        assert any(line.startswith(f"  {env}:Application/argocd/{env}-orders: removed: the Application owns a PostgreSQL database and a persistent volume") for line in lines), refused.stderr
        assert any(line.startswith(f"  {env}:Namespace/apps-orders: removed") for line in lines)
        assert any(line.startswith(f"  {env}-database:aws_secretsmanager_secret.orders_postgres: removed") for line in lines)
    assert any(line.startswith("  global-ecr:aws_ecr_repository.orders: removed") for line in lines)
    assert state(workdir) == before
    # WHEN the user acknowledges exactly the listed items THEN it succeeds
    ids = lines[-1].split("ALLOW_DESTROY='", 1)[1].rstrip("'")
    accepted = synth_here(workdir, env={"ALLOW_DESTROY": ids})
    assert accepted.returncode == 0, accepted.stderr
    assert not (workdir / "dist/gitops/dev/workloads/orders").exists()
    # a partial acknowledgement is not enough
    (workdir / "config/apps/hello-goldenpath-idp.yaml").unlink()
    assert synth_here(workdir, "--allow-destroy", "global-ecr:*").returncode == 3


def _edit(workdir: Path, variant: str) -> None:
    """Two configs that differ without destroying anything (so trials can alternate)."""
    hello = workdir / "config/apps/hello-goldenpath-idp.yaml"
    text = hello.read_text().replace("replicas: 2\n", "replicas: 5\n") if variant == "B" else hello.read_text().replace("replicas: 5\n", "replicas: 2\n")
    hello.write_text(text)


# The filesystem operations of the write phase that change what a reader of the outputs sees:
# renames and atomic exchanges (writes into staging directories are invisible until one runs),
# and each deletion of a whole previous tree (a kill inside one leaves staging leftovers only).
VISIBLE_STEPS = ("rename", "replace")


def _publish_in_child(workdir: Path, config: Any, staged_from: Path, crash_at: int | None, counter: Path) -> int:
    """Run the real write phase (orchestration.synth.publish_outputs) of the trees in
    ``staged_from`` in a forked child that dies with os._exit (no finally, no cleanup: what a
    SIGKILL leaves) just before visible step number ``crash_at``; returns the child's exit code.
    The child never touches jsii: the render is done, only publishing is under test."""
    from orchestration import inventory, publish
    from orchestration.pipeline import Staged, Timings
    from orchestration.synth import publish_outputs

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's exit code is the result
        try:
            os.chdir(workdir)
            tf_stage, gitops_stage = publish.staging_dir(Path("cdktf.out")), publish.staging_dir(Path("dist/gitops"))
            shutil.copytree(staged_from / "cdktf.out", tf_stage, dirs_exist_ok=True)
            shutil.copytree(staged_from / "dist/gitops", gitops_stage, dirs_exist_ok=True)
            new = inventory.build(tf_stage, gitops_stage)
            steps = [0]

            def counted(name: str, real: Any) -> Any:
                def step(*args: Any, **kwargs: Any) -> Any:
                    if steps[0] == crash_at:
                        os._exit(137)
                    steps[0] += 1
                    return real(*args, **kwargs)
                return step

            for name in VISIBLE_STEPS:
                setattr(os, name, counted(name, getattr(os, name)))
            publish._exchange = counted("exchange", publish._exchange)
            shutil.rmtree = counted("rmtree", shutil.rmtree)
            publish._delete_tree = counted("delete-tree", publish._delete_tree)  # the Deleter's way
            publish_outputs(Staged(config, tf_stage, gitops_stage, Timings()), Path("cdktf.out"), Path("dist/gitops"),
                            Path("dist/PLATFORM.md"), Path("dist/state-inventory.json"), new)
            counter.write_text(str(steps[0]))
            os._exit(0)
        except BaseException:
            os._exit(99)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _restore(workdir: Path, reference: Path) -> None:
    for out in OUTPUTS:
        target = workdir / out
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        source = reference / out
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.exists():
            shutil.copy(source, target)
    for stale in (workdir / "dist").glob(".goldenpath-tmp-*"):
        shutil.rmtree(stale)
    for stale in workdir.glob(".goldenpath-tmp-*"):
        shutil.rmtree(stale)


@pytest.mark.slow
def test_a_kill_at_every_step_of_publishing_leaves_whole_trees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kill point of the write phase, chosen deterministically: before each rename, replace,
    atomic exchange and tree deletion (the only steps a reader of the outputs can observe).
    A kill during start-up, rendering or verification touches staging directories only (shown
    with real SIGKILLs by the next test)."""
    from goldenpath.config import load_config

    # GIVEN the outputs of config A on disk and the rendered trees of config B (two real synths)
    workdir, ref_a, ref_b = tmp_path / "work", tmp_path / "A", tmp_path / "B"
    shutil.copytree(REPO / "config", workdir / "config")
    for variant, reference in (("A", ref_a), ("B", ref_b)):
        _edit(workdir, variant)
        assert synth_here(workdir, "--force").returncode == 0
        shutil.copytree(workdir, reference, ignore=lambda d, names: ["config"] if Path(d) == workdir else [])
    refs = {"A": {out: tree(ref_a, out) for out in OUTPUTS}, "B": {out: tree(ref_b, out) for out in OUTPUTS}}
    assert refs["A"]["dist/gitops"] != refs["B"]["dist/gitops"]
    config_b = load_config(workdir / "config")
    counter = tmp_path / "steps"
    _restore(workdir, ref_a)
    assert _publish_in_child(workdir, config_b, ref_b, None, counter) == 0
    total = int(counter.read_text())
    assert {out: tree(workdir, out) for out in OUTPUTS} == refs["B"]
    assert total >= 8  # two exchanges, their previous trees deleted, the doc, portal and inventory renamed
    # WHEN the write phase is killed before each of its visible steps
    failures = []
    for crash_at in range(total):
        _restore(workdir, ref_a)
        assert _publish_in_child(workdir, config_b, ref_b, crash_at, counter) == 137
        # THEN every output is the whole previous tree or the whole new one
        for out in OUTPUTS:
            if tree(workdir, out) not in (refs["A"][out], refs["B"][out]):
                failures.append(f"killed before step {crash_at}: {out} is neither the previous nor the new tree")
    assert failures == []
    # AND the next synth removes the leftovers and publishes B
    assert synth_here(workdir, "--force").returncode == 0
    assert {out: tree(workdir, out) for out in OUTPUTS} == refs["B"]
    assert not list(workdir.rglob(".goldenpath-tmp-*"))


@pytest.mark.slow
def test_sigkill_while_rendering_or_verifying_leaves_the_trees_and_the_next_run_cleans_up(workdir: Path, synthesized: Path) -> None:
    # GIVEN a published platform (config A: the session's render) and an edit (config B)
    _published(workdir, synthesized)
    before = {out: tree(workdir, out) for out in OUTPUTS}
    _edit(workdir, "B")
    # The delays keep each kill inside its phase: rendering takes seconds; the verification
    # after Terraform now takes ~0.1-0.3 s (its GitOps-only rules ran during the render), so a
    # kill 0.3 s after its line could land in the publish, which the test above covers.
    for marker, delay in (("rendering the GitOps tree", 0.3), ("verifying", 0.0)):
        # WHEN a real synth process is SIGKILLed in that phase
        proc = subprocess.Popen(
            [sys.executable, "-m", "goldenpath", "synth", "--config", "config"],
            cwd=workdir, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        assert proc.stderr is not None
        for line in proc.stderr:
            if marker in line:
                break
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # THEN the published trees are untouched (only staging directories were written)
        assert {out: tree(workdir, out) for out in OUTPUTS} == before, marker
    # AND the next run succeeds and leaves no staging directory behind
    assert synth(workdir).returncode == 0
    assert not list(workdir.rglob(".goldenpath-tmp-*"))
    assert {out: tree(workdir, out) for out in OUTPUTS} != before


def _published(workdir: Path, synthesized: Path) -> None:
    """GIVEN a checkout after `make synth`: the session's render of this config (inventory included)."""
    shutil.copytree(synthesized / "cdktf.out", workdir / "cdktf.out")
    shutil.copytree(synthesized / "gitops", workdir / "dist/gitops")
    shutil.copy(synthesized / "PLATFORM.md", workdir / "dist/PLATFORM.md")
    shutil.copy(synthesized / "state-inventory.json", workdir / "dist/state-inventory.json")


def _rename_organisation(workdir: Path) -> None:
    platform = workdir / "config/platform.yaml"
    text = platform.read_text()
    assert text.count("organisation: goldenpath\n") == 1
    # the Backstage image lives in the organisation's ECR repository too (goldenpath/backstage)
    platform.write_text(text.replace("organisation: goldenpath\n", "organisation: acme\n").replace("repository: goldenpath/backstage", "repository: acme/backstage"))


def test_the_guard_baseline_is_committed_so_a_fresh_clone_without_cdktf_out_is_guarded(workdir: Path, synthesized: Path) -> None:
    # GIVEN a fresh clone: the committed dist/ (with dist/state-inventory.json) but no cdktf.out/
    _published(workdir, synthesized)
    shutil.rmtree(workdir / "cdktf.out")
    # WHEN the organisation is renamed (every RDS instance, cluster, repository and secret is replaced)
    _rename_organisation(workdir)
    refused = synth_here(workdir)
    # THEN synth refuses (exit 3) and lists the replacements it knows from the committed inventory
    assert refused.returncode == 3, refused.stderr
    assert "  dev-database:aws_db_instance.postgres: identifier changes ('goldenpath-dev-postgres' -> 'acme-dev-postgres')" in refused.stderr
    assert "  global-ecr:aws_ecr_repository.orders: name changes" in refused.stderr
    assert not (workdir / "cdktf.out").exists()
    # AND a second try after `rm -rf cdktf.out` is refused the same way (the baseline is not cdktf.out/)
    assert synth_here(workdir).returncode == 3


@pytest.mark.slow
def test_diff_detailed_exitcode_and_json(workdir: Path, synthesized: Path) -> None:
    _published(workdir, synthesized)
    # GIVEN nothing changed THEN diff --detailed-exitcode exits 0; synth --check too
    same = cli(workdir, "diff", "--detailed-exitcode", "--config", "config")
    assert same.returncode == 0, same.stderr
    # GIVEN a harmless change THEN 2, and the JSON lists it
    _edit(workdir, "B")
    changed = cli(workdir, "diff", "--detailed-exitcode", "--format", "json", "--config", "config")
    assert changed.returncode == 2, changed.stderr
    import json

    report = json.loads(changed.stdout)
    assert {"group": "staging", "key": "Deployment/apps-hello-goldenpath-idp/hello-goldenpath-idp"} in report["manifests"]["changed"]
    assert report["guard"] == []
    assert synth_here(workdir, "--check").returncode == 2
    # GIVEN a change the guard would refuse THEN 3, and nothing was written
    (workdir / "config/apps/orders.yaml").unlink()
    before = state(workdir)
    guarded = cli(workdir, "diff", "--detailed-exitcode", "--format", "json", "--config", "config")
    assert guarded.returncode == 3, guarded.stderr
    assert "global-ecr:aws_ecr_repository.orders" in {d["id"] for d in json.loads(guarded.stdout)["guard"]}
    assert state(workdir) == before


def _npx(workdir: Path, *command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    for name in ("node_modules", ".venv", "cdktf.json", "cdk8s.yaml", "main.py", "imports", "stacks", "cdk8s_app", "goldenpath", "charts.lock"):
        if not (workdir / name).exists():
            (workdir / name).symlink_to(REPO / name)
    return subprocess.run(["npx", "--no-install", *command], cwd=workdir, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                          capture_output=True, text=True, check=False, timeout=600)


@pytest.mark.slow
def test_npx_cdktf_synth_runs_the_same_guard_and_does_not_move_the_baseline(workdir: Path, synthesized: Path) -> None:
    # GIVEN a checkout after make synth, and the stateful app removed from config/
    _published(workdir, synthesized)
    inventory_before = (workdir / "dist/state-inventory.json").read_bytes()
    (workdir / "config/apps/orders.yaml").unlink()
    # WHEN the cdktf CLI synthesizes (what `cdktf deploy` runs first)
    cdktf = _npx(workdir, "cdktf", "synth")
    # THEN main.py refuses like make synth (so cdktf deploy cannot deploy it), naming the ECR repository
    assert cdktf.returncode != 0
    assert "global-ecr:aws_ecr_repository.orders: removed" in cdktf.stdout + cdktf.stderr
    assert (workdir / "dist/state-inventory.json").read_bytes() == inventory_before
    # AND the next make synth still lists the deletions (the baseline is the committed inventory)
    again = synth_here(workdir)
    assert again.returncode == 3
    assert "  global-ecr:aws_ecr_repository.orders: removed" in again.stderr
    # WHEN acknowledged, npx cdktf synth writes cdktf.out/ (and only that)
    ids = again.stderr.strip().splitlines()[-1].split("ALLOW_DESTROY='", 1)[1].rstrip("'")
    gitops_before = tree(workdir, "dist/gitops")
    accepted = _npx(workdir, "cdktf", "synth", env={"ALLOW_DESTROY": ids})
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert not (workdir / "cdktf.out/stacks/global-ecr/cdk.tf.json").read_text().count('"orders"')
    assert tree(workdir, "dist/gitops") == gitops_before


@pytest.mark.slow
def test_npx_cdk8s_synth_renders_the_same_tree_and_keeps_the_rest_of_dist(workdir: Path, synthesized: Path) -> None:
    _published(workdir, synthesized)
    before = state(workdir)
    # WHEN the cdk8s CLI synthesizes THEN dist/gitops is exactly make synth's, and PLATFORM.md and the inventory survive
    result = _npx(workdir, "cdk8s", "synth")
    assert result.returncode == 0, result.stdout + result.stderr
    assert state(workdir) == before
