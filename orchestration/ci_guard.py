"""CI's destroy guard: a pull request may lose stateful items only with an acknowledgement.

The committed ``dist/state-inventory.json`` of the base revision is compared with the one of
the change; every item that goes away (or is replaced) must be named by an ``Allow-Destroy:``
trailer in one of the change's commit messages (ids or shell patterns, comma-separated), e.g.::

    Remove the orders app

    Allow-Destroy: global-ecr:aws_ecr_repository.orders, *:Namespace/apps-orders

A synth with ``ALLOW_DESTROY`` lets the author write the tree; this check makes the reviewer see
the same acknowledgement in the history (`git log` shows who accepted losing what).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orchestration import guard, inventory

TRAILER = "Allow-Destroy"


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def trailers(base: str) -> list[str]:
    """Every Allow-Destroy value of the commits in base..HEAD."""
    log = _git("log", "--format=%(trailers:key=" + TRAILER + ",valueonly,separator=%x2C)", f"{base}..HEAD")
    if log.returncode != 0:
        raise inventory.InventoryError(f"git log {base}..HEAD failed: {log.stderr.strip()}")
    return [value.strip() for line in log.stdout.splitlines() for value in line.split(",") if value.strip()]


def check(base: str, path: Path) -> int:
    try:
        shown = _git("show", f"{base}:{path.as_posix()}")
        old = inventory.loads(shown.stdout, f"{base}:{path}") if shown.returncode == 0 else None
        new = inventory.read(path)
        if new is None:
            print(f"guard: {path} is missing; run `make synth` and commit it", file=sys.stderr)
            return 2
        if old is None:
            print(f"guard: {base} has no {path}; nothing to compare (the first inventory is accepted)")
            return 0
        acknowledged = trailers(base)
    except inventory.InventoryError as exc:
        print(f"guard: {exc}", file=sys.stderr)
        return 2
    dangers = inventory.dangers(old, new)
    blocked = guard.unacknowledged(dangers, acknowledged)
    for danger in dangers:
        print(f"  {'ACKNOWLEDGED' if danger not in blocked else 'REFUSED'} {danger}")
    if blocked:
        print(f"guard: this change destroys or replaces state without acknowledgement ({len(blocked)} item(s)).", file=sys.stderr)
        print(f"If that is intended, add this trailer to a commit message of the change:\n  {TRAILER}: {', '.join(d.id for d in blocked)}", file=sys.stderr)
        return 3
    print(f"guard: {len(dangers)} stateful item(s) removed or replaced since {base}, all acknowledged." if dangers else f"guard: no stateful item lost since {base}.")
    return 0
