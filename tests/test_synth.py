"""The `make synth` path end to end, as a user runs it (subprocesses on copies of config/)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REPO

OUTPUTS = ("cdktf.out", "dist/gitops", "dist/PLATFORM.md", "dist/state-inventory.json", "dist/apps", "dist/catalog")


def synth(workdir: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "goldenpath", "synth", "--config", "config", *extra],
        cwd=workdir, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, capture_output=True, text=True, check=False,
    )


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


def test_two_runs_are_byte_identical_and_match_the_committed_tree(workdir: Path, synthesized: Path) -> None:
    first = synth(workdir)  # the CLI re-executes itself with -O (no jsii runtime type checks)
    assert first.returncode == 0, first.stderr
    before = state(workdir)
    second = synth(workdir)
    assert second.returncode == 0, second.stderr
    assert state(workdir) == before
    assert "no changes" in second.stdout
    # the committed dist/ is exactly what the default config renders (drift check)
    committed = {str(p.relative_to(REPO)): p.read_bytes() for p in sorted((REPO / "dist").rglob("*")) if p.is_file()}
    assert {k: v for k, v in before.items() if k.startswith("dist/")} == committed
    # ... and equals the in-process, type-checked render of the session fixture, byte for byte
    checked = {f"cdktf.out/{p.relative_to(synthesized / 'cdktf.out')}": p.read_bytes() for p in sorted((synthesized / "cdktf.out").rglob("*")) if p.is_file()}
    assert tree(workdir, "cdktf.out") == checked
    # clean terminal output: no jsii banner, no warnings
    assert "end-of-life" not in first.stderr + first.stdout
    assert "Warning" not in first.stderr


def test_removing_the_stateful_app_is_refused_until_acknowledged(workdir: Path, synthesized: Path) -> None:
    # GIVEN a synthesized platform (the session's render of this same config)
    shutil.copytree(synthesized / "cdktf.out", workdir / "cdktf.out")
    shutil.copytree(synthesized / "gitops", workdir / "dist/gitops")
    shutil.copy(synthesized / "PLATFORM.md", workdir / "dist/PLATFORM.md")
    shutil.copy(synthesized / "state-inventory.json", workdir / "dist/state-inventory.json")
    before = state(workdir)
    # WHEN the stateful app's file is deleted
    (workdir / "config/apps/orders.yaml").unlink()
    refused = synth(workdir)
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
    accepted = synth(workdir, env={"ALLOW_DESTROY": ids})
    assert accepted.returncode == 0, accepted.stderr
    assert not (workdir / "dist/gitops/dev/workloads/orders").exists()
    # a partial acknowledgement is not enough
    (workdir / "config/apps/hello-goldenpath-idp.yaml").unlink()
    assert synth(workdir, "--allow-destroy", "global-ecr:*").returncode == 3


def _edit(workdir: Path, variant: str) -> None:
    """Two configs that differ without destroying anything (so trials can alternate)."""
    hello = workdir / "config/apps/hello-goldenpath-idp.yaml"
    text = hello.read_text().replace("replicas: 2\n", "replicas: 5\n") if variant == "B" else hello.read_text().replace("replicas: 5\n", "replicas: 2\n")
    hello.write_text(text)


def _kill_lane(workdir: Path, refs: dict[str, dict[str, dict[str, bytes]]], delays: list[tuple[str, float]]) -> list[str]:
    """Run trials in one workdir; returns failures (empty: every trial left whole trees)."""
    failures: list[str] = []
    current = "A"
    for index, (marker, delay) in enumerate(delays):
        target = "B" if current == "A" else "A"
        _edit(workdir, target)
        proc = subprocess.Popen(
            [sys.executable, "-m", "goldenpath", "synth", "--config", "config"],
            cwd=workdir, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        if marker:
            assert proc.stderr is not None
            for line in proc.stderr:  # wait until the run reaches the phase under test
                if marker in line:
                    break
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for out in OUTPUTS:
            got = tree(workdir, out)
            if got == refs[current][out]:
                continue
            if got == refs[target][out]:
                continue
            failures.append(f"trial {index} ({marker or 'start'}+{delay:.2f}s): {out} is neither the previous nor the new tree")
        # what is on disk now is the state the next trial starts from
        current = target if tree(workdir, "dist/gitops") == refs[target]["dist/gitops"] else current
    return failures


@pytest.mark.slow
def test_sigkill_at_twenty_moments_leaves_whole_trees(tmp_path: Path) -> None:
    # GIVEN reference outputs of two configs A and B
    refs: dict[str, dict[str, dict[str, bytes]]] = {}
    lanes = []
    for lane in ("lane1", "lane2"):
        shutil.copytree(REPO / "config", tmp_path / lane / "config")
        lanes.append(tmp_path / lane)
    for variant in ("B", "A"):
        _edit(lanes[0], variant)
        assert synth(lanes[0]).returncode == 0
        refs[variant] = {out: tree(lanes[0], out) for out in OUTPUTS}
    assert refs["A"]["dist/gitops"] != refs["B"]["dist/gitops"]
    shutil.rmtree(lanes[1])
    shutil.copytree(lanes[0], lanes[1])  # both lanes start at A (same config, same trees)
    # WHEN synth is SIGKILLed at 20 moments: during start-up, rendering, verification and publishing
    plan = [("", 0.3), ("", 1.5), ("rendering the GitOps tree", 0.0), ("rendering the GitOps tree", 0.5), ("rendering the GitOps tree", 1.0)]
    plan += [("verifying", step * 0.15) for step in range(15)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda args: _kill_lane(*args), [(lanes[0], refs, plan[0::2]), (lanes[1], refs, plan[1::2])]))
    # THEN every tree is whole after every kill, and the next run succeeds
    assert [f for lane in results for f in lane] == []
    for lane in lanes:
        _edit(lane, "B")
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert [r.returncode for r in pool.map(synth, lanes)] == [0, 0]
    for lane in lanes:
        assert {out: tree(lane, out) for out in OUTPUTS} == refs["B"]


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
    refused = synth(workdir)
    # THEN synth refuses (exit 3) and lists the replacements it knows from the committed inventory
    assert refused.returncode == 3, refused.stderr
    assert "  dev-database:aws_db_instance.postgres: identifier changes ('goldenpath-dev-postgres' -> 'acme-dev-postgres')" in refused.stderr
    assert "  global-ecr:aws_ecr_repository.orders: name changes" in refused.stderr
    assert not (workdir / "cdktf.out").exists()
    # AND a second try after `rm -rf cdktf.out` is refused the same way (the baseline is not cdktf.out/)
    assert synth(workdir).returncode == 3


def test_diff_detailed_exitcode_and_json(workdir: Path, synthesized: Path) -> None:
    _published(workdir, synthesized)
    # GIVEN nothing changed THEN diff --detailed-exitcode exits 0; synth --check too
    same = subprocess.run([sys.executable, "-m", "goldenpath", "diff", "--detailed-exitcode", "--config", "config"], cwd=workdir,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False)
    assert same.returncode == 0, same.stderr
    # GIVEN a harmless change THEN 2, and the JSON lists it
    _edit(workdir, "B")
    changed = subprocess.run([sys.executable, "-m", "goldenpath", "diff", "--detailed-exitcode", "--format", "json", "--config", "config"],
                             cwd=workdir, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False)
    assert changed.returncode == 2, changed.stderr
    import json

    report = json.loads(changed.stdout)
    assert {"group": "staging", "key": "Deployment/apps-hello-goldenpath-idp/hello-goldenpath-idp"} in report["manifests"]["changed"]
    assert report["guard"] == []
    assert synth(workdir, "--check").returncode == 2
    # GIVEN a change the guard would refuse THEN 3, and nothing was written
    (workdir / "config/apps/orders.yaml").unlink()
    before = state(workdir)
    guarded = subprocess.run([sys.executable, "-m", "goldenpath", "diff", "--detailed-exitcode", "--format", "json", "--config", "config"],
                             cwd=workdir, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False)
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
    again = synth(workdir)
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
