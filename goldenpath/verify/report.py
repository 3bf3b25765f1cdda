"""Violations and their two output formats."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, order=True)
class Violation:
    file: str  # path relative to the tree root given on the command line
    object: str  # Kind/namespace/name for manifests, type.name for Terraform resources
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.object}: {self.rule}: {self.message}"


class UnusableInput(Exception):
    """The artifacts cannot be read at all (missing directory, invalid JSON/YAML): exit 2."""


def format_text(violations: list[Violation]) -> str:
    lines = [str(v) for v in sorted(violations)]
    lines.append(f"{len(violations)} violation(s)")
    return "\n".join(lines)


def format_json(violations: list[Violation]) -> str:
    return json.dumps({"violations": [asdict(v) for v in sorted(violations)], "count": len(violations)}, indent=2, sort_keys=True)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def format_sarif(violations: list[Violation], rules: list[Any], *, root: Path) -> str:
    """SARIF 2.1.0 for code scanning: one result per violation, located at its file in the tree
    (``root``-relative paths are made repository-relative), rules with their descriptions."""
    results = []
    for v in sorted(violations):
        location = (root / v.file).as_posix() if v.file not in ("", "-") else root.as_posix()
        results.append(
            {
                "ruleId": v.rule,
                "level": "error",
                "message": {"text": f"{v.object}: {v.message}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": location}}}],
            }
        )
    driver = {
        "name": "goldenpath verify",
        "rules": [{"id": r.id, "shortDescription": {"text": r.id}, "fullDescription": {"text": r.doc or r.id}, "properties": {"layer": r.layer}} for r in rules],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}, indent=2, sort_keys=True)
