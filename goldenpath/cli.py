"""Command line: ``python -m goldenpath <command>``.

Exit codes: 0 ok; 1 verification violations; 2 unusable input (bad config, unreadable
artifacts, missing credentials); 3 refused by the destroy guard. User mistakes never print a
traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from goldenpath.errors import ConfigError

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_GUARD = 0, 1, 2, 3
SYNTH_LAYERS = ("schema", "consistency", "charts")  # policy (checkov) runs in `make check` / `make test`
ALL_LAYERS = ("schema", "consistency", "charts", "policy")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="goldenpath", description="Golden Path IDP generator")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="load and validate config/ only")
    validate.add_argument("--config", type=Path, default=Path("config"))

    for name, text in (("synth", "render, guard, verify, then replace cdktf.out/ and dist/gitops/ atomically"), ("diff", "show what synth would change; write nothing")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--config", type=Path, default=Path("config"))
        command.add_argument("--terraform-out", type=Path, default=Path("cdktf.out"))
        command.add_argument("--gitops-out", type=Path, default=Path("dist/gitops"))
        command.add_argument("--platform-doc", type=Path, default=Path("dist/PLATFORM.md"))
        command.add_argument(
            "--allow-destroy",
            default="",
            help="comma-separated guard ids (or patterns) you accept to destroy; also read from ALLOW_DESTROY",
        )
        command.add_argument("--no-verify", action="store_true", help=argparse.SUPPRESS)  # bench: split timings

    verify = sub.add_parser("verify", help="check artifacts: schema, consistency, policy, drift")
    verify.add_argument("--terraform", type=Path, default=Path("cdktf.out"))
    verify.add_argument("--gitops", type=Path, default=Path("dist/gitops"))
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.add_argument("--layers", default=",".join(ALL_LAYERS))
    verify.add_argument("--drift", action="store_true", help="also re-render from --config and compare with --gitops")
    verify.add_argument("--config", type=Path, default=Path("config"))
    verify.add_argument(
        "--render-terraform", action="store_true", help="synthesize Terraform from --config into a temporary directory and check that (cdktf.out/ is not committed)"
    )
    verify.add_argument("--list-rules", action="store_true")

    charts = sub.add_parser("charts", help="the chart cache: pull the pinned charts (network) or check them (offline)")
    charts.add_argument("action", choices=("pull", "check"))
    charts.add_argument("--config", type=Path, default=Path("config"))

    deploy = sub.add_parser("deploy", help="cdktf deploy (or --plan: cdktf diff) of one environment's stacks")
    deploy.add_argument("--env", required=True)
    deploy.add_argument("--plan", action="store_true")
    deploy.add_argument("--config", type=Path, default=Path("config"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            from goldenpath.config import load_config

            config = load_config(args.config)
            print(f"{args.config}: ok ({len(config.environments)} environments, {len(config.apps)} apps)")
            return EXIT_OK
        if args.command in ("synth", "diff"):
            return _synth(args, write=args.command == "synth")
        if args.command == "verify":
            return _verify(args)
        if args.command == "charts":
            return _charts(args)
        if args.command == "deploy":
            from goldenpath.deploy import deploy

            return deploy(args.config, args.env, plan=args.plan)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def _charts(args: argparse.Namespace) -> int:
    from goldenpath import charts
    from goldenpath.config import load_config

    config = load_config(args.config)
    try:
        if args.action == "pull":
            locked = charts.pull(config)
            print(f"charts: {len(locked)} archives in {charts.charts_dir()}, digests written to {charts.LOCK_FILE.name}")
            return EXIT_OK
    except charts.ChartCacheError as exc:
        print(f"charts: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problems = charts.check(config)
    for problem in problems:
        print(f"charts: {problem}", file=sys.stderr)
    if not problems:
        print(f"charts: every chart of {args.config} is in {charts.charts_dir()} and matches {charts.LOCK_FILE.name}")
    return EXIT_USAGE if problems else EXIT_OK


def _progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def _synth(args: argparse.Namespace, *, write: bool) -> int:
    from goldenpath import guard, summary
    from goldenpath.changes import compare
    from goldenpath.pipeline import publish, staged_render, write_platform_doc
    from goldenpath.verify import engine
    from goldenpath.verify.report import format_text

    acknowledged = [*args.allow_destroy.split(","), *os.environ.get("ALLOW_DESTROY", "").split(",")]
    with staged_render(args.config, args.terraform_out, args.gitops_out, progress=_progress) as staged:
        with staged.timings.step("compare"):
            changes = compare(args.terraform_out, staged.terraform, args.gitops_out, staged.gitops)
        dangers = guard.dangers(changes)
        blocked = guard.unacknowledged(dangers, acknowledged)
        if write and blocked:
            print("synth refused: this change would destroy or replace state. Nothing was written.", file=sys.stderr)
            for danger in blocked:
                print(f"  {danger}", file=sys.stderr)
            ids = ",".join(d.id for d in blocked)
            print(f"If that is intended, run again with ALLOW_DESTROY='{ids}'", file=sys.stderr)
            return EXIT_GUARD
        if not args.no_verify:
            _progress("verifying both halves (schema, consistency, charts)")
            with staged.timings.step("verify"):
                violations = engine.run(staged.terraform, staged.gitops, layers=SYNTH_LAYERS)
            if violations:
                print(format_text(violations), file=sys.stderr)
                print("synth refused: the rendered artifacts do not verify. Nothing was written.", file=sys.stderr)
                return EXIT_VIOLATIONS
        if write:
            publish(staged, args.terraform_out, args.gitops_out)
            write_platform_doc(staged.config, args.platform_doc)
            from goldenpath.portal import write_portal  # dist/catalog, dist/apps (issue 16)

            write_portal(staged.config, args.platform_doc.parent)
    print(summary.table(changes))
    print(summary.details(changes))
    if dangers and not write:
        print("destroy guard (synth would refuse without ALLOW_DESTROY):")
        for danger in dangers:
            print(f"  {danger}")
    total = sum(staged.timings.steps.values())
    if os.environ.get("GOLDENPATH_TIMINGS"):  # make bench reads the per-step split
        Path(os.environ["GOLDENPATH_TIMINGS"]).write_text(json.dumps(staged.timings.steps, sort_keys=True))
    verb = "wrote" if write else "compared"
    print(f"{verb} {args.terraform_out}/ and {args.gitops_out}/ in {total:.1f}s")
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from goldenpath.verify import engine
    from goldenpath.verify.report import UnusableInput, format_json, format_text

    if args.list_rules:
        for registered in engine.all_rules():
            print(f"{registered.layer:12} {registered.id:32} {registered.doc}")
        return EXIT_OK
    layers = [layer.strip() for layer in args.layers.split(",") if layer.strip()]
    try:
        if args.render_terraform:
            from goldenpath.config import load_config
            from goldenpath.pipeline import Timings, render_terraform

            with tempfile.TemporaryDirectory(prefix="goldenpath-verify-") as tmp:
                render_terraform(load_config(args.config), Path(tmp), Timings())
                violations = engine.run(Path(tmp), args.gitops, layers=layers)
        else:
            violations = engine.run(args.terraform, args.gitops, layers=layers)
        if args.drift:
            from goldenpath.verify.drift import drift

            violations += drift(args.config, args.gitops)
    except UnusableInput as exc:
        print(f"verify: unusable input: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(format_json(violations) if args.format == "json" else format_text(violations))
    return EXIT_VIOLATIONS if violations else EXIT_OK
