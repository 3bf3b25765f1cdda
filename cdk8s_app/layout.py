"""Where objects go: one directory per owning Argo CD Application, and the sync waves.

Every rendered object lives in exactly one directory and every directory has exactly one owning
Application, so no object is managed by two Applications (DESIGN §7 "one owner per object").
A :class:`Section` is a cdk8s Chart that knows its directory and how it is synced; the writer
(:mod:`cdk8s_app.writer`) turns each Section into files and :mod:`cdk8s_app.argocd` turns each
Section into an Application (or into the third source of its component's Application).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cdk8s
from constructs import Construct

from cdk8s_app import batching, jsii_speed

# Sync waves of the Applications inside the root app (seed report H/I/L: objects were applied
# before the CRDs and operators they need). Operators and CRD providers first, then the objects
# that use them, then tooling, then apps.
WAVE_PROJECTS = -2  # AppProjects and repository settings: Applications reference them
WAVE_NAMESPACES = -1  # CreateNamespace=false everywhere: namespaces exist before anything else
WAVE_OPERATORS = 1  # external-secrets (ExternalSecret/ClusterSecretStore CRDs), AWS LB controller
WAVE_SECRET_STORE = 2  # ClusterSecretStore: needs external-secrets CRDs and its IRSA role
WAVE_CRD_PROVIDERS = 3  # cert-manager (Certificate/ClusterIssuer CRDs), kube-prometheus-stack (ServiceMonitor CRDs)
WAVE_ISSUERS = 4  # ClusterIssuers: need cert-manager
WAVE_INGRESS = 5  # kong: needs ServiceMonitor CRDs for its own monitor, ClusterIssuers for TLS
WAVE_INGRESS_PLUGINS = 6  # KongClusterPlugin: needs Kong's CRDs
WAVE_DATABASE = 7  # database provisioning Job (roles + databases) before anything that logs in
WAVE_TOOLING = 8  # argocd (self-managed), keycloak, backstage, loki, image updater, autoscaler
WAVE_APPS = 10

COMPONENT_WAVES = {
    "external-secrets": WAVE_OPERATORS,
    "aws-load-balancer-controller": WAVE_OPERATORS,
    "cert-manager": WAVE_CRD_PROVIDERS,
    "kube-prometheus-stack": WAVE_CRD_PROVIDERS,
    "kong": WAVE_INGRESS,
}


def component_wave(component: str) -> int:
    return COMPONENT_WAVES.get(component, WAVE_TOOLING)


@dataclass(frozen=True)
class SyncSpec:
    """How the Application owning a Section syncs it."""

    application: str  # Application name (from goldenpath.naming)
    project: str
    namespace: str  # destination namespace (cluster-scoped objects ignore it)
    wave: int
    automated: bool = True
    component: str | None = None  # set: the directory is the component Application's third source


class Section(cdk8s.Chart):
    """A cdk8s Chart rendered into ``dist/gitops/<env>/<directory>/``.

    Optimised (``jsii_speed.enabled()``), a Section made at the top of an App is the only chart of
    an App of its own: ``Chart.to_json()`` (one round trip for all its objects) first resolves
    dependencies and validates the chart's whole App, which would otherwise be the whole tree,
    once per Section. Paths inside it are the same (an App adds nothing to a construct's path),
    and :func:`sections` finds it through the App it was made in.
    """

    def __init__(
        self, scope: Construct, id: str, *, env: str, directory: str, sync: SyncSpec | None, labels: dict[str, str] | None = None
    ) -> None:
        self.own_app = jsii_speed.enabled() and isinstance(scope, cdk8s.App)
        # cdk8s_app.batching records the constructs made under a Section with an App of its own
        # (the Section and its App too) and creates them before the Section is rendered
        # (``batched_pending``: some still wait). Set first: recording the chart marks them.
        self.batchable = self.own_app
        self.batched_pending = False
        self.batched_nested = False  # a Chart made below it (its objects are not in to_json)
        self._rendered: list[dict[str, Any]] | None = None
        batch = batching.active() if self.own_app else None
        own = (batch.record_app() if batch is not None else cdk8s.App()) if self.own_app else scope
        # Explicit metadata.name everywhere; hashes never appear in names (DESIGN §2 traps).
        # ``labels``: on every object of the Section (cdk8s merges them under each object's own).
        super().__init__(own, id, disable_resource_name_hashes=True, labels=labels)
        if self.own_app:
            scope.__dict__.setdefault(_SECTIONS_ATTRIBUTE, []).append(self)
        self.env = env
        self.directory = directory
        self.sync = sync  # None: the apps/ directory itself, synced by the Terraform-made root app

    def invalidate(self) -> None:
        """A construct was added: the next :meth:`manifests` renders the Section again."""
        self._rendered = None

    @property
    def has_objects(self) -> bool:
        if self.own_app:
            return bool(self.manifests())
        return any(isinstance(c, cdk8s.ApiObject) for c in self.node.find_all())

    def manifests(self, *, final: bool = False) -> list[dict[str, Any]]:
        """``to_json()`` of every ApiObject under the Section (nested constructs and charts too).

        With an App of its own, the Section is rendered once, by ``Chart.to_json``: the Argo CD
        Applications (built last, when every Section they read is complete) read whether it has
        objects and its ExternalSecrets, the writer then reads everything. ``final`` (the writer)
        checks the tree once: objects added since, or a nested chart (``Chart.to_json`` leaves
        its objects to it), render the Section the reference way. While a batch
        (:mod:`cdk8s_app.batching`) is active it saw every construct made here, so that check is
        its bookkeeping instead of a walk of the tree.
        """
        batch = batching.active()
        if batch is not None and self.batched_pending:
            batch.flush()
        if self.own_app and self._rendered is None:
            self._rendered = batching.to_json(self) if batch is not None else self.to_json()
        if self.own_app and (not final or (batch is not None and not self.batched_nested)):
            assert self._rendered is not None
            return self._rendered
        constructs = self.node.find_all()
        objects = [c for c in constructs if isinstance(c, cdk8s.ApiObject)]
        nested = any(isinstance(c, cdk8s.Chart) and c is not self for c in constructs)
        if self._rendered is not None and not nested and len(objects) == len(self._rendered):
            return self._rendered
        return [o.to_json() for o in objects]


_SECTIONS_ATTRIBUTE = "_goldenpath_sections"  # on the App a Section with an App of its own was made in


def sections(app: cdk8s.App, env: str) -> list[Section]:
    found = [c for c in app.node.find_all() if isinstance(c, Section)] + app.__dict__.get(_SECTIONS_ATTRIBUTE, [])
    return sorted((c for c in found if c.env == env), key=lambda s: s.directory)
