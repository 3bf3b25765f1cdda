"""goldenpath.trees: what the renderer remembers of the files it wrote is exactly what parsing
them gives (values and key order), and the synth then reads its staged tree without parsing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cdk8s_app import writer
from goldenpath import digests, trees
from goldenpath.config import load_config
from tests.conftest import REPO

AWKWARD = {
    "zeta": 1,
    "alpha": {"b": [1, 2.5, -3, 0.0001, 1e20], "a": None, "c": True, "empty": {}, "none": []},
    "strings": ["yes", "no", "on", "null", "~", "1.0", "0x1F", "2024-01-01", "12:30", "", " lead", "trail ", "a: b", "- x", "#c", "*a", "multi\nline\n", "tab\tx", "ünïcödé ✓", "😀", "\u2028", "\x7f"],
    "nested": [{"y": 1, "x": [{"k": "v"}]}],
}


def _ordered(value: Any) -> str:
    return json.dumps(value)  # key order included


def test_parsed_form_is_what_parsing_the_written_yaml_gives() -> None:
    parsed = yaml.load(writer.dump(AWKWARD), Loader=yaml.SafeLoader)
    assert _ordered(trees.parsed_form(AWKWARD)) == _ordered(parsed)


def test_parsed_form_refuses_what_it_cannot_vouch_for() -> None:
    with pytest.raises(TypeError):
        trees.parsed_form({1: "int key"})
    with pytest.raises(TypeError):
        trees.parsed_form({"a": object()})


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[bytes, list[Any]]]]:
    from cdk8s_app.app import render

    out = tmp_path_factory.mktemp("gitops")
    return out, render(load_config(REPO / "config"), out)


def test_the_render_remembers_every_file_as_it_parses(rendered: tuple[Path, dict[str, tuple[bytes, list[Any]]]]) -> None:
    out, written = rendered
    files = sorted(str(p) for p in out.rglob("*") if p.is_file())
    assert sorted(written) == files
    for path, (digest, documents) in written.items():
        data = Path(path).read_bytes()
        assert digest == digests.content_digest(data)
        assert _ordered(documents) == _ordered([d for d in yaml.load_all(data.decode(), Loader=yaml.SafeLoader) if d is not None]), path


def test_remembered_files_are_not_parsed_and_equal_bytes_are_parsed_once(
    rendered: tuple[Path, dict[str, tuple[bytes, list[Any]]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, written = rendered
    for path, (digest, documents) in written.items():
        trees.remember(Path(path), digest, documents)
    some = sorted(written)[0]
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(Path(some).read_bytes())

    def no_parse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("parsed")

    monkeypatch.setattr(yaml, "load_all", no_parse)
    assert trees.documents(Path(some)) is written[some][1]
    assert trees.documents(copy) is written[some][1]  # same bytes elsewhere (the published tree)
    Path(copy).write_text("changed: true\n")
    with pytest.raises(AssertionError, match="parsed"):
        trees.documents(copy)  # a changed file is read again


def test_optimisation_off_remembers_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cdk8s_app.app import render

    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    assert render(load_config(REPO / "config"), tmp_path / "gitops") == {}


def test_the_manifest_walk_lists_what_rglob_and_is_file_list_in_their_order(tmp_path: Path) -> None:
    # GIVEN a tree with the awkward cases: a name sorting differently as a string and as parts,
    # a link to a file, a link to a directory, a broken link, a dotfile named like a suffix
    root = tmp_path / "gitops"
    for rel in ("dev/a-b/x.yaml", "dev/a/x.yaml", "dev/a/y.json", "dev/a/z.txt", "dev/values/v.yml", "dev/.yaml", "top.yaml", "real/r.yaml"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("{}\n")
    (root / "dev/linked.yaml").symlink_to(root / "top.yaml")
    (root / "dev/linked-dir").symlink_to(root / "real", target_is_directory=True)
    (root / "dev/broken.yaml").symlink_to(root / "missing.yaml")
    # WHEN walked THEN the result is the rglob walk's (links to directories not followed)
    expected = [p.relative_to(root).parts for p in sorted(root.rglob("*")) if p.suffix in trees.MANIFEST_SUFFIXES and p.is_file()]
    assert [parts for parts, _ in trees.manifest_candidates(root)] == expected
    assert all(path == str(root.joinpath(*parts)) for parts, path in trees.manifest_candidates(root))
    assert all(rel == str(path.relative_to(root)) and env == rel.split("/")[0] for env, path, rel, _ in trees.gitops_files(root))
    assert ("dev", "linked.yaml") in expected and ("dev", "a-b", "x.yaml") in expected and not any("linked-dir" in e for e in expected)


def test_an_embedded_yaml_string_parses_as_safe_load_parses_it_and_bad_yaml_still_raises() -> None:
    # GIVEN Helm values text as the generator embeds it (nested maps, lists, quoted and typed scalars)
    text = 'applications:\n  web:\n    ports: [80, 443]\n    enabled: true\n    note: "a: b"\n    empty:\n'
    # WHEN parsed by the tree's loader THEN it is what yaml.safe_load makes of it
    assert trees.parse_text(text) == yaml.safe_load(text) == {"applications": {"web": {"ports": [80, 443], "enabled": True, "note": "a: b", "empty": None}}}
    # AND malformed text is still a YAMLError (the callers that skip bad values catch exactly that)
    with pytest.raises(yaml.YAMLError):
        trees.parse_text("a: [1, 2\n")
