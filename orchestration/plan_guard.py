"""The authoritative destroy guard: Terraform's own plan, checked before anything is applied.

The offline guard (:mod:`orchestration.inventory`) predicts replacements from the attributes it
knows; Terraform knows them all (a provider's ForceNew, a moved resource, state drift). Before
each stack of `make plan` / `make deploy`, the stack is planned with ``terraform plan -out`` and
its JSON (``terraform show -json``: ``resource_changes[].change.actions``) is read: a
``delete`` (alone, or with ``create`` as a replacement, in either order) of a resource that
holds state is refused unless acknowledged with the same ids as the synth guard
(``ALLOW_DESTROY='<stack>:<address>'``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from orchestration import guard
from orchestration.guard import Danger

PLAN_FILE = "goldenpath.tfplan"
STATEFUL_TYPES = frozenset(guard.WHY_REMOVED)


def plan_dangers(stack: str, plan: dict[str, Any]) -> list[Danger]:
    """Deletes and replacements of stateful resources in one stack's plan JSON."""
    found: list[Danger] = []
    for change in plan.get("resource_changes") or []:
        actions = list((change.get("change") or {}).get("actions") or [])
        if "delete" not in actions:
            continue
        rtype, address = change.get("type", ""), change.get("address", "")
        after = (change.get("change") or {}).get("after") or {}
        is_storage = rtype == "aws_eks_addon" and (after.get("addon_name") or ((change.get("change") or {}).get("before") or {}).get("addon_name")) == guard.STORAGE_ADDON
        if rtype not in STATEFUL_TYPES and not is_storage:
            continue
        why = guard.WHY_REMOVED.get(rtype, "the EBS CSI add-on and its StorageClasses would be recreated")
        if "create" in actions:
            attributes = ", ".join(sorted({p[0] for p in change.get("replace_paths") or [] if p and isinstance(p[0], str)})) or "an attribute"
            found.append(Danger(f"{stack}:{address}", f"terraform plan replaces it ({attributes} forces replacement): {why}"))
        else:
            found.append(Danger(f"{stack}:{address}", f"terraform plan deletes it: {why}"))
    return sorted(set(found))


def terraform_commands(stack_dir: Path) -> list[list[str]]:
    """init (the backend), plan into a file, show it as JSON."""
    chdir = f"-chdir={stack_dir}"
    return [
        ["terraform", chdir, "init", "-input=false", "-no-color"],
        ["terraform", chdir, "plan", "-input=false", "-no-color", f"-out={PLAN_FILE}"],
        ["terraform", chdir, "show", "-json", PLAN_FILE],
    ]


def plan_stack(stack_dir: Path, env: dict[str, str]) -> tuple[int, dict[str, Any] | None]:
    """(exit code, plan JSON): the plan output reaches the operator; the JSON is parsed."""
    init, plan, show = terraform_commands(stack_dir)
    for command in (init, plan):
        code = subprocess.run(command, env=env, check=False).returncode
        if code != 0:
            return code, None
    shown = subprocess.run(show, env=env, check=False, capture_output=True, text=True)
    if shown.returncode != 0:
        return shown.returncode, None
    try:
        return 0, json.loads(shown.stdout)
    except ValueError:
        return 1, None
