"""What a published synth writes: the one list the no-op check (orchestration/noop.py) hashes,
kept apart from the writers so that reading it imports nothing heavy."""

from __future__ import annotations

from pathlib import Path

PORTAL_TREES = ("apps", "catalog")  # beside the platform doc: the Backstage catalog and the apps' CI workflows
INVENTORY_FILE = "state-inventory.json"


def default_inventory(gitops_out: Path) -> Path:
    """``dist/state-inventory.json`` for ``dist/gitops``: beside the tree it describes."""
    return gitops_out.parent / INVENTORY_FILE


def synth_outputs(terraform_out: Path, gitops_out: Path, platform_doc: Path, inventory: Path | None) -> list[Path]:
    return [terraform_out, gitops_out, platform_doc, inventory or default_inventory(gitops_out), *(platform_doc.parent / t for t in PORTAL_TREES)]
