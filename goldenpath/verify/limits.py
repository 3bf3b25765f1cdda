"""Kubernetes size limits that grow with the number of apps (issue 14).

Nothing the generator writes may grow past what the API server and etcd accept as the platform
grows: one object per app is fine, one object listing every app is not. At 2,000 apps the single
database provisioning Job reached 1,444,627 bytes, a few percent under etcd's 1.5 MiB request
limit; client-side apply already fails at 256 KiB (the last-applied annotation, like every
object's annotations together, is capped at 262,144 bytes).
"""

from __future__ import annotations

from collections.abc import Iterator

from goldenpath.trees import serialized_size
from goldenpath.verify.artifacts import Artifacts
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

MANIFEST_BUDGET = 262_144  # bytes of an object serialized as compact JSON (the API server's size)


@rule("manifest-size", "consistency")
def manifest_size(a: Artifacts) -> Iterator[Violation]:
    """Every object of the tree is at most 256 KiB serialized: bigger ones fail client-side apply
    (metadata.annotations: Too long) and approach etcd's 1.5 MiB limit, and an object that grows
    with the number of apps (a Job, AppProject or kustomization listing every app) crosses it
    one app at a time (issue 14: the provisioning Job was 1.4 MB at 2,000 apps)."""
    for m in a.manifests:
        size = serialized_size(m.obj)
        if size > MANIFEST_BUDGET:
            yield Violation(m.file, m.ref, "manifest-size", f"{size} bytes serialized (> {MANIFEST_BUDGET}, the per-manifest budget); split it into bounded objects")
