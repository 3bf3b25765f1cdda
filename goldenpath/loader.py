"""YAML loading that remembers where every key came from.

pydantic reports errors by key path; the user needs file and line. ``load_yaml`` returns plain
Python data plus a map ``path tuple -> line`` so any path (even a partial one) can be located.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from goldenpath.errors import ConfigError, ConfigIssue
from goldenpath.identifiers import shown

Path_ = tuple[str | int, ...]
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def dotted(path: Path_) -> str:
    """``a.b[0].c``; keys that are not plain words are quoted (a key may hold a newline)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part) if _PLAIN_KEY.fullmatch(str(part)) else shown(str(part))
            out += ("." if out else "") + text
    return out


MAX_NODES = 100_000  # aliases can expand a tiny file exponentially ("billion laughs")
_STR = "tag:yaml.org,2002:str"


def _plain(loader: Any, node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> Any:
    if len(lines) > MAX_NODES:
        raise ConfigError([ConfigIssue(file, node.start_mark.line + 1, dotted(path), f"document too large: more than {MAX_NODES} keys and items after expanding aliases")])
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                what = shown(key) if isinstance(key_node, yaml.ScalarNode) else "a collection"
                raise ConfigError([ConfigIssue(file, line, dotted(path), f"keys must be strings (got {what})")])
            if key in result:
                raise ConfigError([ConfigIssue(file, line, dotted(path + (key,)), f"duplicate key (first defined on line {lines[path + (key,)]})")])
            lines[path + (key,)] = line
            result[key] = _plain(loader, value_node, path + (key,), lines, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            items.append(_plain(loader, item, path + (index,), lines, file))
        return items
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value  # what SafeConstructor.construct_yaml_str returns, without its dispatch
    return loader.construct_object(node, deep=True)


def load_yaml(path: Path, display: str | None = None) -> LocatedDocument:
    """Parse one YAML file; syntax errors become located :class:`ConfigError`s.

    PyYAML's C composer gives every node its line; values are built from the nodes here so
    duplicate keys are errors (YAML parsers keep the last one silently)."""
    file = display or str(path)
    text = read_config_file(path, file)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {(): 1}
        data = _plain(loader, node, (), lines, file) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError([ConfigIssue(file, line, "", f"invalid YAML: {_first_line(exc.problem or exc.context)}")]) from None
    except yaml.reader.ReaderError as exc:  # a control character: no mark, only an offset
        line = text[: exc.position].count("\n") + 1
        raise ConfigError([ConfigIssue(file, line, "", f"invalid YAML: unacceptable character #x{exc.character:04x}: {exc.reason}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigIssue(file, 0, "", f"invalid YAML: {_first_line(str(exc))}")]) from None
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp or number the constructor rejects
        raise ConfigError([ConfigIssue(file, 0, "", f"invalid YAML value: {_first_line(str(exc))}")]) from None
    finally:
        loader.dispose()
    return LocatedDocument(file, data, lines)


MAX_FILE_BYTES = 1 << 20  # a platform description is a few KiB; a 50 MB value is a mistake or an attack


def read_config_file(path: Path, file: str) -> str:
    """The text of a regular file of at most :data:`MAX_FILE_BYTES`.

    Opened non-blocking and checked with ``fstat`` on the open descriptor: a FIFO would hang a
    plain read and ``/dev/zero`` would exhaust memory."""
    def fail(message: str) -> ConfigError:
        return ConfigError([ConfigIssue(file, 0, "", message)])

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise fail(f"cannot read file ({exc.__class__.__name__}: {exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise fail("is not a regular file (a directory, device, FIFO or socket); config files must be plain YAML files")
        if info.st_size > MAX_FILE_BYTES:
            raise fail(f"is {info.st_size} bytes; config files may have at most {MAX_FILE_BYTES} bytes")
        data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise fail(f"cannot read file ({exc.__class__.__name__}: {exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"is over {MAX_FILE_BYTES} bytes; config files may have at most {MAX_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"cannot read file (not UTF-8: {exc.reason} at byte {exc.start})") from None


def _first_line(text: str | None) -> str:
    line = (text or "syntax error").strip().splitlines()[0]
    return line if len(line) <= 200 else line[:197] + "..."
