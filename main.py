"""Terraform composition root for the cdktf CLI (`npx cdktf synth|list|deploy`).

The same guard and verifier as `make synth` (orchestration.synth.cdktf_app_synth): the committed
state inventory (dist/state-inventory.json) is the baseline, so `cdktf deploy` cannot deploy what
`make synth` refuses (ALLOW_DESTROY acknowledges, as for make synth). Only cdktf.out/ is
written; the GitOps tree and the inventory are `make synth`'s to publish.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from goldenpath import fastimport
from goldenpath.errors import ConfigError

fastimport.install()
sys.dont_write_bytecode = False  # cache compiled bindings even under PYTHONDONTWRITEBYTECODE (see goldenpath/entry.py)

from orchestration.synth import cdktf_app_synth  # noqa: E402


def main() -> int:
    try:
        return cdktf_app_synth(Path(os.environ.get("GOLDENPATH_CONFIG", "config")), Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
