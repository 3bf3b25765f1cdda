"""Violations and their two output formats."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


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
