"""`make imports`: regenerate ``imports/`` (typed cdk8s bindings) from the pinned CRDs.

The build machines have no network, so the pinned upstream CRD files are read from a local
directory (default ``../shared/crds``) that mirrors them; ``cdk8s.yaml`` lists the same files by
their upstream URLs for anyone regenerating with internet access. Every CRD gets its own module
name (``NAME:=file``): cdk8s names the Python package after the API group, so two CRDs of one
group (KongPlugin, KongClusterPlugin) imported without a name would overwrite each other.

Output is generated into a temporary directory and swapped in, so a failed import never leaves
a half-written ``imports/``. The generator is deterministic (fixed tar mtimes), so a re-run on
unchanged CRDs changes nothing.

    python -m goldenpath.imports --crds ../shared/crds [--out imports]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class PinnedCrd:
    module: str  # Python module under imports/ (imports/<module>/<reversed group>/...)
    local: str  # path relative to the CRD directory
    project: str
    version: str
    upstream_path: str

    @property
    def url(self) -> str:
        return f"{RAW}/{self.project}/{self.version}/{self.upstream_path}"

    @property
    def spec(self) -> str:
        """The ``cdk8s.yaml`` imports entry."""
        return f"{self.module}:={self.url}"


# The CRDs the GitOps tree uses (issue 3 §1). Versions: ../shared/crds/README.md.
# Not here: ClusterSecretStore. jsii refuses to compile its binding (JSII5000: the keepersecurity
# provider has a property ``getByTitleFallback``, a Java getter name), so cdk8s_app renders that
# one object as a plain ``ApiObject``; schemas.py still validates it against the pinned CRD.
_ARGO = ("argoproj/argo-cd", "v3.5.1")
_CERT = ("cert-manager/cert-manager", "v1.21.1")
_ESO = ("external-secrets/external-secrets", "v2.9.0")
_KONG = ("Kong/kubernetes-configuration", "v1.5.3")
_PROM = ("prometheus-operator/prometheus-operator", "v0.93.0")
_IMAGE_UPDATER = ("argoproj-labs/argocd-image-updater", "v1.0.2")

PINNED: tuple[PinnedCrd, ...] = (
    PinnedCrd("argocd_application", "argo-cd/application-crd.yaml", *_ARGO, "manifests/crds/application-crd.yaml"),
    PinnedCrd("argocd_appproject", "argo-cd/appproject-crd.yaml", *_ARGO, "manifests/crds/appproject-crd.yaml"),
    PinnedCrd(
        "certmanager_clusterissuer",
        "cert-manager/cert-manager.io_clusterissuers.yaml",
        *_CERT,
        "deploy/crds/cert-manager.io_clusterissuers.yaml",
    ),
    PinnedCrd(
        "certmanager_certificate",
        "cert-manager/cert-manager.io_certificates.yaml",
        *_CERT,
        "deploy/crds/cert-manager.io_certificates.yaml",
    ),
    PinnedCrd(
        "externalsecrets_externalsecret",
        "external-secrets/external-secrets.io_externalsecrets.yaml",
        *_ESO,
        "config/crds/bases/external-secrets.io_externalsecrets.yaml",
    ),
    PinnedCrd(
        "kong_kongplugin",
        "kong/configuration.konghq.com_kongplugins.yaml",
        *_KONG,
        "config/crd/ingress-controller/configuration.konghq.com_kongplugins.yaml",
    ),
    PinnedCrd(
        "kong_kongclusterplugin",
        "kong/configuration.konghq.com_kongclusterplugins.yaml",
        *_KONG,
        "config/crd/ingress-controller/configuration.konghq.com_kongclusterplugins.yaml",
    ),
    PinnedCrd(
        "prometheus_prometheusrule",
        "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml",
        *_PROM,
        "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
    ),
    PinnedCrd(
        "prometheus_servicemonitor",
        "prometheus-operator/monitoring.coreos.com_servicemonitors.yaml",
        *_PROM,
        "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
    ),
    PinnedCrd(
        "argocd_imageupdater",
        "argocd-image-updater/argocd-image-updater.argoproj.io_imageupdaters.yaml",
        *_IMAGE_UPDATER,
        "config/crd/bases/argocd-image-updater.argoproj.io_imageupdaters.yaml",
    ),
)


def generate(crds: Path, out: Path, cdk8s_bin: Path) -> None:
    """Run ``cdk8s import`` for every pinned CRD into a staging dir, then replace ``out``."""
    missing = [str(crds / c.local) for c in PINNED if not (crds / c.local).is_file()]
    if missing:
        raise SystemExit(f"imports: pinned CRD files not found: {', '.join(missing)}")
    env = {
        **os.environ,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".imports-", dir=out.parent))
    try:
        for crd in PINNED:
            cmd = [
                str(cdk8s_bin),
                "import",
                f"{crd.module}:={(crds / crd.local).resolve()}",
                "--language",
                "python",
                "--output",
                str(stage),
                "--no-save",  # cdk8s.yaml lists the upstream URLs, not the local mirror
                "--check-upgrade=false",
            ]
            result = subprocess.run(cmd, cwd=stage, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"imports: {' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")
            print(f"imports: {crd.module} <- {crd.local}")
        for stray in (stage / "cdk8s.yaml",):  # nothing but generated packages in imports/
            stray.unlink(missing_ok=True)
        backup = out.with_name(out.name + ".old")
        if out.exists():
            out.rename(backup)
        stage.rename(out)
        shutil.rmtree(backup, ignore_errors=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m goldenpath.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--crds", type=Path, default=Path(os.environ.get("GOLDENPATH_CRDS", REPO.parent / "shared" / "crds")))
    parser.add_argument("--out", type=Path, default=REPO / "imports")
    parser.add_argument("--cdk8s", type=Path, default=REPO / "node_modules" / ".bin" / "cdk8s")
    args = parser.parse_args(argv)
    generate(args.crds, args.out, args.cdk8s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
