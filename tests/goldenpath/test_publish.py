"""Publishing (orchestration/publish.py): both halves or neither, and a read-only target ends in
one line with nothing changed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from orchestration import publish

REPO = Path(__file__).resolve().parents[2]


def _tree(root: Path, text: str) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "file.txt").write_text(text)
    return root


def test_replace_trees_swaps_every_pair_and_deletes_the_old_trees(tmp_path: Path) -> None:
    tf, gitops = _tree(tmp_path / "tf", "old tf"), _tree(tmp_path / "gitops", "old gitops")
    new_tf, new_gitops = _tree(tmp_path / "new-tf", "new tf"), _tree(tmp_path / "new-gitops", "new gitops")
    publish.replace_trees([(new_tf, tf), (new_gitops, gitops)])
    assert (tf / "sub" / "file.txt").read_text() == "new tf"
    assert (gitops / "sub" / "file.txt").read_text() == "new gitops"
    assert not new_tf.exists() and not new_gitops.exists()


def test_a_deleter_removes_the_previous_trees_in_the_background_and_reports_its_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN published trees replaced with a Deleter
    tf, gitops = _tree(tmp_path / "tf", "old tf"), _tree(tmp_path / "gitops", "old gitops")
    new_tf, new_gitops = _tree(tmp_path / "new-tf", "new tf"), _tree(tmp_path / "new-gitops", "new gitops")
    deleted: list[Path] = []
    delete_tree = publish._delete_tree
    monkeypatch.setattr(publish, "_delete_tree", lambda path, *rest: (deleted.append(Path(path)), delete_tree(path, *rest)))
    with publish.deleting() as deleter:
        assert deleter is not None
        publish.replace_trees([(new_tf, tf), (new_gitops, gitops)], deleter)
        # THEN the new trees are in place at once
        assert (gitops / "sub" / "file.txt").read_text() == "new gitops"
    # AND when the block ends the previous trees (in the staging paths) are gone, in order
    assert deleted == [new_tf, new_gitops] and not new_tf.exists() and not new_gitops.exists()
    # AND a deletion that fails is raised when the block ends, not lost on the thread
    monkeypatch.setattr(publish, "_delete_tree", lambda path, *rest: (_ for _ in ()).throw(PermissionError(13, "Permission denied", str(path))))
    with pytest.raises(PermissionError), publish.deleting() as deleter:
        assert deleter is not None
        deleter.delete(tmp_path / "tf")
    # AND with optimisation off the trees are deleted before replace_trees returns
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    with publish.deleting() as deleter:
        assert deleter is None


def test_a_tree_is_deleted_by_many_unlinkers_without_following_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a tree of nested directories and files, with links to a directory and a file outside it
    outside = _tree(tmp_path / "outside", "keep me")
    root = tmp_path / "old"
    for env in ("dev", "prod"):
        for app in range(30):
            (root / env / "workloads" / f"app-{app}").mkdir(parents=True)
            for name in ("deployment.yaml", "service.yaml"):
                (root / env / "workloads" / f"app-{app}" / name).write_text(name)
    (root / "dev" / "empty").mkdir()
    (root / "top.yaml").write_text("x")
    (root / "dev" / "linked-dir").symlink_to(outside, target_is_directory=True)
    (root / "dev" / "linked-file").symlink_to(outside / "sub" / "file.txt")
    # WHEN deleted, the files split between 8 unlinkers
    unlinked: list[int] = []
    unlink_all = publish._unlink_all
    monkeypatch.setattr(publish, "_unlink_all", lambda paths: (unlinked.append(len(paths)), unlink_all(paths)))
    with ThreadPoolExecutor(8) as pool:
        publish._delete_tree(root, pool, 8)
    # THEN it is gone, what its links pointed to is not, and the work was shared
    assert not root.exists()
    assert (outside / "sub" / "file.txt").read_text() == "keep me"
    assert len(unlinked) == 8 and sum(unlinked) == 2 * 30 * 2 + 3
    # AND when unlinking fails midway, rmtree deletes the rest (or raises what stops it)
    root.mkdir()
    (root / "a").mkdir()
    (root / "a" / "file").write_text("x")
    monkeypatch.setattr(publish, "_unlink_all", lambda paths: (_ for _ in ()).throw(OSError(16, "Device or resource busy")))
    with ThreadPoolExecutor(2) as pool:
        publish._delete_tree(root, pool, 2)
    assert not root.exists()


def test_a_failed_second_swap_puts_the_first_tree_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN published trees, and a GitOps swap that fails (after the Terraform one succeeded)
    tf, gitops = _tree(tmp_path / "tf", "old tf"), _tree(tmp_path / "gitops", "old gitops")
    new_tf, new_gitops = _tree(tmp_path / "new-tf", "new tf"), _tree(tmp_path / "new-gitops", "new gitops")
    exchange = publish._exchange
    calls: list[Path] = []

    def failing(a: Path, b: Path) -> None:
        calls.append(b)
        if b == gitops:
            raise OSError(28, "No space left on device", str(b))
        exchange(a, b)

    monkeypatch.setattr(publish, "_exchange", failing)
    # WHEN both are published THEN the error propagates and both targets hold the old trees
    with pytest.raises(OSError, match="No space left"):
        publish.replace_trees([(new_tf, tf), (new_gitops, gitops)])
    assert calls == [tf, gitops, tf]  # the Terraform swap was undone
    assert (tf / "sub" / "file.txt").read_text() == "old tf"
    assert (gitops / "sub" / "file.txt").read_text() == "old gitops"
    assert (new_tf / "sub" / "file.txt").read_text() == "new tf"  # staging keeps the new tree for the caller to delete


def _user_namespaces() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _user_namespaces(), reason="needs unprivileged user namespaces (unshare -rm) to mount a read-only filesystem")
def test_a_read_only_target_ends_in_one_line_exit_1_and_changes_nothing(synthesized: Path, tmp_path: Path) -> None:
    # GIVEN published outputs on a filesystem that is then remounted read-only (a real EROFS:
    # root ignores permission bits, so chmod could not show it)
    mount = tmp_path / "ro"
    mount.mkdir()
    script = f"""
set -e
mount -t tmpfs tmpfs {mount}
cp -r {synthesized}/cdktf.out {synthesized}/gitops {mount}/
mount -o remount,ro {mount}
code=0
{sys.executable} -m goldenpath synth --config {REPO / "config"} --terraform-out {mount}/cdktf.out --gitops-out {mount}/gitops \\
  --platform-doc {mount}/PLATFORM.md --force || code=$?
diff -r {synthesized}/cdktf.out {mount}/cdktf.out >&2 && diff -r {synthesized}/gitops {mount}/gitops >&2 || exit 9
exit $code
"""
    # WHEN synth runs THEN one line naming the cause, exit 1, and the trees are as they were (else 9)
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if not line.startswith("...")]
    assert errors == [f"synth: cannot write the outputs: Read-only file system ({mount}). Nothing was published."], done.stderr
