"""goldenpath/charts.py: the chart cache, charts.lock, and `charts pull` against a real chart
repository served on the loopback interface (Helm's own client does the pulling)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from goldenpath import charts
from goldenpath.config import load_config
from tests.conftest import REPO

SHARED = Path(charts.charts_dir())


def test_lock_covers_every_chart_the_config_renders_with_the_shared_digests() -> None:
    # GIVEN the committed lock and the default config
    lock = charts.read_lock()
    wanted = {(name, version) for _owner, name, _repo, version in charts.required(load_config(REPO / "config"))}
    # THEN every chart is locked, nothing else is, and each digest is the one SHA256SUMS pins
    assert set(lock) == wanted
    sums = dict(reversed(line.split()) for line in (SHARED / "SHA256SUMS").read_text().splitlines())
    assert {entry.archive: entry.sha256 for entry in lock.values()} == {entry.archive: sums[entry.archive] for entry in lock.values()}
    assert ("kube-prometheus-stack", "88.5.3") in lock  # 90.1.1 cannot be had offline


def test_missing_archive_names_component_version_and_command(tmp_path: Path) -> None:
    lock = charts.read_lock()
    with pytest.raises(charts.ChartCacheError) as error:
        charts.locate("kong", "2.52.0", owner="component kong (dev)", lock=lock, directory=tmp_path)
    assert str(error.value) == (
        f"component kong (dev): chart archive kong-2.52.0.tgz (chart kong 2.52.0) is missing from the chart cache {tmp_path}; "
        "run `make charts` (or set GOLDENPATH_CHARTS / CHARTS=../shared/charts)"
    )


def test_unlocked_version_is_refused() -> None:
    with pytest.raises(charts.ChartCacheError, match=r"chart kong 9\.9\.9 is not in charts.lock; run `make charts`"):
        charts.locate("kong", "9.9.9", owner="component kong (dev)", lock=charts.read_lock())


def test_archive_with_another_digest_is_refused(tmp_path: Path) -> None:
    # GIVEN a cache whose kong archive is another file under the same name
    shutil.copyfile(SHARED / "loki-6.46.0.tgz", tmp_path / "kong-2.52.0.tgz")
    # THEN the verifier refuses it: the chart that renders must be the reviewed one
    with pytest.raises(charts.ChartCacheError, match="has sha256 3234a375.*charts.lock pins 86147191"):
        charts.locate("kong", "2.52.0", owner="component kong (dev)", lock=charts.read_lock(), directory=tmp_path)


def test_malformed_lock_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "charts.lock").write_text("charts:\n- name: kong\n")
    with pytest.raises(charts.ChartCacheError, match=r"charts\[0\] needs name, version, repository and sha256"):
        charts.read_lock(tmp_path / "charts.lock")


@pytest.fixture
def chart_repository(tmp_path: Path) -> Iterator[str]:
    """A Helm chart repository (index.yaml + archives) served over HTTP on 127.0.0.1."""
    from helm_python import registry

    root = tmp_path / "repo"
    root.mkdir()
    for archive in ("argocd-apps-2.0.5.tgz", "cluster-autoscaler-9.53.0.tgz"):
        shutil.copyfile(SHARED / archive, root / archive)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    registry.repo_index_generate(root, base_url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def test_pull_fills_the_cache_and_writes_the_lock(chart_repository: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a config whose charts live in a (loopback) chart repository
    monkeypatch.setattr(charts, "required", lambda _config: [
        ("component cluster-autoscaler (dev)", "cluster-autoscaler", chart_repository, "9.53.0"),
        ("the bootstrap stack", "argocd-apps", chart_repository, "2.0.5"),
    ])
    cache, lock = tmp_path / "cache", tmp_path / "charts.lock"
    # WHEN pulled
    locked = charts.pull(None, directory=cache, lock_path=lock, log=lambda _m: None)
    # THEN the archives are in the cache, byte-identical to the repository's, and locked by digest
    assert sorted(p.name for p in cache.iterdir()) == ["argocd-apps-2.0.5.tgz", "cluster-autoscaler-9.53.0.tgz"]
    assert {c.archive: c.sha256 for c in locked} == {c.archive: charts.sha256_of(SHARED / c.archive) for c in locked}
    assert charts.read_lock(lock)[("argocd-apps", "2.0.5")].repository == chart_repository
    assert charts.locate("argocd-apps", "2.0.5", owner="x", lock=charts.read_lock(lock), directory=cache) == cache / "argocd-apps-2.0.5.tgz"


def test_pull_of_an_unknown_version_says_which_and_where(chart_repository: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "required", lambda _config: [("component kong (dev)", "kong", chart_repository, "2.52.0")])
    with pytest.raises(charts.ChartCacheError, match=f"component kong \\(dev\\): cannot pull chart kong 2.52.0 from {chart_repository}"):
        charts.pull(None, directory=tmp_path / "cache", lock_path=tmp_path / "charts.lock", log=lambda _m: None)
    assert not (tmp_path / "charts.lock").exists()


def test_charts_check_cli_reports_a_missing_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from orchestration.cli import main

    monkeypatch.setenv("GOLDENPATH_CHARTS", str(tmp_path))
    assert main(["charts", "check", "--config", str(REPO / "config")]) == 2
    err = capsys.readouterr().err
    assert "charts: component argocd (dev): chart archive argo-cd-9.4.17.tgz (chart argo-cd 9.4.17) is missing" in err
    monkeypatch.setenv("GOLDENPATH_CHARTS", str(SHARED))
    assert main(["charts", "check", "--config", str(REPO / "config")]) == 0
