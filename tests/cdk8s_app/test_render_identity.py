"""The render shortcuts (cdk8s_app.jsii_speed, the Section's own App and one read per Section),
the Terraform half's (stacks/attributes.py) and the jsii runtime's patches
(goldenpath/fastimport.py's RUNTIME_PATCHES) change jsii's work, never output:
``GOLDENPATH_OPTIMIZE=0`` and the default write the same GitOps tree, byte for byte, for the
default config and for 100 generated apps (one env of them: the envs of a config differ only in
values, which the default config's three envs compare), and the same stacks for the 100 apps
(the default platform's stacks: tests/test_fastimport.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.configs import make_config
from tests.conftest import REPO

TERRAFORM = """
import sys
from pathlib import Path
from goldenpath import fastimport
fastimport.install()
from goldenpath.config import load_config
from stacks.app import build_app
build_app(load_config(Path(sys.argv[1])), outdir=sys.argv[2]).synth()
"""
# The GitOps tree of some envs only (the render the synth's children run).
GITOPS_ENVS = """
import sys
from pathlib import Path
from goldenpath import fastimport
fastimport.install()
from cdk8s_app.app import render
from goldenpath.config import load_config
render(load_config(Path(sys.argv[1])), Path(sys.argv[2]), sys.argv[3:])
"""


def _render_both(config_dir: Path, tmp_path: Path, terraform: bool, envs: list[str] | None = None) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The GitOps tree (as `python -m cdk8s_app` renders it; with ``envs``, only theirs) and, with ``terraform``, the stacks
    (as synth builds them) with ``GOLDENPATH_OPTIMIZE`` on and off (the render shortcuts and the
    attribute memo, stacks/attributes.py), each in a process of its own, outside pytest (so the
    optimised runs also skip jsii's type checks: the production path), all at once. The lazy
    provider imports change which modules load, not what is built: tests/test_fastimport.py
    compares the whole default platform with them off (and the memo off), so they stay on here."""
    procs = []
    for optimize in ("1", "0"):
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        env["GOLDENPATH_OPTIMIZE"] = optimize
        out = tmp_path / f"optimize-{optimize}"
        out.mkdir()  # cdktf creates only its own outdir, and the GitOps process may not have made this yet
        gitops = ["-m", "cdk8s_app", "--config", str(config_dir), "--out", str(out / "gitops")] if envs is None else ["-c", GITOPS_ENVS, str(config_dir), str(out / "gitops"), *envs]
        procs.append(subprocess.Popen([sys.executable, *gitops], cwd=REPO, env=env))
        if terraform:
            procs.append(subprocess.Popen([sys.executable, "-O", "-c", TERRAFORM, str(config_dir), str(out / "cdktf.out")], cwd=REPO, env=env))
    for proc in procs:
        assert proc.wait(timeout=600) == 0
    trees = []
    for optimize in ("1", "0"):
        out = tmp_path / f"optimize-{optimize}"
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    return trees[0], trees[1]


def _assert_identical(config_dir: Path, tmp_path: Path, terraform: bool = False, envs: list[str] | None = None) -> None:
    fast, reference = _render_both(config_dir, tmp_path, terraform, envs)
    assert any(p.startswith("gitops/") for p in reference)
    assert envs is None or {p.split("/")[1] for p in reference if p.startswith("gitops/")} == set(envs)
    assert any(p.endswith("cdk.tf.json") for p in reference) == terraform
    assert sorted(fast) == sorted(reference)
    assert [p for p in reference if fast[p] != reference[p]] == []


@pytest.mark.slow
def test_default_config_renders_identically(tmp_path: Path) -> None:
    _assert_identical(REPO / "config", tmp_path)  # its stacks: tests/test_fastimport.py


@pytest.mark.slow
def test_hundred_apps_render_identically(tmp_path: Path) -> None:
    # prod: its tree is as large as each other env's (1,697 files at 100 apps); the unoptimised
    # render of all three took 48 s of the suite's time alone
    _assert_identical(make_config(tmp_path / "config", 100), tmp_path, terraform=True, envs=["prod"])


# ---- the pieces, in process ----


def test_struct_serialisation_equals_jsii() -> None:
    import jsii._kernel as kernel
    from cdk8s_plus_33 import k8s

    from cdk8s_app import jsii_speed

    spec = k8s.DeploymentSpec(
        replicas=2,
        selector=k8s.LabelSelector(match_labels={"a": "b"}),
        template=k8s.PodTemplateSpec(
            metadata=k8s.ObjectMeta(labels={"a": "b"}),
            spec=k8s.PodSpec(containers=[k8s.Container(name="c", image="i", ports=[k8s.ContainerPort(container_port=80)])]),
        ),
    )
    args = ["id", spec, {"nested": [spec, None, 1, 1.5, True, "s"]}]
    assert jsii_speed._make_reference_for_native(kernel.Kernel(), args) == jsii_speed._original_make_reference(kernel.Kernel(), args)
    assert kernel._make_reference_for_native is jsii_speed._original_make_reference  # untouched outside a render


def test_value_factories_are_memoised_and_restored() -> None:
    from cdk8s_plus_33 import k8s

    from cdk8s_app import jsii_speed

    original = k8s.IntOrString.__dict__["from_string"]
    with jsii_speed.fast_jsii():
        assert k8s.IntOrString.from_string("http") is k8s.IntOrString.from_string("http")
        assert k8s.IntOrString.from_number(1) is not k8s.IntOrString.from_number(1.5)
        assert k8s.IntOrString.from_string("http").value == "http"
    assert k8s.IntOrString.__dict__["from_string"] is original


def test_type_checks_stay_on_under_pytest() -> None:
    from cdk8s_plus_33 import k8s

    from cdk8s_app import jsii_speed

    with jsii_speed.fast_jsii(), pytest.raises(TypeError):
        k8s.ObjectMeta(name=3)  # type: ignore[arg-type]


def test_switch_turns_everything_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import jsii._kernel as kernel
    import jsii._type_checking as type_checking
    from cdk8s_plus_33 import k8s

    from cdk8s_app import jsii_speed

    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    check = type_checking._resolved_check
    with jsii_speed.fast_jsii():
        assert kernel._make_reference_for_native is jsii_speed._original_make_reference
        assert type_checking._resolved_check is check
        assert k8s.IntOrString.from_string("http") is not k8s.IntOrString.from_string("http")
