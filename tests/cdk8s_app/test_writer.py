"""cdk8s_app.writer: the direct node tree and the remembered tags write exactly what PyYAML's
own representer writes (GOLDENPATH_OPTIMIZE=0), for the rendered tree and awkward data."""

from __future__ import annotations

from typing import Any

import pytest

from cdk8s_app import writer
from tests.cdk8s_app.conftest import Tree
from tests.goldenpath.test_trees import AWKWARD

SHARED = {"x": 1}
CASES: list[Any] = [
    AWKWARD,
    {"a": SHARED, "b": SHARED},  # one dict twice: PyYAML writes an anchor and an alias
    {1: "int key", "s": "str key"},
    {"floats": [0.1, 1e-05, float("inf"), -0.0, 3.0]},
    [{"a": 1}, "top-level list"],
    {"text": "line\nline\n", "key\nwith break": "v"},
]


def _both(data: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "1")
    fast = writer.dump(data)
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    return fast, writer.dump(data)


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_awkward_data_is_written_as_pyyaml_writes_it(data: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, reference = _both(data, monkeypatch)
    assert fast == reference


def test_the_rendered_tree_is_written_as_pyyaml_writes_it(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [doc for files in tree.values() for doc in files.values()]
    assert len(documents) > 300
    for doc in documents:
        fast, reference = _both(doc, monkeypatch)
        assert fast == reference
