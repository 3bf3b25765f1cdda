"""Located configuration errors.

Every user mistake surfaces as ``file:line: key.path: message`` and exit code 2; the CLI
catches :class:`ConfigError` and never shows a traceback for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ConfigIssue:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(Exception):
    """One or more located problems in the configuration; nothing has been written."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = sorted(set(issues))
        super().__init__("\n".join(str(i) for i in self.issues))

    def __reduce__(self) -> tuple[type, tuple[list[ConfigIssue]]]:
        """Pickled with its issues (a forked render hands it back to the synth)."""
        return (ConfigError, (self.issues,))
