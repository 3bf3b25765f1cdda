"""The no-op synth (orchestration/noop.py): "no changes" without jsii, and never a stale answer.

One real synth is recorded; every input the key covers is then changed on its own and must
make the answer "changed" (the fast path can only fall back to the real synth)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goldenpath import digests
from orchestration import noop
from orchestration.cli import main
from orchestration.outputs import synth_outputs

REPO = Path(__file__).resolve().parents[2]


def _args(root: Path, config: Path) -> list[str]:
    return ["synth", "--config", str(config), "--terraform-out", str(root / "cdktf.out"), "--gitops-out", str(root / "gitops"),
            "--platform-doc", str(root / "PLATFORM.md")]


def _outputs(root: Path) -> list[Path]:
    return synth_outputs(root / "cdktf.out", root / "gitops", root / "PLATFORM.md", None)


def _arguments(root: Path, config: Path) -> dict[str, object]:
    return {"config": config.absolute(), "outputs": [o.absolute() for o in _outputs(root)]}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A published synth of a private config copy, with its stamp."""
    root = tmp_path_factory.mktemp("noop")
    config = root / "config"
    shutil.copytree(REPO / "config", config)
    assert main(_args(root, config)) == 0
    assert noop.stamp_path(_arguments(root, config)).is_file()
    return root, config


def test_second_synth_answers_no_changes_without_starting_jsii(recorded: tuple[Path, Path]) -> None:
    root, config = recorded
    probe = (
        "import sys; from orchestration.cli import main; "
        f"code = main({_args(root, config)!r}); "
        "print('jsii loaded' if 'jsii' in sys.modules else 'no jsii'); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "synth: no changes" in done.stdout
    assert "no jsii" in done.stdout
    assert "put-secret-value" in done.stdout  # the secrets to fill in are repeated


def test_check_mode_answers_from_the_stamp_too(recorded: tuple[Path, Path]) -> None:
    root, config = recorded
    assert main([*_args(root, config), "--check"]) == 0


def test_key_is_stable_and_matches_the_recorded_outputs(recorded: tuple[Path, Path]) -> None:
    root, config = recorded
    arguments = _arguments(root, config)
    key = noop.input_key(config, arguments)
    assert key == noop.input_key(config, arguments)
    assert noop.unchanged(key, _outputs(root), noop.stamp_path(arguments)) is not None


def test_the_stamp_takes_the_renders_digests_and_they_are_the_files_digests(recorded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the trees a synth in this process just published
    root, _ = recorded
    reads: list[str] = []
    read = digests.file_digest
    monkeypatch.setattr(digests, "file_digest", lambda path, size: reads.append(str(path)) or read(path, size))
    # WHEN the stamp's digest of the outputs is taken THEN no GitOps file is read again (the render
    # hashed each one as it wrote it)
    remembered = noop.tree_digest(_outputs(root))
    assert not [path for path in reads if "/gitops/" in path]
    # AND reading every file gives the same digest
    monkeypatch.setattr(digests, "_known", {})
    assert noop.tree_digest(_outputs(root)) == remembered
    assert len([path for path in reads if "/gitops/" in path]) > 300


@pytest.mark.parametrize("edit", ["change", "delete", "add"])
def test_any_edit_of_an_output_means_changed(recorded: tuple[Path, Path], tmp_path: Path, edit: str) -> None:
    source, config = recorded
    root = tmp_path / "copy"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("config"))
    stamp = tmp_path / "stamp.json"
    key = noop.input_key(config, _arguments(root, config))
    noop.record(key, _outputs(root), "", stamp)
    assert noop.unchanged(key, _outputs(root), stamp) is not None
    target = root / "gitops" / "dev" / "kustomization.yaml"
    if edit == "change":
        target.write_text(target.read_text() + "# edited\n")
    elif edit == "delete":
        target.unlink()
    else:
        (root / "cdktf.out" / "stacks" / "extra.json").write_text("{}")
    assert noop.unchanged(key, _outputs(root), stamp) is None


def test_every_input_changes_the_key(recorded: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, source_config = recorded
    config = tmp_path / "config"
    shutil.copytree(source_config, config)
    code = tmp_path / "code"
    (code / "pkg").mkdir(parents=True)
    (code / "pkg" / "module.py").write_text("X = 1\n")
    (code / "charts.lock").write_text("charts: []\n")
    crds, charts = tmp_path / "crds", tmp_path / "charts"
    shutil.copytree(os.environ["GOLDENPATH_CRDS"], crds)
    charts.mkdir()
    (charts / "chart-1.0.0.tgz").write_bytes(b"archive")
    monkeypatch.setenv("GOLDENPATH_CRDS", str(crds))
    monkeypatch.setenv("GOLDENPATH_CHARTS", str(charts))
    arguments = _arguments(root, config)
    roots = [code / "pkg", code / "charts.lock"]

    def key() -> str:
        return noop.input_key(config, arguments, code=roots)

    seen = {key()}

    def changed() -> None:
        now = key()
        assert now not in seen, "this input does not reach the key"
        seen.add(now)

    (config / "apps" / "sample-stateless.yaml").write_text((config / "apps" / "sample-stateless.yaml").read_text() + "\n# edit\n")
    changed()
    (config / "apps" / "new.yaml").write_text("name: new\n")
    changed()
    (code / "pkg" / "module.py").write_text("X = 2\n")
    changed()
    (code / "charts.lock").write_text("charts: [x]\n")
    changed()
    crd = next(p for p in sorted(crds.rglob("*")) if p.is_file())
    crd.write_bytes(crd.read_bytes() + b"\n")
    changed()
    (charts / "chart-1.0.0.tgz").write_bytes(b"other archive")
    changed()
    monkeypatch.setenv("GOLDENPATH_EAGER_IMPORTS", "1")
    changed()
    fake_site = tmp_path / "site"
    (fake_site / "extra-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(fake_site))
    changed()
    arguments["config"] = tmp_path / "elsewhere"
    changed()
    # What does not shape the output leaves it alone.
    before = key()
    monkeypatch.setenv("GOLDENPATH_TIMINGS", str(tmp_path / "t.json"))
    assert key() == before


def test_the_key_covers_every_installed_package_and_lock_file() -> None:
    roots = {p.relative_to(REPO).as_posix() for p in noop.code_roots()}
    assert {"goldenpath", "orchestration", "stacks", "cdk8s_app", "imports", "main.py"} <= roots
    assert {"requirements.lock", "package-lock.json", "charts.lock", "shared.lock", "pyproject.toml", "cdktf.json"} <= roots
    assert all((REPO / r).exists() for r in roots)


def test_a_synth_that_fails_leaves_no_stamp(config_copy: Path, tmp_path: Path) -> None:
    (config_copy / "apps" / "sample-stateless.yaml").write_text("name: [\n")
    assert main(_args(tmp_path, config_copy)) == 2
    assert not noop.stamp_path(_arguments(tmp_path, config_copy)).exists()


def test_optimize_off_and_force_skip_the_stamp(recorded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root, config = recorded
    stamp = noop.stamp_path(_arguments(root, config))
    recorded_stamp = json.loads(stamp.read_text())
    # GOLDENPATH_OPTIMIZE=0: the matching stamp is neither read nor written; the render runs
    from orchestration import synth

    rendered: list[bool] = []
    with monkeypatch.context() as patch:
        patch.setenv("GOLDENPATH_OPTIMIZE", "0")
        patch.setattr(noop, "input_key", lambda *a, **k: pytest.fail("the stamp was consulted"))
        patch.setattr(synth, "_run_synth", lambda *a, **k: rendered.append(True) or 0)
        assert main(_args(root, config)) == 0
    assert rendered == [True]
    assert "synth: no changes" not in capsys.readouterr().out
    # --force: the render runs, and the stamp is recorded again with the same key
    assert main([*_args(root, config), "--force"]) == 0
    out = capsys.readouterr().out
    assert "synth: no changes" not in out and "wrote" in out
    assert json.loads(stamp.read_text())["key"] == recorded_stamp["key"]  # re-recorded, same inputs


def test_a_fifo_or_a_link_to_dev_zero_in_the_config_is_never_read(config_copy: Path, tmp_path: Path) -> None:
    # GIVEN config files that would block (a FIFO) or never end (/dev/zero): the loaders reject them
    os.mkfifo(config_copy / "apps" / "fifo.yaml")
    arguments = _arguments(tmp_path, config_copy)
    # THEN the key is None (synth renders, and the loader reports the file) instead of hanging
    assert noop.input_key(config_copy, arguments) is None
    (config_copy / "apps" / "fifo.yaml").unlink()
    (config_copy / "apps" / "zero.yaml").symlink_to("/dev/zero")
    assert noop.input_key(config_copy, arguments) is None
