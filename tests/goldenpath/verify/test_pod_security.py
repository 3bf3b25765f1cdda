"""goldenpath/verify/pod_security.py: the Pod Security Standards tables, case by case."""

from __future__ import annotations

from typing import Any

import pytest

from goldenpath.verify.pod_security import pod_spec, violations

RESTRICTED_CONTAINER = {
    "name": "app",
    "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
}


def _pod(**changes: Any) -> dict[str, Any]:
    return {"containers": [dict(RESTRICTED_CONTAINER, **changes.pop("container", {}))], **changes}


def test_a_restricted_pod_passes_every_level() -> None:
    for level in ("privileged", "baseline", "restricted"):
        assert violations(_pod(), level) == []


@pytest.mark.parametrize(
    ("pod", "message"),
    [
        (_pod(hostNetwork=True), "hostNetwork: true"),
        (_pod(hostPID=True), "hostPID: true"),
        (_pod(volumes=[{"name": "root", "hostPath": {"path": "/"}}]), "volume root: hostPath"),
        (_pod(container={"securityContext": {"privileged": True}}), "container app: privileged"),
        (_pod(container={"securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}), "container app: adds capabilities SYS_ADMIN"),
        (_pod(container={"ports": [{"containerPort": 80, "hostPort": 80}]}), "container app: hostPort 80"),
        (_pod(securityContext={"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}), "sysctl kernel.msgmax is not in the safe set"),
        (_pod(securityContext={"seccompProfile": {"type": "Unconfined"}}), "pod: seccompProfile Unconfined"),
    ],
)
def test_baseline_rejects(pod: dict[str, Any], message: str) -> None:
    assert message in violations(pod, "baseline")
    assert violations(pod, "privileged") == []


@pytest.mark.parametrize(
    ("container", "message"),
    [
        ({"securityContext": {**RESTRICTED_CONTAINER["securityContext"], "allowPrivilegeEscalation": True}}, "container app: allowPrivilegeEscalation must be false"),
        ({"securityContext": {**RESTRICTED_CONTAINER["securityContext"], "runAsNonRoot": False}}, "container app: runAsNonRoot must be true"),
        ({"securityContext": {**RESTRICTED_CONTAINER["securityContext"], "capabilities": {}}}, "container app: capabilities must drop ALL"),
        ({"securityContext": {k: v for k, v in RESTRICTED_CONTAINER["securityContext"].items() if k != "seccompProfile"}}, "container app: seccompProfile must be RuntimeDefault or Localhost"),
    ],
)
def test_restricted_rejects_what_baseline_admits(container: dict[str, Any], message: str) -> None:
    pod = _pod(container=container)
    assert violations(pod, "baseline") == []
    assert message in violations(pod, "restricted")


def test_pod_level_settings_count_for_every_container() -> None:
    context = {k: v for k, v in RESTRICTED_CONTAINER["securityContext"].items() if k not in ("runAsNonRoot", "seccompProfile")}
    pod = {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "app", "securityContext": context}]}
    assert violations(pod, "restricted") == []


def test_pod_spec_of_each_workload_kind() -> None:
    template = {"spec": {"template": {"spec": {"containers": []}}}}
    assert pod_spec({"kind": "Deployment", **template}) == {"containers": []}
    assert pod_spec({"kind": "CronJob", "spec": {"jobTemplate": template}}) == {"containers": []}
    assert pod_spec({"kind": "Service", "spec": {}}) is None
