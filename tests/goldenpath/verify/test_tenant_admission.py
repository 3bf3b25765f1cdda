"""tenant-admission (goldenpath/verify/tenancy.py): each way the admission policy stops holding app
SecretStores to the tenant shape is reported by that rule alone. The CEL itself is evaluated in
tests/cdk8s_app/test_admission.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.goldenpath.verify.test_consistency import _rules, _set, edit_yaml

POLICY = "dev/platform/secret-store/validatingadmissionpolicy-goldenpath-tenant-secret-stores.yaml"
BINDING = "dev/platform/secret-store/validatingadmissionpolicybinding-goldenpath-tenant-secret-stores.yaml"


def _remove(rel: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / "gitops" / rel).unlink()
        kustomization = root / "gitops" / "dev" / "kustomization.yaml"
        kustomization.write_text(
            "".join(line for line in kustomization.read_text().splitlines(keepends=True) if rel.removeprefix("dev/") not in line)
        )

    return change


def _spec(rel: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    return lambda root: edit_yaml(root, rel, lambda obj: change(obj["spec"]))


VARIANTS: dict[str, Callable[[Path], None]] = {
    "no policy": _remove(POLICY),
    "no binding": _remove(BINDING),
    "binding only warns": lambda r: edit_yaml(r, BINDING, _set(["spec", "validationActions"], ["Warn", "Audit"])),
    "binding narrowed to labelled namespaces": lambda r: edit_yaml(
        r, BINDING, _set(["spec", "matchResources"], {"namespaceSelector": {"matchLabels": {"x": "y"}}})
    ),
    "failurePolicy Ignore": lambda r: edit_yaml(r, POLICY, _set(["spec", "failurePolicy"], "Ignore")),
    "object selector (the writer's own labels)": lambda r: edit_yaml(
        r, POLICY, _set(["spec", "matchConstraints", "objectSelector"], {"matchLabels": {"goldenpath.io/team": "team-commerce"}})
    ),
    "CREATE only": lambda r: edit_yaml(r, POLICY, _set(["spec", "matchConstraints", "resourceRules", 0, "operations"], ["CREATE"])),
    "one namespace only": lambda r: edit_yaml(
        r, POLICY, _set(["spec", "matchConditions", 0, "expression"], 'request.namespace == "apps-orders"')
    ),
    "another account's tenant role": lambda r: edit_yaml(
        r, POLICY, _set(["spec", "variables", 0, "expression"], '"arn:aws:iam::111111111111:role/goldenpath-dev-tenant-secrets"')
    ),
    "another tag key": lambda r: edit_yaml(r, POLICY, _set(["spec", "variables", 1, "expression"], '"Team"')),
    "role validation dropped": _spec(
        POLICY, lambda spec: spec.update(validations=[v for v in spec["validations"] if "tenantRole" not in v["expression"]])
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_admission_gap_is_reported_by_tenant_admission(artifact_copy: Path, variant: str) -> None:
    # GIVEN the real artifacts WHEN the admission policy or its binding is weakened one way
    VARIANTS[variant](artifact_copy)
    # THEN tenant-admission, and only it, reports
    found = _rules(artifact_copy)
    assert set(found) == {"tenant-admission"}, found
