"""Schema layer: every manifest validates against Kubernetes 1.33 (strict) or its pinned CRD;
a kind without a schema is itself a violation (kubernetes-validate's CLI would pass it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from goldenpath.schemas import quickly_valid, validate_manifest
from goldenpath.verify import optimize
from goldenpath.verify.artifacts import Artifacts
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation


@rule("schema", "schema")
def schema(a: Artifacts) -> Iterator[Violation]:
    """Objects the API server would reject (or silently prune) fail here, before a sync does."""
    memo: dict[str, list[str]] = {}
    for m in a.manifests:
        for error in _errors(m.obj, memo):
            yield Violation(m.file, m.ref, "schema", error)


def _errors(obj: dict[str, Any], memo: dict[str, list[str]]) -> list[str]:
    """validate_manifest, once per distinct object that is not quickly valid (the compiled twin,
    goldenpath.schemas: cheaper than the memo's key): a third of a generated tree's objects are
    byte-identical to another (the same ServiceMonitor, PDB or NetworkPolicy shape per env), and
    validation depends on nothing but the object."""
    if not optimize.enabled():
        return validate_manifest(obj)
    if quickly_valid(obj):
        return []
    try:
        key = json.dumps(obj, separators=(",", ":"))
    except (TypeError, ValueError):  # a YAML date or another non-JSON scalar: validate it as is
        return validate_manifest(obj)
    if key not in memo:
        memo[key] = validate_manifest(obj)
    return memo[key]
