"""`make bench`: median-of-N timings of the full synth path against the number of apps.

Measured side by side in one session: our `make synth` path (both halves + verification) with
its split, the same with the provider import fix disabled (naive), the floor (a process that
only loads the jsii assemblies we use), and `npx cdktf synth` (Terraform half only, the CLI
way). Peak RSS is sampled over the process tree (Python and its jsii node runtime). Writes bench/results.json, bench/RESULTS.md
and bench/scaling.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from bench.configs import REPO, make_config

PY = sys.executable
# The floor: load every jsii assembly the synth path uses (cdktf, the AWS and Helm providers,
# cdk8s, cdk8s-plus-33, the CRD bindings) through our own modules, construct nothing, exit.
FLOOR = "from goldenpath import fastimport; fastimport.install(); import stacks.app, cdk8s_app.app; import os, sys; sys.stdout.flush(); os._exit(0)"


def _tree_rss_kib(root: int) -> int:
    """RSS of a process and all its descendants (the jsii node runtime is a child process)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as statm:
                rss[int(entry)] = int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command including its child processes (sampled
    every 50 ms, so a very short spike can be missed); raises if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kib(proc.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return wall, peak / 1024


def tree_size(root: Path) -> tuple[int, int, int]:
    """(files, bytes, the largest file's bytes) of a tree, one stat per file."""
    sizes = [p.stat().st_size for p in root.rglob("*") if p.is_file()]
    return len(sizes), sum(sizes), max(sizes, default=0)


def largest_manifest(gitops: Path, candidates: int = 10) -> int:
    """The largest Kubernetes object of the tree, serialized as the API server stores it (compact
    JSON, goldenpath.verify.limits): the objects of the ``candidates`` largest manifest files (not
    Helm values, not kustomizations: Argo CD never applies those). Every synth's verifier already
    checks every object (manifest-size); this is the number for the table."""
    from goldenpath import trees
    from goldenpath.trees import serialized_size

    files = sorted((p for _, p, _, is_values in trees.gitops_files(gitops) if not is_values), key=lambda p: -p.stat().st_size)
    return max((serialized_size(doc) for path in files[:candidates] for doc in trees.documents(path)), default=0)


def synth_cmd(config: Path, out: Path, force: bool = True) -> list[str]:
    """The CLI `make synth` runs; ``--force``: the full render even when a no-op stamp matches."""
    return [PY, "-O", "-m", "goldenpath", "synth", "--config", str(config), "--terraform-out", str(out / "cdktf.out"),
            "--gitops-out", str(out / "gitops"), "--platform-doc", str(out / "PLATFORM.md"), "--allow-destroy", "*",
            *(["--force"] if force else [])]


def _noop(runs: int, config: Path, out: Path) -> dict[str, float]:
    """A synth where nothing changed since the last one (which the caller just ran): the stamp
    answers, jsii never starts. Median of at least 5."""
    return measure("no-op synth (nothing changed)", max(runs, 5), synth_cmd(config, out, force=False))


def measure(label: str, runs: int, cmd: list[str], env: dict[str, str] | None = None, after=None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Median of ``runs`` runs of ``cmd``; ``after()`` is called after each run (reads the split)."""
    walls, rss = [], []
    for _ in range(runs):
        wall, peak = run(cmd, env=env)
        walls.append(wall)
        rss.append(peak)
        if after is not None:
            after()
    result = {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls), "peak_rss_mib": max(rss)}
    print(f"  {label:38} median {result['median_s']:6.2f} s  rss {result['peak_rss_mib']:7.0f} MiB", flush=True)
    return result


def _read_split(timings_file: Path, splits: list[dict[str, float]]) -> None:
    splits.append(json.loads(timings_file.read_text()))


def _charts_layer(runs: int, out: Path, work: Path) -> dict[str, dict[str, float]]:
    """The charts layer alone on the default tree: cold (empty render cache: every chart rendered
    twice for each env) and warm (values and versions unchanged: every render from the cache)."""
    verify = [PY, "-m", "goldenpath", "verify", "--terraform", str(out / "cdktf.out"), "--gitops", str(out / "gitops"), "--layers", "charts"]
    cold = []
    for run_number in range(1):  # one cold run: it costs a minute and is not a budget
        cache = work / f"render-cache-cold-{run_number}"
        cold.append(run(verify, env={"GOLDENPATH_RENDER_CACHE": str(cache)})[0])
    warm_cache = {"GOLDENPATH_RENDER_CACHE": str(work / "render-cache-cold-0")}
    result = {"cold": {"median_s": statistics.median(cold), "runs": len(cold)}, "warm": measure("charts layer, warm render cache", runs, verify, env=warm_cache)}
    print(f"  {'charts layer, cold render cache':38} median {result['cold']['median_s']:6.2f} s", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--apps", default="0,10,50,100,200,500,2000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-runs", type=int, default=1, help="runs at sizes of 500 apps and more")
    parser.add_argument("--skip-cli", action="store_true", help="skip npx cdktf synth (slow)")
    parser.add_argument("--naive-apps", default="0,100", help="sizes at which the naive (eager import) synth is measured too")
    args = parser.parse_args()
    sizes = [int(x) for x in args.apps.split(",")]
    work = Path(tempfile.mkdtemp(prefix="goldenpath-bench-"))
    os.environ["GOLDENPATH_STAMP_DIR"] = str(work / "stamps")  # the no-op stamps of these runs stay in the work dir
    results: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "runs": args.runs,
        "sizes": {},
    }
    print(f"bench: {args.runs} runs each, apps = {sizes} (+3 default apps), work dir {work}", flush=True)
    floor = measure("floor (load assemblies only)", args.runs, [PY, "-c", FLOOR])
    results["floor"] = floor
    for apps in sizes:
        print(f"apps = {apps}", flush=True)
        config = make_config(work / f"config-{apps}", apps)
        out = work / f"out-{apps}"
        timings_file = work / f"timings-{apps}.json"
        splits: list[dict[str, float]] = []
        runs = args.runs if apps < 500 else args.big_runs
        # Unmeasured first synth: every measured run then replaces a published tree, as `make
        # synth` does from the second time on (the change summary reads the previous tree, which is
        # then deleted); a first synth into an empty directory skips both (2,000 apps: ~94 s
        # against ~105 s).
        run(synth_cmd(config, out))
        entry: dict[str, object] = {
            "runs": runs,
            "ours": measure(
                "ours (make synth path)", runs, synth_cmd(config, out), env={"GOLDENPATH_TIMINGS": str(timings_file)},
                after=partial(_read_split, timings_file, splits),
            ),
        }
        if apps in (0, 100):
            entry["noop"] = _noop(args.runs, config, out)
        entry["split_s"] = {k: statistics.median(s.get(k, 0.0) for s in splits) for k in sorted({k for s in splits for k in s})}
        if str(apps) in args.naive_apps.split(","):
            entry["naive"] = measure("naive (eager provider imports)", args.runs, synth_cmd(config, out), env={"GOLDENPATH_EAGER_IMPORTS": "1"})
        if not args.skip_cli and apps == 0:
            cli_out = work / "cli-out"
            entry["cdktf_cli"] = measure(
                "npx cdktf synth (Terraform only)",
                args.runs,
                [str(REPO / "node_modules/.bin/cdktf"), "synth", "--output", str(cli_out)],
                env={"GOLDENPATH_CONFIG": str(config)},
            )
        if apps == 0:
            entry["charts_layer"] = _charts_layer(args.runs, out, work)
        tf_files, tf_bytes, _ = tree_size(out / "cdktf.out")
        k8s_files, k8s_bytes, largest = tree_size(out / "gitops")
        entry["output"] = {
            "terraform_files": tf_files, "terraform_bytes": tf_bytes, "gitops_files": k8s_files, "gitops_bytes": k8s_bytes,
            "largest_gitops_file_bytes": largest, "largest_manifest_bytes": largest_manifest(out / "gitops"),
        }
        results["sizes"][str(apps)] = entry  # type: ignore[index]
    from bench.report import write_reports

    before = REPO / "bench" / "results-before.json"
    write_reports(results, REPO / "bench", json.loads(before.read_text()) if before.is_file() else None)
    print((REPO / "bench" / "RESULTS.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
