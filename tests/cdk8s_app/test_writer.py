"""cdk8s_app.writer: the direct node tree and the remembered tags write exactly what PyYAML's
own representer writes (GOLDENPATH_OPTIMIZE=0), for the rendered tree and awkward data."""

from __future__ import annotations

import contextlib
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
    # what makes the direct layout (writer._emit) step aside, each deep in a document
    {"a": [{"b": {"c": "x\n\ny\n\n"}}]},  # keep-chomped block: `...` at the end of a document
    {"a": [{"b": {"c": "ü\u2028z"}}]},  # a Unicode line break continues on an indented line
    {"a": {"b": {"k" * 101: 1}}},
    {"a": {"b": ["x" * 20000]}},
]

# the direct layout itself: scalars of every kind in every position
DIRECT = {
    "seq": [["a", "b\nc"], [], {}, [{}], {"k": [1, {"m": "x\n\ny\n"}]}, " lead\nx", "tail \nspace", None, 1.5, False, -0.0, 0.0],
    "keys": {"yes": 1, "1": 2, "a: b": 3, "": 4, "ü": 5, "-dash": 6, "k" * 100: 7, "#": 8},
    "values": ["yes", "1", "a: b", "", "ü", "- x", "'q'", '"d"', "x" * 2000, "@at", "%p", "tab\there", "\x7f", "a\n\n b\n"],
    "nested": {"empty": {"inner": {}}, "lists": [[[]]], "deep": {"d": {"e": [{"f": ["g\nh", {"i": "j\n"}]}]}}},
}


def test_the_direct_layout_is_taken_and_written_as_pyyaml_writes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert writer._emit(DIRECT) == writer._dump(DIRECT)
    fast, reference = _both(DIRECT, monkeypatch)
    assert fast == reference


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
    direct = 0
    for doc in documents:
        fast, reference = _both(doc, monkeypatch)
        assert fast == reference
        with contextlib.suppress(writer._NotPlain):
            direct += writer._emit(doc) == reference
    assert direct > 0.95 * len(documents)  # nearly every file takes the direct layout


def test_a_block_ending_in_a_unicode_line_break_takes_pyyamls_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # libyaml ends this document with the U+2028 itself, not "\n": an assertion once failed here
    data = {"a": {"b": "\n0\u2028"}}
    fast, reference = _both(data, monkeypatch)
    assert fast == reference
    monkeypatch.setattr(writer, "_VALUES", {})
    with pytest.raises(writer._NotPlain):
        writer._value_text("\n0\u2028")
