"""The shared optimisation switch: ``GOLDENPATH_OPTIMIZE=0`` turns off every optimisation that
could change an answer if it were wrong (indexes shared across rules, memoised schema validation
of identical objects, parses reused across trees, ...). The verifier's report must be identical
either way (``tests/goldenpath/verify/test_scale.py`` proves it on a mutated tree); the switch
exists so a suspected cache bug can be ruled out with one environment variable.

The variable is read when a run starts (:func:`refresh`: ``engine.run``, ``artifacts.load``, the
change summary and the inventory call it), not per question: ``os.environ`` lookups cost ~20 µs,
which per object was a fifth of a rule's time.
"""

from __future__ import annotations

from goldenpath import optimize

_enabled = True


def refresh() -> bool:
    """Read ``GOLDENPATH_OPTIMIZE`` again (at the start of a run) and return the switch."""
    global _enabled
    _enabled = optimize.requested()
    return _enabled


def enabled() -> bool:
    return _enabled


refresh()
