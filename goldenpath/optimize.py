"""The project's one switch for speed work: ``GOLDENPATH_OPTIMIZE=0`` (or false/no/off) turns off
every optimisation — the verifier's shared indexes and memos (goldenpath/verify/optimize.py), the
render shortcuts (cdk8s_app/jsii_speed.py) and the no-op synth (orchestration/noop.py) — so a
suspected cache bug can be ruled out with one variable. Tests prove each side's output is the
same either way."""

from __future__ import annotations

import os

VARIABLE = "GOLDENPATH_OPTIMIZE"


def requested() -> bool:
    """The switch as the environment sets it now."""
    return os.environ.get(VARIABLE, "1").strip().lower() not in ("0", "false", "no", "off")
