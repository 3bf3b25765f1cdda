"""`python -m cdk8s_app [--config config] [--out dist/gitops]`: render the GitOps tree only.

Thin composition root (cdk8s.yaml ``app:``): load the model, render into a staging directory,
swap it in atomically. `make synth` renders both halves through orchestration.pipeline instead.
``--out`` defaults to ``$CDK8S_OUTDIR`` (what `npx cdk8s synth` sets from cdk8s.yaml ``output:``),
else dist/gitops, so the cdk8s CLI renders the same tree as `make synth`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from goldenpath import fastimport

# Before jsii loads: no Node end-of-life banner in the output (DESIGN §2 traps), no runtime copy
# left in /tmp by this process.
fastimport.install()

from cdk8s_app.app import render  # noqa: E402
from goldenpath.config import load_config  # noqa: E402
from goldenpath.errors import ConfigError  # noqa: E402
from orchestration.publish import clean_leftovers, replace_tree, staging_dir  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cdk8s_app")
    parser.add_argument("--config", type=Path, default=Path("config"))
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("CDK8S_OUTDIR") or "dist/gitops"))
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    clean_leftovers(args.out)
    stage = staging_dir(args.out)
    try:
        render(config, stage)
        replace_tree(stage, args.out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
