"""Command line: ``goldenpath <command>`` (also ``python -m goldenpath``), built with click.

Exit codes: 0 ok; 1 verification violations; 2 unusable input (bad config, unreadable
artifacts, unknown option values, missing credentials); 3 refused by the destroy guard.
``diff --detailed-exitcode`` / ``synth --check``: 0 no changes, 1 error, 2 changes, 3 the guard
would refuse. User mistakes never print a traceback.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from goldenpath import __version__
from goldenpath.errors import ConfigError

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_GUARD = 0, 1, 2, 3
ALL_LAYERS = ("schema", "consistency", "charts", "policy")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}

_config_option = click.option(
    "--config", type=click.Path(path_type=Path), default=Path("config"), show_default=True, help="the config directory (platform.yaml, apps/)"
)


class UsageError(Exception):
    """A usage mistake found after option parsing (exit 2, one sentence)."""


def _config_if_present(root: Path) -> object:
    """The config the trees were rendered from, for rules that compare with intent (env parity);
    None when verifying trees without their config."""
    from goldenpath.config import load_config

    return load_config(root) if (root / "platform.yaml").is_file() else None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the tests call this in-process)."""
    try:
        result = cli.main(args=argv, prog_name="goldenpath", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else int(exc.exit_code)
    except click.exceptions.Abort:
        return EXIT_VIOLATIONS
    except (ConfigError, UsageError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    return result if isinstance(result, int) else EXIT_OK


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="goldenpath", message="%(prog)s %(version)s")
def cli() -> None:
    """Golden Path IDP generator: config/ -> Terraform (CDKTF) + GitOps tree (cdk8s) -> verifier.

    Exit codes: 0 ok, 1 violations, 2 unusable input, 3 refused by the destroy guard.
    """


@cli.command(context_settings=CONTEXT)
@_config_option
def validate(config: Path) -> int:
    """Load and validate config/ only (file:line: key: message on errors)."""
    from goldenpath.config import load_config

    loaded = load_config(config)
    print(f"{config}: ok ({len(loaded.environments)} environments, {len(loaded.apps)} apps)")
    return EXIT_OK


def _synth_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        _config_option,
        click.option("--terraform-out", type=click.Path(path_type=Path), default=Path("cdktf.out"), show_default=True, help="where the Terraform JSON goes"),
        click.option("--gitops-out", type=click.Path(path_type=Path), default=Path("dist/gitops"), show_default=True, help="where the GitOps tree goes"),
        click.option("--platform-doc", type=click.Path(path_type=Path), default=Path("dist/PLATFORM.md"), show_default=True, help="the platform picture"),
        click.option(
            "--inventory",
            type=click.Path(path_type=Path),
            default=None,
            help="the destroy guard's committed baseline  [default: state-inventory.json beside --gitops-out]",
        ),
        click.option(
            "--allow-destroy",
            default="",
            metavar="IDS",
            help="comma-separated guard ids (or shell patterns) you accept to destroy; also read from ALLOW_DESTROY",
        ),
        click.option("--no-verify", is_flag=True, hidden=True),  # bench: split timings
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@cli.command(context_settings=CONTEXT)
@_synth_options
@click.option("--check", is_flag=True, help="write nothing; exit 2 when the committed outputs differ from a fresh render (pre-commit)")
@click.option("--force", is_flag=True, help="render even when config, code, pinned inputs and outputs are as at the last synth")
def synth(check: bool, force: bool, **options: Any) -> int:
    """Render, guard, verify, then replace cdktf.out/ and dist/gitops/ atomically (or answer
    "no changes" at once when nothing that shapes them changed since the last synth)."""
    from orchestration.synth import run_synth

    return run_synth(write=not check, fmt="text", detailed=check, committed_only=check, force=force, **options)


@cli.command(context_settings=CONTEXT)
@_synth_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="output format")
@click.option("--detailed-exitcode", is_flag=True, help="exit 0 no changes, 1 error, 2 changes, 3 the guard would refuse")
def diff(fmt: str, detailed_exitcode: bool, **options: Any) -> int:
    """Show what synth would change (and what the guard would say); write nothing."""
    from orchestration.synth import run_synth

    return run_synth(write=False, fmt=fmt, detailed=detailed_exitcode, **options)


def _layers(_ctx: click.Context, _param: click.Parameter, value: str) -> list[str]:
    layers = [layer.strip() for layer in value.split(",") if layer.strip()]
    unknown = [layer for layer in layers if layer not in ALL_LAYERS]
    if unknown or not layers:
        raise click.BadParameter(f"unknown layer(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(ALL_LAYERS)}")
    return layers


@cli.command(context_settings=CONTEXT)
@click.option("--terraform", type=click.Path(path_type=Path), default=Path("cdktf.out"), show_default=True, help="the synthesized Terraform tree")
@click.option("--gitops", type=click.Path(path_type=Path), default=Path("dist/gitops"), show_default=True, help="the rendered GitOps tree")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True, help="sarif: for code scanning")
@click.option("--layers", default=",".join(ALL_LAYERS), show_default=True, callback=_layers, help="comma-separated layers to run")
@click.option("--drift", is_flag=True, help="also re-render from --config and compare with --gitops (shows the diff)")
@_config_option
@click.option("--render-terraform", is_flag=True, help="synthesize Terraform from --config into a temporary directory and check that (cdktf.out/ is not committed)")
@click.option("--list-rules", is_flag=True, help="print every rule with the failure it prevents")
def verify(terraform: Path, gitops: Path, fmt: str, layers: list[str], drift: bool, config: Path, render_terraform: bool, list_rules: bool) -> int:
    """Check artifacts: schema, consistency, charts, policy (and drift)."""
    from goldenpath.verify import engine
    from goldenpath.verify.report import UnusableInput, format_json, format_sarif, format_text

    if list_rules:
        for registered in engine.all_rules():
            print(f"{registered.layer:12} {registered.id:32} {registered.doc}")
        return EXIT_OK
    try:
        require_pinned_inputs(layers)
        if render_terraform:
            from goldenpath.config import load_config
            from orchestration.pipeline import Timings
            from orchestration.pipeline import render_terraform as render

            loaded = load_config(config)
            with tempfile.TemporaryDirectory(prefix="goldenpath-verify-") as tmp:
                render(loaded, Path(tmp), Timings())
                violations = engine.run(Path(tmp), gitops, layers=layers, config=loaded)
        else:
            violations = engine.run(terraform, gitops, layers=layers, config=_config_if_present(config))
        details: dict[str, str] = {}
        if drift:
            from orchestration.drift import drift_with_diffs

            found, details = drift_with_diffs(config, gitops)
            violations += found
    except UnusableInput as exc:
        print(f"verify: unusable input: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if fmt == "json":
        print(format_json(violations))
    elif fmt == "sarif":
        print(format_sarif(violations, engine.all_rules(), root=gitops))
    else:
        print(format_text(violations))
        for text in details.values():
            print(text, end="")
    return EXIT_VIOLATIONS if violations else EXIT_OK


def require_pinned_inputs(layers: list[str]) -> None:
    """One clear exit-2 error when the pinned CRDs (or charts) the layers need are not there."""
    from goldenpath import charts, schemas
    from goldenpath.verify.report import UnusableInput

    if "schema" in layers or "charts" in layers:
        crds = schemas.crd_dir()
        if not crds.is_dir() or not any(crds.rglob("*.yaml")):
            raise UnusableInput(
                f"the pinned CRDs are not in {crds} (GOLDENPATH_CRDS); put ../shared beside the checkout or run `make shared`, which fetches them"
            )
    if "charts" in layers:
        directory = charts.charts_dir()
        if not directory.is_dir() or not any(directory.glob("*.tgz")):
            raise UnusableInput(f"the chart cache {directory} (GOLDENPATH_CHARTS) holds no chart archive; run `make charts` or put ../shared beside the checkout")


@cli.command(context_settings=CONTEXT)
@click.argument("action", type=click.Choice(["pull", "check"]))
@_config_option
def charts(action: str, config: Path) -> int:
    """The chart cache: pull the pinned charts (network) or check them (offline)."""
    from goldenpath import charts as cache
    from goldenpath.config import load_config

    loaded = load_config(config)
    try:
        if action == "pull":
            locked = cache.pull(loaded)
            print(f"charts: {len(locked)} archives in {cache.charts_dir()}, digests written to {cache.LOCK_FILE.name}")
            return EXIT_OK
    except cache.ChartCacheError as exc:
        print(f"charts: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problems = cache.check(loaded)
    for problem in problems:
        print(f"charts: {problem}", file=sys.stderr)
    if not problems:
        print(f"charts: every chart of {config} is in {cache.charts_dir()} and matches {cache.LOCK_FILE.name}")
    return EXIT_USAGE if problems else EXIT_OK


@cli.command(context_settings={**CONTEXT, "ignore_unknown_options": True})
@click.option("--env", required=True, help="the environment (make deploy ENV=dev)")
@click.option("--plan", is_flag=True, help="plan only: terraform plan of each stack, guarded, nothing applied")
@_config_option
@click.argument("cdktf_args", nargs=-1, type=click.UNPROCESSED)
def deploy(env: str, plan: bool, config: Path, cdktf_args: tuple[str, ...]) -> int:
    """Deploy one environment's stacks in dependency order; each plan is guarded before it is applied.

    Extra arguments (make deploy ARGS=--auto-approve) go to every `cdktf deploy`.
    """
    from orchestration.deploy import deploy as run

    return run(config, env, plan=plan, cdktf_args=list(cdktf_args))


@cli.command(context_settings=CONTEXT)
@click.option("--base", required=True, help="the git revision the change is compared with (CI: the pull request's base)")
@click.option("--inventory", type=click.Path(path_type=Path), default=Path("dist/state-inventory.json"), show_default=True, help="the committed inventory")
def guard(base: str, inventory: Path) -> int:
    """CI: refuse a change whose state inventory loses items not acknowledged by an `Allow-Destroy:` commit trailer."""
    from orchestration.ci_guard import check

    return check(base, inventory)


@cli.command(context_settings=CONTEXT)
@_config_option
@click.option("--check", is_flag=True, help="write nothing; exit 2 when a schema file is stale or a config file lacks its modeline")
def schema(config: Path, check: bool) -> int:
    """Export the config's JSON Schemas (config/schema.json, config/app.schema.json) from the model."""
    from goldenpath import config_schema

    if check:
        problems = config_schema.stale(config)
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE if problems else EXIT_OK
    config_schema.write(config)
    print(f"wrote {config / 'schema.json'} and {config / 'app.schema.json'}")
    return EXIT_OK


@cli.command(context_settings=CONTEXT)
@_config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="output format")
def secrets(config: Path, fmt: str) -> int:
    """List the secrets a human still has to fill, with the exact `aws secretsmanager put-secret-value` command."""
    from goldenpath.config import load_config
    from orchestration.secrets_todo import format_todo, todo

    items = todo(load_config(config))
    print(json.dumps([item.as_dict() for item in items], indent=2) if fmt == "json" else format_todo(items))
    return EXIT_OK

