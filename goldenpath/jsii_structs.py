"""Structs sent to node from their ``_values`` (both halves; only when optimising).

jsii's own ``_make_reference_for_native`` reads every field of a struct through its generated
property getter, and each getter evaluates ``typing.cast(typing.Optional[...], ...)`` (~45,000
``typing.Optional`` constructions in a 100-app GitOps render). :func:`serialiser` reads
``_values`` (what those getters return) and sends the same request. The Terraform half's resource
configs are structs too: its 100-app construct took 1.60 s with jsii's encoder, 1.40 s with this
one, and wrote the same stacks. tests/goldenpath/test_jsii_structs.py compares the encodings;
the render identity tests compare both halves' output with it on and off.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jsii._kernel as _kernel

from goldenpath import optimize

ORIGINAL = _kernel._make_reference_for_native
_SCALARS = (int, type(None), str, float, bool, datetime.datetime)


def serialiser(before_original: Callable[[Any], None] | None = None) -> Callable[[Any, Any], Any]:
    """A ``_make_reference_for_native`` with struct fields read from ``_values``; anything else
    goes to jsii's own, after ``before_original(value)`` (cdk8s_app.batching creates a recorded
    construct there before it is passed to a real call)."""

    def make_reference(kernel: Any, d: Any) -> Any:
        if isinstance(d, dict):
            return {"$jsii.map": {k: make_reference(kernel, v) for k, v in d.items()}}
        if isinstance(d, list):
            return [make_reference(kernel, i) for i in d]
        if type(d) in _SCALARS:
            return d
        mapping = getattr(d, "__jsii_name_mapping__", None)  # set on structs only (jsii.data_type)
        values = getattr(d, "_values", None)
        if mapping is None or not isinstance(values, dict) or isinstance(d, enum.Enum) or getattr(d, "__jsii_type__", None) is None:
            if before_original is not None:
                before_original(d)
            return ORIGINAL(kernel, d)
        return {
            "$jsii.struct": {
                "fqn": d.__jsii_type__,
                "data": {jsii_name: make_reference(kernel, values.get(python_name)) for python_name, jsii_name in mapping.items()},
            }
        }

    return make_reference


@contextmanager
def installed(make_reference: Callable[[Any, Any], Any]) -> Iterator[None]:
    """``make_reference`` as jsii's encoder for the block (the kernel looks the function up as a
    module global on every call), the previous one back on exit."""
    previous = _kernel._make_reference_for_native
    _kernel._make_reference_for_native = make_reference  # type: ignore[assignment]
    try:
        yield
    finally:
        _kernel._make_reference_for_native = previous  # type: ignore[assignment]


@contextmanager
def structs_from_values() -> Iterator[None]:
    """jsii's kernel encodes with :func:`serialiser` in the block. A no-op with
    ``GOLDENPATH_OPTIMIZE=0`` or inside another encoder's block (cdk8s_app.jsii_speed's)."""
    if not optimize.requested() or _kernel._make_reference_for_native is not ORIGINAL:
        yield
        return
    with installed(serialiser()):
        yield
