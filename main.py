"""Terraform composition root for the cdktf CLI (`npx cdktf synth|list|deploy`).

`make synth` does not use this file: it runs `python -m goldenpath synth`, which builds the same
app in one process together with the GitOps tree. Both call stacks.app.build_app.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from goldenpath import fastimport
from goldenpath.errors import ConfigError

fastimport.install()
sys.dont_write_bytecode = False  # cache compiled bindings even under PYTHONDONTWRITEBYTECODE (see goldenpath/__main__.py)

from goldenpath.config import load_config  # noqa: E402
from stacks.app import build_app  # noqa: E402


def main() -> int:
    try:
        config = load_config(Path(os.environ.get("GOLDENPATH_CONFIG", "config")))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    app = build_app(config, outdir=os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
