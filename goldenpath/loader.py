"""YAML loading that remembers where every key came from.

pydantic reports errors by key path; the user needs file and line. ``load_yaml`` returns plain
Python data plus a map ``path tuple -> line`` so any path (even a partial one) can be located.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from goldenpath.errors import ConfigError, ConfigIssue

Path_ = tuple[str | int, ...]


@dataclass
class LocatedDocument:
    """Plain data of one YAML file plus the line of every key/item (1-based)."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """Line of ``path`` or of its nearest located ancestor."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1

    def issue(self, path: Path_, message: str) -> ConfigIssue:
        return ConfigIssue(self.file, self.line_of(path), dotted(path), message)


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _plain(node: Any, path: Path_, lines: dict[Path_, int], file: str) -> Any:
    if isinstance(node, CommentedMap):
        result = {}
        for key in node:
            if not isinstance(key, str):
                line = node.lc.key(key)[0] + 1
                raise ConfigError([ConfigIssue(file, line, dotted(path), f"keys must be strings (got {key!r})")])
            lines[path + (key,)] = node.lc.key(key)[0] + 1
            result[key] = _plain(node[key], path + (key,), lines, file)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, item in enumerate(node):
            lines[path + (index,)] = node.lc.item(index)[0] + 1
            items.append(_plain(item, path + (index,), lines, file))
        return items
    if isinstance(node, str):
        return str(node)  # drop ruamel's scalar subclasses
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def load_yaml(path: Path, display: str | None = None) -> LocatedDocument:
    """Parse one YAML file; syntax errors become located :class:`ConfigError`s."""
    file = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(file, 0, "", f"cannot read file ({exc.__class__.__name__}: {exc})")]) from None
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        raw = yaml.load(text)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise ConfigError([ConfigIssue(file, line, "", f"duplicate key ({_first_line(exc.problem)})")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError([ConfigIssue(file, line, "", f"invalid YAML: {_first_line(exc.problem or exc.context)}")]) from None
    except YAMLError as exc:
        raise ConfigError([ConfigIssue(file, 0, "", f"invalid YAML: {_first_line(str(exc))}")]) from None
    lines: dict[Path_, int] = {(): 1}
    data = _plain(raw, (), lines, file)
    return LocatedDocument(file, data, lines)


def _first_line(text: str | None) -> str:
    return (text or "syntax error").strip().splitlines()[0]
