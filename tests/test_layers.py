"""The layers import downward only: config -> kernel (goldenpath) -> renderers (stacks, cdk8s_app)
-> artifacts -> verifier (goldenpath.verify), with the orchestration (orchestration/) on top.

Read from the source with ``ast`` (every import, also those inside functions), so a lazy import
cannot slip through either."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

ENTRY_POINTS = {"goldenpath/__main__.py", "cdk8s_app/__main__.py", "main.py"}  # composition roots: may import anything
# package -> packages it must never import
FORBIDDEN = {
    "goldenpath": ("orchestration", "stacks", "cdk8s_app", "goldenpath.verify"),  # the kernel reads only the model
    "goldenpath/verify": ("orchestration", "stacks", "cdk8s_app"),  # the verifier reads only artifacts
    "stacks": ("orchestration", "cdk8s_app"),  # the renderers never read each other
    "cdk8s_app": ("orchestration", "stacks"),
}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _files(package: str) -> list[Path]:
    root = REPO / package
    nested = [p for p in FORBIDDEN if p != package and p.startswith(package + "/")]
    return [p for p in sorted(root.rglob("*.py")) if not any(p.is_relative_to(REPO / n) for n in nested) and str(p.relative_to(REPO)) not in ENTRY_POINTS]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package: str) -> None:
    wrong = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in _files(package)
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in FORBIDDEN[package] or any(module == f or module.startswith(f + ".") for f in FORBIDDEN[package])
    ]
    assert wrong == []


def test_rule_modules_import_the_registry_not_the_engine() -> None:
    for path in sorted((REPO / "goldenpath" / "verify").glob("*.py")):
        if path.name not in ("engine.py", "__init__.py"):
            assert "goldenpath.verify.engine" not in imported_modules(path), path.name


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    # GIVEN a kernel module that imports the orchestration THEN the walker finds it
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from orchestration.pipeline import publish\n")
    assert "orchestration.pipeline" in imported_modules(module)
