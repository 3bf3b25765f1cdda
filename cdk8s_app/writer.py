"""Serialize Sections into files: one YAML document per file, sorted keys, collision-proof names.

cdk8s's own ``FILE_PER_RESOURCE`` writer overwrites same-named resources from different charts
(DESIGN §2 traps), so files are written here: ``<directory>/<kind>-<name>.yaml`` and, when two
objects in one directory share kind and name, ``<kind>-<namespace>-<name>.yaml``. A duplicate
that even the namespace cannot separate is a bug and raises.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from cdk8s_app.layout import Section
from goldenpath import optimize

_Base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml is ~10x faster


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    """Multi-line strings (scripts, Lua health checks, dashboard JSON) as literal block scalars,
    so `git diff dist/` shows them line by line. The emitter falls back to a quoted scalar by
    itself where a block cannot hold the text (trailing spaces, control characters)."""

    def represent(self, data: Any) -> None:
        """The document's node tree built directly for plain data (str keys, str/int/bool/None/
        float/list/dict values, no container twice), exactly the nodes SafeRepresenter (with
        sort_keys, default_flow_style=False and ``_str``) builds, without its per-value dispatch
        and alias bookkeeping: a third of the writer's time. Anything else takes PyYAML's path;
        ``GOLDENPATH_OPTIMIZE=0`` too (tests/cdk8s_app/test_writer.py compares both)."""
        self._fast = optimize.requested()
        if not self._fast:
            return super().represent(data)  # type: ignore[no-any-return]
        try:
            node = self._plain_node(data, set())
        except _NotPlain:
            return super().represent(data)  # type: ignore[no-any-return]
        self.serialize(node)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """The implicit tag the emitter asks for (twice per scalar), once per distinct question:
        keys and most values repeat across thousands of files, and without path resolvers (the
        SafeDumper has none) the answer depends on nothing else."""
        if kind is not ScalarNode or not getattr(self, "_fast", False):
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = _RESOLVED[key] = super().resolve(kind, value, implicit)
        return tag

    def _plain_node(self, data: Any, seen: set[int]) -> Any:
        kind = type(data)
        if kind is str:
            return ScalarNode(_STR, data, style="|" if "\n" in data else None)
        if kind is dict or kind is list:
            if id(data) in seen:
                raise _NotPlain  # PyYAML writes an anchor and an alias
            seen.add(id(data))
            if kind is list:
                return SequenceNode(_SEQ, [self._plain_node(v, seen) for v in data], flow_style=False)
            if not all(type(k) is str for k in data):
                raise _NotPlain
            return MappingNode(_MAP, [(ScalarNode(_STR, k, style="|" if "\n" in k else None), self._plain_node(v, seen)) for k, v in sorted(data.items())], flow_style=False)
        if kind is bool:
            return ScalarNode(_BOOL, "true" if data else "false")
        if kind is int:
            return ScalarNode(_INT, str(data))
        if data is None:
            return ScalarNode(_NULL, "null")
        if kind is float:
            return self.represent_float(data)
        raise _NotPlain


class _NotPlain(Exception):
    pass


_RESOLVED: dict[tuple[str, Any], Any] = {}  # (scalar, implicit) -> tag


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_BOOL, _INT, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:null"


def _str(dumper: Any, value: str) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    if optimize.requested() and type(data) is dict and data:
        try:
            return _emit(data)
        except _NotPlain:
            pass
    return _dump(data)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=1 << 16)


# --- issue 14: the block layout written directly ------------------------------------------------
# A document of plain data is laid out here (block mappings with sorted keys, indentless block
# sequences, `{}`/`[]` for empty containers, two spaces per level: what PyYAML writes with these
# options), and every distinct scalar's text is what libyaml itself emits for it, asked once
# (`_value_text`, `_key_text`): quoting, escapes and literal blocks are never decided here. A
# scalar whose text depends on more than its own value (a complex key, a folded or multi-line
# quoted scalar, a line near the width) makes the whole document take PyYAML's path; so does a
# container seen twice. tests/cdk8s_app/test_writer.py and the render-identity tests compare
# both paths byte for byte.
_VALUES: dict[tuple[type, Any], tuple[str, list[str] | None]] = {}  # -> (first line, literal block lines)
_KEYS: dict[str, str] = {}
_BREAKS = re.compile("[\r\x85\u2028\u2029]")
_LONG = 1 << 14  # far below the emitter's width (1 << 16): no scalar this long is laid out here


def _value_text(value: Any) -> tuple[str, list[str] | None]:
    kind = type(value)
    key = (kind, repr(value) if kind is float else value)
    found = _VALUES.get(key)
    if found is None:
        if kind is str and len(value) > _LONG:
            raise _NotPlain
        text = _dump({"k": value})
        if not (text.startswith("k: ") and text.endswith("\n")) or _BREAKS.search(text):
            # a Unicode line break: the emitter continues the scalar on an indented line, or (a
            # block ending in U+2028) ends the document with that break instead of "\n"
            raise _NotPlain
        first, *rest = text[3:-1].split("\n")
        if not rest:
            found = (first, None)
        elif first.startswith("|") and all(line.startswith("  ") or line == "" for line in rest):
            found = (first, [line[2:] for line in rest])  # a literal block, its lines without the indent
        else:
            raise _NotPlain  # a multi-line quoted scalar: its continuation depends on the column
        _VALUES[key] = found
    return found


def _key_text(key: Any) -> str:
    if type(key) is not str:
        raise _NotPlain
    found = _KEYS.get(key)
    if found is None:
        if len(key) > 100:
            raise _NotPlain  # PyYAML writes keys over 128 characters as complex keys (`? `)
        text = _dump({key: 0})
        if _BREAKS.search(text) or not text.endswith(": 0\n") or "\n" in text[:-4] or text.startswith("? "):
            raise _NotPlain
        found = _KEYS[key] = text[:-4]
    return found


def _emit(data: dict[str, Any]) -> str:
    lines: list[str] = []
    _mapping(data, 0, lines, set())
    lines.append("")
    return "\n".join(lines)


def _scalar(value: Any, head: str, indent: int, lines: list[str]) -> None:
    first, block = _value_text(value)
    lines.append(f"{head}{first}")
    if block is not None:
        pad = " " * (indent + 2)
        lines.extend(pad + line if line else "" for line in block)


def _mapping(data: dict[str, Any], indent: int, lines: list[str], seen: set[int]) -> None:
    if id(data) in seen:
        raise _NotPlain  # PyYAML writes an anchor and an alias
    seen.add(id(data))
    if not all(type(k) is str for k in data):
        raise _NotPlain  # PyYAML sorts mixed keys its own way (or fails the same way)
    pad = " " * indent
    for key in sorted(data):
        value = data[key]
        head = f"{pad}{_key_text(key)}:"
        kind = type(value)
        if kind is dict or kind is list:
            if not value:
                lines.append(head + (" {}" if kind is dict else " []"))
            elif kind is dict:
                lines.append(head)
                _mapping(value, indent + 2, lines, seen)
            else:
                lines.append(head)
                _sequence(value, indent, lines, seen)
        else:
            _scalar(value, head + " ", indent, lines)


def _sequence(data: list[Any], indent: int, lines: list[str], seen: set[int]) -> None:
    if id(data) in seen:
        raise _NotPlain
    seen.add(id(data))
    pad = " " * indent
    for item in data:
        kind = type(item)
        if kind is dict or kind is list:
            if not item:
                lines.append(pad + ("- {}" if kind is dict else "- []"))
                continue
            start = len(lines)
            if kind is dict:
                _mapping(item, indent + 2, lines, seen)
            else:
                _sequence(item, indent + 2, lines, seen)
            lines[start] = f"{pad}- {lines[start][indent + 2:]}"  # the first line joins the dash
        else:
            _scalar(item, f"{pad}- ", indent, lines)


@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to the env directory, e.g. platform/issuers/clusterissuer-letsencrypt-prod.yaml
    obj: dict[str, Any]


def objects(section: Section) -> list[dict[str, Any]]:
    """Every ApiObject under the Section (including nested constructs and charts); the order is
    cdk8s's (files are named and sorted below, so it never shows)."""
    return section.manifests(final=True)


def section_files(section: Section) -> list[RenderedFile]:
    objs = objects(section)
    key = Counter((o["kind"].lower(), o["metadata"]["name"]) for o in objs)
    files: dict[str, RenderedFile] = {}
    for obj in objs:
        kind, name = obj["kind"].lower(), obj["metadata"]["name"]
        namespace = obj["metadata"].get("namespace")
        stem = f"{kind}-{namespace}-{name}" if key[(kind, name)] > 1 and namespace else f"{kind}-{name}"
        path = f"{section.directory}/{stem}.yaml"
        if path in files:
            raise ValueError(f"two objects would be written to {path}: {kind} {namespace}/{name}")
        files[path] = RenderedFile(path, obj)
    return [files[p] for p in sorted(files)]


def kustomization(resources: list[str], images: list[dict[str, str]] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": sorted(resources)}
    if images:
        doc["images"] = images
    return doc


def write(root: Path, relpath: str, data: Any, header: str = "") -> bytes:
    """Write the file; returns its bytes."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    content = (header + dump(data)).encode("utf-8")
    path.write_bytes(content)
    return content
