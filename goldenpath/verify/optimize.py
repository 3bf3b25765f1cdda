"""The shared optimisation switch: ``GOLDENPATH_OPTIMIZE=0`` turns off every optimisation that
could change an answer if it were wrong (indexes shared across rules, memoised schema validation
of identical objects, ...). The verifier's report must be identical either way
(``tests/goldenpath/verify/test_scale.py`` proves it on a mutated tree); the switch exists so a
suspected cache bug can be ruled out with one environment variable.
"""

from __future__ import annotations

import os


def enabled() -> bool:
    return os.environ.get("GOLDENPATH_OPTIMIZE", "1").strip().lower() not in ("0", "false", "no", "off")
