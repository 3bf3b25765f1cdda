"""Property: no configuration ever produces a traceback. It either loads (and everything derived
from it in pure Python works) or fails with exit 2 and located `file:line: ...` messages."""

from __future__ import annotations

import atexit
import contextlib
import copy
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goldenpath import helm_values, naming
from goldenpath.config import load_config
from orchestration.cli import main
from orchestration.platform_doc import render_platform_doc
from tests.conftest import REPO

LOCATED = re.compile(r"^config/(platform\.yaml|apps/[^/]+\.ya?ml):\d+: ")
PLATFORM = yaml.safe_load((REPO / "config/platform.yaml").read_text())
APPS = {p.name: yaml.safe_load(p.read_text()) for p in sorted((REPO / "config/apps").glob("*.yaml"))}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30), st.sampled_from(["", "..", "a/b", "-x", "UPPER", "dev", "10.0.0.0/8", "eu-west-2z", "1.33", "x" * 80]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)), max_leaves=6)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, item in node.items():
            out += _paths(item, prefix + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            out += _paths(item, prefix + (index,))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    """One file of the default config with 1-3 structural mutations."""
    name = draw(st.sampled_from(["platform.yaml", *sorted(APPS)]))
    doc = copy.deepcopy(PLATFORM if name == "platform.yaml" else APPS[name])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            doc = draw(values) if draw(st.integers(0, 9)) == 0 else doc
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add-key"]))
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(values)
    return name, doc


_WORKDIR = Path(tempfile.mkdtemp(prefix="goldenpath-fuzz-"))  # one copy of config/ for every example
shutil.copytree(REPO / "config", _WORKDIR / "config")
atexit.register(shutil.rmtree, _WORKDIR, True)


@contextlib.contextmanager
def _one_file_changed(name: str) -> Iterator[tuple[Path, Path]]:
    """The shared copy of config/ with one file to change; restored afterwards (a fresh copy per
    example cost a third of the test)."""
    relative = name if name == "platform.yaml" else f"apps/{name}"
    target = _WORKDIR / "config" / relative
    try:
        yield _WORKDIR, target
    finally:
        shutil.copyfile(REPO / "config" / relative, target)


def _check(workdir: Path) -> None:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out), contextlib.chdir(workdir):
        code = main(["validate", "--config", "config"])  # any exception escaping here fails the test
    if code == 0:
        config = load_config(workdir / "config")
        for env in config.environments:  # everything derived in pure Python must work too
            for component in config.components_in(env):
                helm_values.values(config, env, component)
            naming.irsa_bindings(config.platform, env)
            naming.database_owners(config.platform, config.apps, env)
        render_platform_doc(config)
    else:
        assert code == 2
        lines = err.getvalue().splitlines()
        assert lines and all(LOCATED.match(line) for line in lines), lines
        assert "Traceback" not in err.getvalue()


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mutated())
def test_structural_mutations_never_crash(case: tuple[str, Any]) -> None:
    name, doc = case
    with _one_file_changed(name) as (workdir, target):
        # libyaml's dumper: the file only has to be YAML; the product's loader reads it
        target.write_text(yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True))
        _check(workdir)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(["platform.yaml", *sorted(APPS)]), st.integers(0, 10_000), st.text(min_size=1, max_size=8))
def test_text_corruption_never_crashes(name: str, offset: int, noise: str) -> None:
    with _one_file_changed(name) as (workdir, target):
        text = target.read_text()
        at = offset % (len(text) + 1)
        target.write_text(text[:at] + noise + text[at:])
        _check(workdir)
