"""Command line: ``python -m goldenpath <command>``.

User mistakes (bad config, unusable input) print located messages and exit 2, never a
traceback. Verification findings exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from goldenpath.errors import ConfigError

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="goldenpath", description="Golden Path IDP generator")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="load and validate config/ only")
    validate.add_argument("--config", type=Path, default=Path("config"))

    synth = sub.add_parser("synth", help="render cdktf.out/ and dist/gitops/, verify, publish atomically")
    synth.add_argument("--config", type=Path, default=Path("config"))
    synth.add_argument("--terraform-out", type=Path, default=Path("cdktf.out"))
    synth.add_argument("--gitops-out", type=Path, default=Path("dist/gitops"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            from goldenpath.config import load_config

            config = load_config(args.config)
            print(f"{args.config}: ok ({len(config.environments)} environments, {len(config.apps)} apps)")
            return EXIT_OK
        if args.command == "synth":
            return _synth(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def _synth(args: argparse.Namespace) -> int:
    from goldenpath.pipeline import publish, staged_render

    with staged_render(args.config, args.terraform_out, args.gitops_out) as staged:
        publish(staged, args.terraform_out, args.gitops_out)
    total = sum(staged.timings.steps.values())
    print(f"synth: wrote {args.terraform_out}/ and {args.gitops_out}/ in {total:.1f}s")
    return EXIT_OK
