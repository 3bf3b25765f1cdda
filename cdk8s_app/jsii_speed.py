"""Fewer and cheaper jsii round trips while the GitOps tree is built; the output is unchanged.

Every construct, prop struct and ``X.from_string(...)`` is a call into the node process, and the
generated bindings type-check every argument with typeguard on the Python side. At 100 apps
that was ~50,000 round trips and ~300,000 typeguard checks. Inside :func:`fast_jsii`:

* the value factories of union types (``IntOrString``, ``Quantity``, PromQL ``expr``) are
  memoised by value: the JS objects they return are immutable (``readonly value``) and are only
  read when an object is serialised, so one instance can back every object that uses the value;
* structs (props) are serialised from their ``_values`` dict instead of through each property
  getter (goldenpath/jsii_structs.py, which the Terraform half uses too); the request sent to
  node is the same;
* jsii's runtime typeguard checks are skipped (the generated code calls
  ``jsii._type_checking.check_type``, which dispatches to ``_resolved_check``; the policy is
  goldenpath/binding_checks.checks_kept, shared with the Terraform half). Under pytest they
  stay on, so tests still catch a wrong prop type.

``GOLDENPATH_OPTIMIZE=0`` (the project's one switch for optimisations, shared with the verifier)
turns all of this off, as well as the other render shortcuts that ask :func:`enabled`;
``tests/cdk8s_app/test_render_identity.py`` proves both ways write the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jsii._type_checking as _type_checking

from cdk8s_app import batching
from goldenpath import binding_checks, jsii_structs, optimize

# Union-of-scalars classes whose factories return immutable value holders (batching's list).
VALUE_FACTORIES: tuple[tuple[type, str], ...] = tuple((cls, name) for cls in batching.VALUE_CLASSES for name in ("from_string", "from_number"))


def enabled() -> bool:
    """False when ``GOLDENPATH_OPTIMIZE`` is 0/false/no/off (goldenpath/optimize.py)."""
    return optimize.requested()


def _memoised(cls: type, original: Callable[..., Any], cache: dict[tuple[Any, ...], Any]) -> classmethod:  # type: ignore[type-arg]
    func = original.__func__  # type: ignore[attr-defined]

    def factory(klass: type, value: Any) -> Any:
        key = (klass, func.__name__, type(value), value)  # 1 and 1.0 and True stay apart
        if key not in cache:
            cache[key] = func(klass, value)
        return cache[key]

    factory.__name__ = func.__name__
    factory.__doc__ = func.__doc__
    return classmethod(factory)


def _materialise_recorded(value: Any) -> None:
    if (batch := batching.active()) is not None:
        batch.materialise(value)  # a recorded construct passed to a real call exists first


# Structs from their ``_values`` (goldenpath/jsii_structs.py), recorded constructs made real first.
_original_make_reference = jsii_structs.ORIGINAL
_make_reference_for_native = jsii_structs.serialiser(_materialise_recorded)


_active = False


@contextmanager
def fast_jsii() -> Iterator[None]:
    """Apply the shortcuts above for the duration of a render (re-entrant: an inner use, e.g.
    ``build`` inside ``render_files``, runs inside the outer one; restored on exit)."""
    global _active
    if not enabled() or _active:
        yield
        return
    _active = True
    saved_check = _type_checking._resolved_check
    saved = [(cls, name, cls.__dict__[name]) for cls, name in VALUE_FACTORIES]
    cache: dict[tuple[Any, ...], Any] = {}
    try:
        if not binding_checks.checks_kept():
            _type_checking._resolved_check = binding_checks.no_check
        for cls, name, original in saved:
            setattr(cls, name, _memoised(cls, original, cache))
        with jsii_structs.installed(_make_reference_for_native), batching.batching():
            yield
    finally:
        _active = False
        _type_checking._resolved_check = saved_check
        for cls, name, original in saved:
            setattr(cls, name, original)
