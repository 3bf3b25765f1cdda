"""The chart cache: the pinned upstream chart archives every Application (and the bootstrap
release) renders, located, checked against ``charts.lock`` and filled by ``charts pull``.

* The cache is a folder of ``<name>-<version>.tgz`` archives, as ``helm pull`` names them:
  ``$GOLDENPATH_CHARTS``, default ``.charts/`` in the repository (``make charts`` fills it;
  CI and the tests point it at ``../shared/charts``, which holds the same archives offline).
* ``charts.lock`` (committed) records name, version, repository, archive file and sha256 of
  every chart the config uses. An archive whose digest differs from the lock is refused: the
  chart that was reviewed is the chart that renders.

    python -m goldenpath charts pull     # with network: fill the cache, rewrite charts.lock
    python -m goldenpath charts check    # offline: every chart present and matching the lock
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from goldenpath import trees

REPO = Path(__file__).resolve().parent.parent
LOCK_FILE = REPO / "charts.lock"
PULL_COMMAND = "make charts"

# Charts Terraform installs before Argo CD exists (stacks/bootstrap.py), besides the components'.
BOOTSTRAP_CHARTS: tuple[tuple[str, str, str], ...] = (
    ("argocd-apps", "https://argoproj.github.io/argo-helm", "2.0.5"),
)


class ChartCacheError(Exception):
    """A chart cannot be used: missing from the cache or the lock, or its digest differs."""


def charts_dir() -> Path:
    return Path(os.environ.get("GOLDENPATH_CHARTS", REPO / ".charts"))


def archive_name(name: str, version: str) -> str:
    return f"{name}-{version}.tgz"


@dataclass(frozen=True, order=True)
class LockedChart:
    name: str
    version: str
    repository: str
    sha256: str

    @property
    def archive(self) -> str:
        return archive_name(self.name, self.version)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_lock(path: Path = LOCK_FILE) -> dict[tuple[str, str], LockedChart]:
    """(name, version) -> locked chart. A missing or malformed lock is a ChartCacheError."""
    try:
        document = trees.parse_text(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ChartCacheError(f"{path}: cannot read the chart lock ({exc}); run `{PULL_COMMAND}`") from None
    entries = document.get("charts") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ChartCacheError(f"{path}: no `charts:` list; run `{PULL_COMMAND}`")
    locked: dict[tuple[str, str], LockedChart] = {}
    for number, entry in enumerate(entries):
        try:
            chart = LockedChart(str(entry["name"]), str(entry["version"]), str(entry["repository"]), str(entry["sha256"]))
        except (KeyError, TypeError):
            raise ChartCacheError(f"{path}: charts[{number}] needs name, version, repository and sha256") from None
        locked[(chart.name, chart.version)] = chart
    return locked


def write_lock(charts: list[LockedChart], path: Path = LOCK_FILE) -> None:
    body = {"charts": [{"name": c.name, "version": c.version, "repository": c.repository, "archive": c.archive, "sha256": c.sha256} for c in sorted(charts)]}
    text = "# Pinned chart archives (written by `make charts`; checked by the verifier's charts layer).\n"
    text += yaml.safe_dump(body, sort_keys=True)
    _atomic_write(path, text)


def locate(name: str, version: str, *, owner: str, lock: dict[tuple[str, str], LockedChart], directory: Path | None = None) -> Path:
    """The verified archive of chart ``name`` at ``version`` (``owner`` names who needs it in errors)."""
    directory = directory or charts_dir()
    entry = lock.get((name, version))
    if entry is None:
        raise ChartCacheError(f"{owner}: chart {name} {version} is not in charts.lock; run `{PULL_COMMAND}` to pull it and record its digest")
    path = directory / entry.archive
    if not path.is_file():
        raise ChartCacheError(f"{owner}: chart archive {entry.archive} (chart {name} {version}) is missing from the chart cache {directory}; run `{PULL_COMMAND}` (or set GOLDENPATH_CHARTS / CHARTS=../shared/charts)")
    actual = digest(path)
    if actual != entry.sha256:
        raise ChartCacheError(f"{owner}: chart archive {path} has sha256 {actual}, charts.lock pins {entry.sha256}; refusing a chart that is not the reviewed one")
    return path


_digests: dict[tuple[str, int, int], str] = {}


def digest(path: Path) -> str:
    """sha256 of an archive, memoised per (path, size, mtime) for the life of the process."""
    stat = os.stat(path)
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        _digests[key] = sha256_of(path)
    return _digests[key]


def required(config: Any) -> list[tuple[str, str, str, str]]:
    """(owner, name, repository, version) of every chart the config renders, in every env."""
    wanted: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for env in config.platform.environments:
        for component in config.components_in(env):
            chart = config.platform.components[component].chart
            version = config.chart_version(env, component)
            wanted.setdefault((chart.name, version), (f"component {component} ({env})", chart.name, chart.repository, version))
    for name, repository, version in BOOTSTRAP_CHARTS:
        wanted.setdefault((name, version), ("the bootstrap stack", name, repository, version))
    return [wanted[key] for key in sorted(wanted)]


def pull(config: Any, *, directory: Path | None = None, lock_path: Path = LOCK_FILE, log: Any = print) -> list[LockedChart]:
    """Fill the cache from each chart's HTTP repository or OCI registry and rewrite the lock.

    Archives already in the cache are kept (and their digest recorded); a missing one is pulled
    with Helm's own client (``helm_python.registry.pull``), so index.yaml resolution, relative
    URLs and OCI references behave exactly as ``helm pull`` does."""
    from helm_python import registry
    from helm_python.errors import HelmError

    directory = directory or charts_dir()
    directory.mkdir(parents=True, exist_ok=True)
    locked: list[LockedChart] = []
    for owner, name, repository, version in required(config):
        target = directory / archive_name(name, version)
        if not target.is_file():
            log(f"charts: pulling {name} {version} from {repository}")
            with tempfile.TemporaryDirectory(dir=directory) as scratch:
                try:
                    if repository.startswith("oci://"):
                        registry.pull(f"{repository.rstrip('/')}/{name}", version=version, destination=scratch)
                    else:
                        registry.pull(name, repo_url=repository, version=version, destination=scratch)
                except HelmError as exc:
                    raise ChartCacheError(f"{owner}: cannot pull chart {name} {version} from {repository}: {exc}") from None
                pulled = sorted(Path(scratch).glob("*.tgz"))
                if len(pulled) != 1:
                    raise ChartCacheError(f"{owner}: pulling {name} {version} from {repository} gave {len(pulled)} archives")
                os.replace(pulled[0], target)
        locked.append(LockedChart(name, version, repository, sha256_of(target)))
    write_lock(locked, lock_path)
    return locked


def check(config: Any, *, directory: Path | None = None, lock_path: Path = LOCK_FILE) -> list[str]:
    """Problems that stop the charts layer, one sentence each (empty: every chart is usable)."""
    try:
        lock = read_lock(lock_path)
    except ChartCacheError as exc:
        return [str(exc)]
    problems = []
    for owner, name, _repository, version in required(config):
        try:
            locate(name, version, owner=owner, lock=lock, directory=directory)
        except ChartCacheError as exc:
            problems.append(str(exc))
    return problems


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

