"""A Terraform resource's read-only attributes are read through jsii once per object.

Every read of ``role.arn`` is a round trip to node (~0.35 ms), which answers with a new token
for the same expression (``${aws_iam_role.x.arn}``); a 100-app platform read 2,236 attributes of
which 1,331 were distinct (``arn`` alone repeated 719 times). Within :func:`remembered` the first
answer for (object, attribute) is kept and given again. The synthesized JSON cannot tell: a token
stands for its expression, and cdktf keys a cross-stack output by the expression too
(``TerraformStack.registerOutgoingCrossStackReference`` returns the output already made for the
same identifier), so reading it once or a hundred times makes the same outputs.

Only the read-only attributes a provider's generated resource or data source class declares (a
getter without a setter, not an ``*Input`` getter) are remembered: their getters return the
attribute's reference or an output-reference object made once in the constructor; a settable
property, anything cdktf's base classes declare and any other class still reach node every time.
``GOLDENPATH_OPTIMIZE=0`` turns it off; the synthesized stacks are compared both ways for the
default platform (tests/test_fastimport.py) and 100 generated apps
(tests/cdk8s_app/test_render_identity.py); what is remembered: tests/stacks/test_attributes.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsii
from cdktf import TerraformDataSource, TerraformResource

from goldenpath import optimize

REMEMBERED_CLASSES = (TerraformResource, TerraformDataSource)
PROVIDER_MODULES = "cdktf_cdktf_provider_"  # the generated bindings; cdktf's own classes are not


def _readonly(klass: type) -> frozenset[str]:
    """The jsii names of the attributes a provider's generated class declares without a setter
    (``arn``, ``endpoint``, ``identity``...). Not its ``*Input`` getters (they return the input as
    set so far) and nothing cdktf's base classes declare (``rawOverrides``, meta-arguments...)."""
    names: set[str] = set()
    excluded: set[str] = set()  # settable, or an input getter, somewhere in the MRO
    for base in klass.__mro__:
        if not base.__module__.startswith(PROVIDER_MODULES):
            continue
        for value in vars(base).values():
            if isinstance(value, property) and value.fget is not None:
                jsii_name = getattr(value.fget, "__jsii_name__", None)
                if jsii_name is None:
                    continue
                (names if value.fset is None and not jsii_name.endswith("Input") else excluded).add(jsii_name)
    return frozenset(names - excluded)


class _Memo:
    def __init__(self, get: Any) -> None:
        self.get = get
        self.readonly: dict[type, frozenset[str]] = {}
        self.values: dict[int, tuple[Any, dict[str, Any]]] = {}  # id(obj) -> (obj kept alive, its answers)
        self.stats = {"asked": 0, "sent": 0}

    def __call__(self, obj: Any, prop: str) -> Any:
        self.stats["asked"] += 1
        klass = type(obj)
        readonly = self.readonly.get(klass)
        if readonly is None:
            readonly = self.readonly[klass] = _readonly(klass) if issubclass(klass, REMEMBERED_CLASSES) else frozenset()
        if prop not in readonly:
            self.stats["sent"] += 1
            return self.get(obj, prop)
        entry = self.values.get(id(obj))
        if entry is None:
            entry = self.values[id(obj)] = (obj, {})
        answers = entry[1]
        if prop not in answers:
            self.stats["sent"] += 1
            answers[prop] = self.get(obj, prop)
        return answers[prop]


@contextmanager
def remembered() -> Iterator[dict[str, int]]:
    """Within the block, read-only attributes of resources and data sources are read once; yields
    counts (``asked``, ``sent``). Re-entrant; a no-op when optimisations are off."""
    if not optimize.requested() or isinstance(jsii.get, _Memo):
        yield {"asked": 0, "sent": 0}
        return
    memo = _Memo(jsii.get)
    jsii.get = memo
    try:
        yield memo.stats
    finally:
        jsii.get = memo.get
