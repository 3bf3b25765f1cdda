"""Pod Security Standards (Kubernetes 1.33), as the PodSecurity admission plugin applies them to
a Namespace's ``pod-security.kubernetes.io/enforce`` level: a Pod that violates the level is
rejected at creation, so its Deployment or DaemonSet never gets a pod.

Checks follow https://kubernetes.io/docs/concepts/security/pod-security-standards/ (the
``baseline`` and ``restricted`` tables, ``latest`` version); ``privileged`` admits everything.
"""

from __future__ import annotations

from typing import Any

BASELINE_CAPABILITIES = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
LEVELS = ("privileged", "baseline", "restricted")


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod template spec of a workload (or the spec of a Pod); None for other kinds."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    elif kind not in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"):
        return None
    return ((spec.get("template") or {}).get("spec")) or {}


def pod_annotations(obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("kind") == "Pod":
        return (obj.get("metadata") or {}).get("annotations") or {}
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return (((spec.get("template") or {}).get("metadata")) or {}).get("annotations") or {}


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for key in ("initContainers", "containers", "ephemeralContainers") for c in pod.get(key) or [] if isinstance(c, dict)]


def violations(pod: dict[str, Any], level: str, annotations: dict[str, Any] | None = None) -> list[str]:
    """Why a pod with this spec is rejected under ``level`` (empty: admitted)."""
    if level not in LEVELS or level == "privileged":
        return []
    found = _baseline(pod, annotations or {})
    if level == "restricted":
        found += _restricted(pod)
    return found


def _baseline(pod: dict[str, Any], annotations: dict[str, Any]) -> list[str]:
    found = [f"{field}: true" for field in ("hostNetwork", "hostPID", "hostIPC") if pod.get(field)]
    pod_context = pod.get("securityContext") or {}
    found += [f"volume {v.get('name')}: hostPath" for v in pod.get("volumes") or [] if isinstance(v, dict) and "hostPath" in v]
    found += [f"sysctl {s.get('name')} is not in the safe set" for s in pod_context.get("sysctls") or [] if s.get("name") not in SAFE_SYSCTLS]
    found += _context_checks("pod", pod_context)
    for key, value in annotations.items():
        if str(key).startswith("container.apparmor.security.beta.kubernetes.io/") and not (value == "runtime/default" or str(value).startswith("localhost/")):
            found.append(f"AppArmor annotation {key}={value}")
    for container in containers(pod):
        name = f"container {container.get('name')}"
        context = container.get("securityContext") or {}
        if context.get("privileged"):
            found.append(f"{name}: privileged")
        extra = set((context.get("capabilities") or {}).get("add") or []) - BASELINE_CAPABILITIES
        if extra:
            found.append(f"{name}: adds capabilities {', '.join(sorted(extra))}")
        found += [f"{name}: hostPort {p.get('hostPort')}" for p in container.get("ports") or [] if p.get("hostPort")]
        if context.get("procMount") not in (None, "Default"):
            found.append(f"{name}: procMount {context.get('procMount')}")
        found += _context_checks(name, context)
    return found


def _context_checks(name: str, context: dict[str, Any]) -> list[str]:
    """SELinux, seccomp, AppArmor and Windows host-process rules shared by pod and containers."""
    found = []
    selinux = context.get("seLinuxOptions") or {}
    if selinux.get("type", "") not in SELINUX_TYPES or selinux.get("user") or selinux.get("role"):
        found.append(f"{name}: seLinuxOptions {selinux}")
    if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
        found.append(f"{name}: seccompProfile Unconfined")
    if (context.get("appArmorProfile") or {}).get("type") not in (None, "RuntimeDefault", "Localhost"):
        found.append(f"{name}: appArmorProfile {(context.get('appArmorProfile') or {}).get('type')}")
    if (context.get("windowsOptions") or {}).get("hostProcess"):
        found.append(f"{name}: windowsOptions.hostProcess")
    return found


def _restricted(pod: dict[str, Any]) -> list[str]:
    found = []
    pod_context = pod.get("securityContext") or {}
    for volume in pod.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if kinds - RESTRICTED_VOLUMES:
            found.append(f"volume {volume.get('name')}: type {', '.join(sorted(kinds))} is not allowed")
    pod_seccomp = (pod_context.get("seccompProfile") or {}).get("type")
    for container in containers(pod):
        name = f"container {container.get('name')}"
        context = container.get("securityContext") or {}
        if context.get("allowPrivilegeEscalation") is not False:
            found.append(f"{name}: allowPrivilegeEscalation must be false")
        if context.get("runAsNonRoot", pod_context.get("runAsNonRoot")) is not True:
            found.append(f"{name}: runAsNonRoot must be true")
        if context.get("runAsUser", pod_context.get("runAsUser")) == 0:
            found.append(f"{name}: runAsUser 0")
        if (context.get("seccompProfile") or {}).get("type", pod_seccomp) not in ("RuntimeDefault", "Localhost"):
            found.append(f"{name}: seccompProfile must be RuntimeDefault or Localhost")
        capabilities = context.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            found.append(f"{name}: capabilities must drop ALL")
        if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            found.append(f"{name}: may add only NET_BIND_SERVICE")
    return found
