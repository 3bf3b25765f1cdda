"""`make bench`: median-of-N timings of the full synth path against the number of apps.

Measured side by side in one session: our `make synth` path (both halves + verification) with
its split, the same with the provider import fix disabled (naive), the floor (a process that
only loads the jsii assemblies we use), and `npx cdktf synth` (Terraform half only, the CLI
way). Peak RSS comes from wait4() of each child. Writes bench/results.json, bench/RESULTS.md
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
from pathlib import Path

from bench.configs import REPO, make_config

PY = sys.executable
FLOOR = (
    "from goldenpath import fastimport; fastimport.install(); "
    "import cdktf, cdk8s, cdk8s_plus_33, cdktf_cdktf_provider_aws.provider, "
    "cdktf_cdktf_provider_helm.provider, cdktf_cdktf_provider_kubernetes.provider; "
    "import os, sys; sys.stdout.flush(); os._exit(0)"
)


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process; raises if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def tree_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def synth_cmd(config: Path, out: Path) -> list[str]:
    return [PY, "-m", "goldenpath", "synth", "--config", str(config), "--terraform-out", str(out / "cdktf.out"),
            "--gitops-out", str(out / "gitops"), "--platform-doc", str(out / "PLATFORM.md"), "--allow-destroy", "*"]


def measure(label: str, runs: int, fn) -> dict[str, float]:  # type: ignore[no-untyped-def]
    walls, rss = [], []
    for _ in range(runs):
        wall, peak = fn()
        walls.append(wall)
        rss.append(peak)
    result = {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls), "peak_rss_mib": max(rss)}
    print(f"  {label:38} median {result['median_s']:6.2f} s  rss {result['peak_rss_mib']:7.0f} MiB", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--apps", default="0,10,50,100,200")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-cli", action="store_true", help="skip npx cdktf synth (slow)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.apps.split(",")]
    work = Path(tempfile.mkdtemp(prefix="goldenpath-bench-"))
    results: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "runs": args.runs,
        "sizes": {},
    }
    print(f"bench: {args.runs} runs each, apps = {sizes} (+3 default apps), work dir {work}", flush=True)
    floor = measure("floor (load assemblies only)", args.runs, lambda: run([PY, "-c", FLOOR]))
    results["floor"] = floor
    for apps in sizes:
        print(f"apps = {apps}", flush=True)
        config = make_config(work / f"config-{apps}", apps)
        out = work / f"out-{apps}"
        timings_file = work / f"timings-{apps}.json"
        splits: list[dict[str, float]] = []

        def ours() -> tuple[float, float]:
            result = run(synth_cmd(config, out), env={"GOLDENPATH_TIMINGS": str(timings_file)})
            splits.append(json.loads(timings_file.read_text()))
            return result

        entry: dict[str, object] = {"ours": measure("ours (make synth path)", args.runs, ours)}
        entry["split_s"] = {k: statistics.median(s.get(k, 0.0) for s in splits) for k in sorted({k for s in splits for k in s})}
        entry["naive"] = measure("naive (eager provider imports)", args.runs, lambda: run(synth_cmd(config, out), env={"GOLDENPATH_EAGER_IMPORTS": "1"}))
        if not args.skip_cli and apps == 0:
            cli_out = work / "cli-out"
            entry["cdktf_cli"] = measure(
                "npx cdktf synth (Terraform only)",
                args.runs,
                lambda: run([str(REPO / "node_modules/.bin/cdktf"), "synth", "--output", str(cli_out)], env={"GOLDENPATH_CONFIG": str(config)}),
            )
        tf_files, tf_bytes = tree_size(out / "cdktf.out")
        k8s_files, k8s_bytes = tree_size(out / "gitops")
        entry["output"] = {"terraform_files": tf_files, "terraform_bytes": tf_bytes, "gitops_files": k8s_files, "gitops_bytes": k8s_bytes}
        results["sizes"][str(apps)] = entry  # type: ignore[index]
    from bench.report import write_reports

    write_reports(results, REPO / "bench")
    print((REPO / "bench" / "RESULTS.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
