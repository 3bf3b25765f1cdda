"""`make synth` keeps the tool's own exit code (GNU make can only exit 0, 1 or 2)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_make_synth_records_the_guard_exit_code_3(config_copy: Path, tmp_path: Path) -> None:
    # GIVEN a config that drops an app with a database (the destroy guard refuses: exit 3)
    (config_copy / "apps" / "orders.yaml").unlink()
    exit_file = tmp_path / "synth.exit"
    before = subprocess.run(["git", "status", "--porcelain", "dist", "cdktf.out"], cwd=REPO, capture_output=True, text=True).stdout
    # WHEN make synth runs on it
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    done = subprocess.run(
        ["make", "--no-print-directory", "synth", f"CONFIG={config_copy}", f"SYNTH_EXIT={exit_file}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    # THEN make fails (its own code is 2), the tool's code 3 is printed and kept, nothing was written
    assert done.returncode == 2, done.stderr
    assert exit_file.read_text().strip() == "3"
    assert f"make synth: goldenpath exited 3 (see {exit_file})" in done.stderr
    assert "synth refused: this change would destroy or replace state" in done.stderr
    assert subprocess.run(["git", "status", "--porcelain", "dist", "cdktf.out"], cwd=REPO, capture_output=True, text=True).stdout == before
