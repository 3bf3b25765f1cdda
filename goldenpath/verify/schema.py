"""Schema layer: every manifest validates against Kubernetes 1.33 (strict) or its pinned CRD;
a kind without a schema is itself a violation (kubernetes-validate's CLI would pass it)."""

from __future__ import annotations

from collections.abc import Iterator

from goldenpath.schemas import validate_manifest
from goldenpath.verify.artifacts import Artifacts
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation


@rule("schema", "schema")
def schema(a: Artifacts) -> Iterator[Violation]:
    """Objects the API server would reject (or silently prune) fail here, before a sync does."""
    for m in a.manifests:
        for error in validate_manifest(m.obj):
            yield Violation(m.file, m.ref, "schema", error)
