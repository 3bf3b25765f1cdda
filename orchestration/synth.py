"""`goldenpath synth` / `diff` and the cdktf CLI's synth (main.py): render, guard, verify, publish.

Every entry point that can put Terraform JSON where `cdktf deploy` reads it goes through
:func:`guard_and_verify`, so `npx cdktf deploy` cannot deploy what `make synth` refuses.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from goldenpath.errors import ConfigError
from orchestration import guard, inventory, summary
from orchestration.guard import Danger

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_GUARD = 0, 1, 2, 3
DIFF_NONE, DIFF_ERROR, DIFF_CHANGES, DIFF_GUARDED = 0, 1, 2, 3
SYNTH_LAYERS = ("schema", "consistency", "charts")


def _progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def acknowledged_ids(allow_destroy: str) -> list[str]:
    return [*allow_destroy.split(","), *os.environ.get("ALLOW_DESTROY", "").split(",")]


def refuse(blocked: list[Danger], what: str, header: str | None = None) -> None:
    print(header or f"{what} refused: this change would destroy or replace state. Nothing was written.", file=sys.stderr)
    for danger in blocked:
        print(f"  {danger}", file=sys.stderr)
    ids = ",".join(d.id for d in blocked)
    print(f"If that is intended, run again with ALLOW_DESTROY='{ids}'", file=sys.stderr)


def blocked_dangers(
    baseline: inventory.Inventory, new: inventory.Inventory, allow_destroy: str, extra: list[Danger] | None = None
) -> tuple[list[Danger], list[Danger]]:
    """(every danger, the unacknowledged ones) of ``new`` against the committed inventory, plus
    ``extra`` (what the change from the previous trees shows, guard.change_dangers)."""
    dangers = sorted(set(inventory.dangers(baseline, new)) | set(extra or []))
    return dangers, guard.unacknowledged(dangers, acknowledged_ids(allow_destroy))


def verify_staged(staged: Any, *, what: str) -> int:
    from goldenpath.verify import engine
    from goldenpath.verify.report import format_text

    _progress("verifying both halves (schema, consistency, charts)")
    with staged.timings.step("verify"):
        violations = engine.run(staged.terraform, staged.gitops, layers=SYNTH_LAYERS, config=staged.config, prechecked=staged.prechecked)
    if violations:
        print(format_text(violations), file=sys.stderr)
        print(f"{what} refused: the rendered artifacts do not verify. Nothing was written.", file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_OK


def run_synth(
    *,
    write: bool,
    fmt: str,
    detailed: bool,
    config: Path,
    terraform_out: Path,
    gitops_out: Path,
    platform_doc: Path,
    inventory: Path | None,
    allow_destroy: str,
    no_verify: bool,
    committed_only: bool = False,
    force: bool = False,
) -> int:
    """``committed_only`` (synth --check): only what is committed counts as a change (dist/).
    Synth (not diff) first asks :mod:`orchestration.noop` whether anything changed since the
    last published synth; ``force`` always renders."""
    from orchestration import noop
    from orchestration.outputs import synth_outputs
    from orchestration.publish import Busy, exclusive

    timeout = float(os.environ.get("GOLDENPATH_LOCK_TIMEOUT", "600"))
    outputs = synth_outputs(terraform_out, gitops_out, platform_doc, inventory)
    arguments = {"config": config.absolute(), "outputs": [o.absolute() for o in outputs]}
    try:
        # One synth (or diff: both clean staging leftovers) at a time per output directory.
        with exclusive(terraform_out.absolute().parent, timeout):
            stamp = noop.stamp_path(arguments)
            key = noop.input_key(config, arguments) if (write or committed_only) and not no_verify and noop.enabled() else None
            if key is not None and not force and (recorded := noop.unchanged(key, outputs, stamp)) is not None:
                print("synth: no changes (config, code and pinned inputs are as at the last synth; outputs as it wrote them)")
                if write and recorded.get("notes"):
                    print(recorded["notes"])
                return DIFF_NONE if detailed else EXIT_OK
            if write:
                noop.forget(stamp)
            notes: list[str] = []
            code = _run_synth(
                write, fmt, detailed, config, terraform_out, gitops_out, platform_doc, inventory, allow_destroy, no_verify, committed_only, notes
            )
            # Recorded only when the inputs did not move while rendering (else the key could
            # name a config the outputs were not rendered from).
            if write and code == EXIT_OK and key is not None and noop.input_key(config, arguments) == key:
                noop.record(key, outputs, "\n".join(notes), stamp)
            return code
    except ConfigError as exc:
        if not detailed:
            raise
        print(exc, file=sys.stderr)
        return DIFF_ERROR
    except Busy as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return DIFF_ERROR if detailed else EXIT_USAGE
    except OSError as exc:  # full disk, read-only target, permissions: one line, nothing published
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"synth: cannot write the outputs: {exc.strerror or exc}{where}. Nothing was published.", file=sys.stderr)
        return DIFF_ERROR if detailed else EXIT_VIOLATIONS


def _run_synth(
    write: bool, fmt: str, detailed: bool, config: Path, terraform_out: Path, gitops_out: Path, platform_doc: Path,
    inventory_path: Path | None, allow_destroy: str, no_verify: bool, committed_only: bool, notes: list[str],
) -> int:
    """``notes``: what this run printed that a later no-op answer repeats (the secrets to fill)."""
    from orchestration.changes import compare
    from orchestration.pipeline import staged_render
    from orchestration.platform_doc import render_platform_doc
    from orchestration.secrets_todo import format_todo, todo

    inventory_path = inventory_path or inventory.default_path(gitops_out)
    try:
        baseline = inventory.baseline(inventory_path, terraform_out, gitops_out)
    except inventory.InventoryError as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return DIFF_ERROR if detailed else EXIT_USAGE
    with staged_render(config, terraform_out, gitops_out, progress=_progress, verify_layers=None if no_verify else SYNTH_LAYERS) as staged:
        with staged.timings.step("compare"):
            changes = compare(terraform_out, staged.terraform, gitops_out, staged.gitops)
        new = inventory.build(staged.terraform, staged.gitops, changes)
        extra = guard.change_dangers(changes, lambda: guard.chart_volume_owners(terraform_out, gitops_out))
        dangers, blocked = blocked_dangers(baseline, new, allow_destroy, extra)
        if write and blocked:
            refuse(blocked, "synth")
            return EXIT_GUARD
        if not no_verify and (code := verify_staged(staged, what="synth" if write else "diff")):
            return code
        committed_differs = (
            not changes.gitops.empty
            or _text(inventory_path) != inventory.dumps(new)
            or _text(platform_doc) != render_platform_doc(staged.config, staged.terraform)
        )
        if write:
            publish_outputs(staged, terraform_out, gitops_out, platform_doc, inventory_path, new)
        to_fill = todo(staged.config)
    if fmt == "json":
        print(json.dumps(summary.as_json(changes, dangers), indent=2, sort_keys=True))
    else:
        print(summary.table(changes))
        print(summary.details(changes))
        if dangers and not write:
            print("destroy guard (synth would refuse without ALLOW_DESTROY):")
            for danger in dangers:
                print(f"  {danger}")
        if write and to_fill:
            print(format_todo(to_fill))
            notes.append(format_todo(to_fill))
        print(f"{'wrote' if write else 'compared'} {terraform_out}/ and {gitops_out}/ in {staged.timings.elapsed():.1f}s")
    timings = os.environ.get("GOLDENPATH_TIMINGS")  # make bench reads the per-step split
    if timings:
        Path(timings).write_text(json.dumps(staged.timings.steps, sort_keys=True))
    if not detailed:
        return EXIT_OK
    if blocked:
        return DIFF_GUARDED
    changed = committed_differs if committed_only else committed_differs or not changes.terraform.empty
    if changed and committed_only:
        print("synth --check: the committed dist/ differs from a fresh render; run `make synth` and commit", file=sys.stderr)
    return DIFF_CHANGES if changed else DIFF_NONE


def publish_outputs(staged: Any, terraform_out: Path, gitops_out: Path, platform_doc: Path, inventory_path: Path, new: inventory.Inventory) -> None:
    """The write phase: both trees swapped in together, then the platform doc, the portal's trees
    and the guard's inventory, each replaced atomically (tests/test_synth.py kills it at every step)."""
    from orchestration.pipeline import publish, write_platform_doc
    from orchestration.portal import write_portal  # dist/catalog, dist/apps: the Backstage catalog and CI workflows
    from orchestration.publish import deleting

    with deleting() as deleter:  # the previous trees go while the rest is written
        publish(staged, terraform_out, gitops_out, deleter)
        write_platform_doc(staged.config, platform_doc, terraform_out)
        write_portal(staged.config, platform_doc.parent, deleter)
        inventory.write(new, inventory_path)


def _text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def cdktf_app_synth(config_dir: Path, outdir: Path, gitops_out: Path = Path("dist/gitops")) -> int:
    """main.py (the cdktf CLI's `app`): the same guard and verifier as `make synth`, then only
    ``outdir`` is replaced (the GitOps tree and the inventory are `make synth`'s to write)."""
    from orchestration.pipeline import staged_render
    from orchestration.publish import replace_tree

    try:
        baseline = inventory.baseline(inventory.default_path(gitops_out), outdir, gitops_out)
    except inventory.InventoryError as exc:
        print(f"cdktf synth: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with staged_render(config_dir, outdir, gitops_out, progress=_progress, verify_layers=SYNTH_LAYERS) as staged:
        _dangers, blocked = blocked_dangers(baseline, inventory.build(staged.terraform, staged.gitops), "")
        if blocked:
            refuse(blocked, "cdktf synth")
            return EXIT_GUARD
        if code := verify_staged(staged, what="cdktf synth"):
            return code
        with staged.timings.step("write"):
            replace_tree(staged.terraform, outdir)
    return EXIT_OK
