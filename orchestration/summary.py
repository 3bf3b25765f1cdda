"""The table `make synth` / `make diff` end with, and the detailed change list."""

from __future__ import annotations

from typing import Any

from orchestration.changes import ChangeSet, Delta
from orchestration.guard import Danger

DETAIL_LIMIT = 25  # per section; the git diff has the rest


def table(changes: ChangeSet) -> str:
    groups = sorted(set(changes.stack_env.values()) | set(changes.new_objects), key=lambda g: (g == "global", g))
    header = ("env", "stacks", "tf resources", "tf +/~/-", "objects", "objects +/~/-")
    rows = [header]
    for group in groups:
        stacks = [s for s, e in changes.stack_env.items() if e == group]
        resources = sum(changes.new_resources.get(s, 0) for s in stacks)
        rows.append(
            (
                group,
                str(len(stacks)),
                str(resources),
                _counts(changes.terraform, lambda item, g=group: changes.stack_env.get(item.group, "global") == g),
                str(changes.new_objects.get(group, 0)) if group != "global" else "-",
                _counts(changes.gitops, lambda item, g=group: item.group == g) if group != "global" else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _counts(delta: Delta, belongs) -> str:  # type: ignore[no-untyped-def]
    added = sum(1 for i in delta.added if belongs(i))
    changed = sum(1 for old, _new in delta.changed if belongs(old))
    removed = sum(1 for i in delta.removed if belongs(i))
    return f"+{added} ~{changed} -{removed}"


def details(changes: ChangeSet) -> str:
    lines: list[str] = []
    for title, delta in (("terraform", changes.terraform), ("manifests", changes.gitops)):
        for sign, items in (("+", delta.added), ("~", [new for _old, new in delta.changed]), ("-", delta.removed)):
            for index, item in enumerate(items):
                if index == DETAIL_LIMIT:
                    lines.append(f"  {sign} ... and {len(items) - DETAIL_LIMIT} more {title} ({'added' if sign == '+' else 'changed' if sign == '~' else 'removed'})")
                    break
                lines.append(f"  {sign} {item.group}: {item.key}")
    return "\n".join(lines) if lines else "  no changes"


def as_json(changes: ChangeSet, dangers: list[Danger]) -> dict[str, Any]:
    """`diff --format json`: every change by address and the destroy guard's findings."""

    def entries(delta: Delta) -> dict[str, list[dict[str, str]]]:
        return {
            "added": [{"group": i.group, "key": i.key} for i in delta.added],
            "changed": [{"group": new.group, "key": new.key} for _old, new in delta.changed],
            "removed": [{"group": i.group, "key": i.key} for i in delta.removed],
        }

    return {
        "terraform": entries(changes.terraform),
        "manifests": entries(changes.gitops),
        "resources": changes.new_resources,
        "objects": changes.new_objects,
        "guard": [{"id": d.id, "reason": d.reason} for d in dangers],
    }
