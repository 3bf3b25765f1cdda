"""goldenpath/helm_render.py: rendering a pinned chart as Argo CD does, on the real archives."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from goldenpath import charts, helm_render, schemas

SHARED = Path(charts.charts_dir())
BUILTINS = helm_render.builtin_api_versions(schemas.crd_dir() / "kubernetes" / "k8s-v1.33.0-definitions.json")


def _request(archive: str, values: dict, *, api_versions: tuple[str, ...] = BUILTINS, release: str = "dev-x", namespace: str = "x") -> helm_render.Request:  # type: ignore[type-arg]
    return helm_render.Request(SHARED / archive, values, release, namespace, "v1.33.0", api_versions)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helm_render, "CACHE_DIR", tmp_path / "renders")


def test_builtin_api_versions_are_what_the_api_server_serves() -> None:
    assert {"v1", "v1/Service", "apps/v1", "apps/v1/Deployment", "networking.k8s.io/v1/Ingress"} <= set(BUILTINS)
    # DeleteOptions lists every group/version: those are not served kinds
    assert "batch/v1beta1" not in BUILTINS and "monitoring.coreos.com/v1" not in BUILTINS


def test_service_monitor_appears_only_when_the_cluster_serves_its_crd() -> None:
    # GIVEN Kong with serviceMonitor.enabled WHEN the cluster lacks / has monitoring.coreos.com/v1
    values = {"serviceMonitor": {"enabled": True}}
    without = helm_render.render(_request("kong-2.52.0.tgz", values))
    with_crd = helm_render.render(_request("kong-2.52.0.tgz", values, api_versions=BUILTINS + ("monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor")))
    # THEN the chart's own capability gate decides, as it does under Argo CD
    assert "ServiceMonitor" not in {o.obj["kind"] for o in without.objects}
    assert "ServiceMonitor" in {o.obj["kind"] for o in with_crd.objects}


def test_release_and_namespace_are_argo_cds() -> None:
    render = helm_render.render(_request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}}, release="dev-cluster-autoscaler", namespace="kube-system"))
    deployment = next(o for o in render.objects if o.obj["kind"] == "Deployment")
    assert deployment.obj["metadata"]["name"].startswith("dev-cluster-autoscaler")
    assert deployment.obj["metadata"]["namespace"] == "kube-system"
    assert deployment.template == "cluster-autoscaler/templates/deployment.yaml"


@pytest.mark.slow
def test_crds_folder_is_included_and_equals_signs_stay_strings() -> None:
    # kube-prometheus-stack ships its CRDs in a crds/ folder (Argo CD: --include-crds); one enum lists "="
    render = helm_render.render(_request("kube-prometheus-stack-88.5.3.tgz", {}))
    crds = [o for o in render.objects if o.obj["kind"] == "CustomResourceDefinition"]
    assert "prometheuses.monitoring.coreos.com" in {c.obj["metadata"]["name"] for c in crds}
    assert all(c.template.startswith("crds/") for c in crds)
    assert '"="' in str(crds).replace("'", '"')


def test_manifests_split_as_helm_splits_them() -> None:
    # cert-manager's rbac.yaml glues a comment to the separator ("---# Permission to ..."); YAML
    # parsers reject the joined text, Helm's SplitManifests does not
    render = helm_render.render(_request("cert-manager-v1.21.1.tgz", {"crds": {"enabled": True}}, release="dev-cert-manager", namespace="cert-manager"))
    assert sum(1 for o in render.objects if o.template.endswith("templates/rbac.yaml")) > 10


def test_lists_are_unpacked_like_kubectl_does() -> None:
    render = helm_render.render(_request("aws-load-balancer-controller-1.13.0.tgz", {"clusterName": "c"}, namespace="kube-system"))
    assert "List" not in {o.obj["kind"] for o in render.objects}
    assert {"IngressClass", "IngressClassParams"} <= {o.obj["kind"] for o in render.objects}


def test_fields_that_change_on_every_render_are_found() -> None:
    render = helm_render.render(_request("kong-2.52.0.tgz", {}, release="dev-kong", namespace="kong"))
    unstable = {(key[1], pointer) for key, pointer in render.unstable}
    assert ("Secret", "/data/tls.crt") in unstable
    assert ("ValidatingWebhookConfiguration", "/webhooks/0/clientConfig/caBundle") in unstable
    # AND a deterministic chart has none
    assert helm_render.render(_request("loki-6.46.0.tgz", {"deploymentMode": "SingleBinary", "loki": {"storage": {"type": "filesystem"}, "commonConfig": {"replication_factor": 1}, "schemaConfig": {"configs": [{"from": "2024-01-01", "store": "tsdb", "object_store": "filesystem", "schema": "v13", "index": {"prefix": "index_", "period": "24h"}}]}}, "singleBinary": {"replicas": 1}, "read": {"replicas": 0}, "write": {"replicas": 0}, "backend": {"replicas": 0}})).unstable == ()


def test_notes_failures_and_schema_failures_are_render_errors() -> None:
    with pytest.raises(helm_render.RenderError, match=r"NOTES.txt.*did not specify an external PostgreSQL host"):
        helm_render.render(_request("keycloak-25.2.0.tgz", {"postgresql": {"enabled": False}}))
    with pytest.raises(helm_render.RenderError, match="values do not pass the chart's values.schema.json"):
        helm_render.render(_request("cert-manager-v1.21.1.tgz", {"replicaCount": "two"}))


def test_second_render_is_served_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    request = _request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}})
    first = helm_render.render(request)

    def fail(*_args: object) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr(helm_render, "_render_once", fail)
    assert helm_render.render(request) == first
    # AND any change of input is a different key (here: the values)
    with pytest.raises(AssertionError, match="rendered again"):
        helm_render.render(_request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "d"}}))


def test_renders_share_their_equal_objects_in_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN two envs' renders of one chart (another release name: most objects still equal)
    dev = helm_render.render(_request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}}, release="dev-x"))
    prod = helm_render.render(_request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}}, release="prod-x", namespace="y"))
    stored = sorted((helm_render.CACHE_DIR / "objects").iterdir())
    # THEN each distinct object is stored once
    distinct = {json.dumps(o.obj, sort_keys=True) for r in (dev, prod) for o in r.objects}
    assert len(stored) == len(distinct)
    # AND read back in a fresh process (no memo), each render is what was rendered, equal objects
    # shared
    helm_render._loaded.clear()
    helm_render._objects.clear()
    monkeypatch.setattr(helm_render, "_render_once", lambda *_a: (_ for _ in ()).throw(AssertionError("rendered again")))
    again = helm_render.render(_request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}}, release="dev-x"))
    assert again.objects == dev.objects
    # AND an object file gone means the render is not in the cache
    text = json.dumps(prod.objects[0].obj, sort_keys=True)
    (helm_render.CACHE_DIR / "objects" / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.json").unlink()
    helm_render._loaded.clear()
    helm_render._objects.clear()
    with pytest.raises(AssertionError, match="rendered again"):
        helm_render.render(_request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}}, release="prod-x", namespace="y"))


def test_api_versions_are_not_part_of_the_key_for_charts_that_never_read_them() -> None:
    archive = SHARED / "backstage-2.8.2.tgz"
    assert not helm_render.reads_api_versions(str(archive), charts.digest(archive))
    assert helm_render.reads_api_versions(str(SHARED / "kong-2.52.0.tgz"), charts.digest(SHARED / "kong-2.52.0.tgz"))


def test_whether_a_chart_reads_api_versions_is_remembered_by_its_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helm_render, "CACHE_DIR", tmp_path)
    kong, backstage = SHARED / "kong-2.52.0.tgz", SHARED / "backstage-2.8.2.tgz"
    # GIVEN each archive scanned once
    scanned = [helm_render._scan_for_api_versions(str(kong)), helm_render._scan_for_api_versions(str(backstage))]
    assert scanned == [True, False]
    helm_render.reads_api_versions.cache_clear()
    assert [helm_render.reads_api_versions(str(a), charts.digest(a)) for a in (kong, backstage)] == scanned
    # WHEN another process asks (nothing in memory) THEN the answer comes from the cache, unscanned
    helm_render.reads_api_versions.cache_clear()

    def no_scan(path: str) -> bool:
        raise AssertionError(f"scanned {path} again")

    monkeypatch.setattr(helm_render, "_scan_for_api_versions", no_scan)
    assert [helm_render.reads_api_versions(str(a), charts.digest(a)) for a in (kong, backstage)] == scanned
    # AND another archive digest is another question
    with pytest.raises(AssertionError, match="scanned"):
        helm_render.reads_api_versions(str(kong), "0" * 64)
    helm_render.reads_api_versions.cache_clear()


def test_each_object_carries_its_serialized_size_fresh_and_from_the_cache() -> None:
    from goldenpath import trees

    # a chart with non-ASCII text would count its bytes as UTF-8, as the API server does
    request = _request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}, "podAnnotations": {"note": "café ✓"}})
    fresh = helm_render.render(request)
    assert all(o.measured == trees.serialized_size(o.obj) == o.size > 0 for o in fresh.objects)
    (annotated,) = [o for o in fresh.objects if "café ✓" in json.dumps(o.obj, ensure_ascii=False)]
    assert annotated.size < len(json.dumps(annotated.obj, separators=(",", ":")))  # UTF-8, not \u escapes
    helm_render._loaded.clear()
    helm_render._objects.clear()
    cached = helm_render.render(request)
    assert [o.measured for o in cached.objects] == [o.measured for o in fresh.objects]
    # an object without a known size is measured when asked
    unmeasured = helm_render.RenderedObject("t", {"data": {"x": "é"}})
    assert unmeasured.size == len('{"data":{"x":"é"}}'.encode())


def test_the_objects_a_verification_read_are_prefetched_by_the_next_process() -> None:
    import threading

    request = _request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}})
    rendered = helm_render.render(request)
    helm_render._loaded.clear()
    helm_render._objects.clear()
    helm_render._used.clear()
    # GIVEN a process that read the render from the cache and recorded what it read
    assert helm_render.render(request) == rendered
    helm_render.record_recent()
    recent = json.loads((helm_render.CACHE_DIR / helm_render.RECENT).read_text())
    assert len(recent) == len({json.dumps(o.obj, sort_keys=True) for o in rendered.objects}) > 0
    # WHEN the next process prefetches (here: the memo emptied, as in a new process)
    helm_render._loaded.clear()
    helm_render._objects.clear()
    assert helm_render.prefetch() == len(recent)
    assert helm_render.prefetch() == 0  # parsed already
    # THEN the render is built from the prefetched objects, equal to a fresh read, the same objects
    prefetched = dict(helm_render._objects)
    again = helm_render.render(request)
    assert again.objects == rendered.objects
    assert all(any(o.obj is p for p in prefetched.values()) for o in again.objects)
    # AND a stopped prefetch parses nothing; a torn or missing object is skipped, not raised
    helm_render._objects.clear()
    stop = threading.Event()
    stop.set()
    assert helm_render.prefetch(stop) == 0
    (helm_render.CACHE_DIR / "objects" / f"{recent[0]}.json").write_text('{"torn": ')
    (helm_render.CACHE_DIR / "objects" / f"{recent[1]}.json").unlink()
    assert helm_render.prefetch() == len(recent) - 2
    with helm_render.prefetching():
        pass  # a thread that starts and is joined
    (helm_render.CACHE_DIR / helm_render.RECENT).write_text("not json")
    assert helm_render.prefetch() == 0


# ---- pruning the cache ----


def _age(path: Path, seconds: float) -> None:
    import os
    import time

    then = time.time() - seconds
    os.utime(path, (then, then))


def _entry_of(render: helm_render.Render) -> Path:
    return helm_render.CACHE_DIR / f"{render.key}.json"


def test_prune_removes_what_no_synth_used_for_two_weeks_and_keeps_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN two renders of a chart (values differ: some objects their own, most shared), a memo,
    # and a temporary file a killed writer left
    old_request = _request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "old"}})
    kept_request = _request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "kept"}})
    old, kept = helm_render.render(old_request), helm_render.render(kept_request)
    assert helm_render.memo("check", ["m"], lambda: 1) == 1
    objects = helm_render.CACHE_DIR / "objects"
    kept_digests = {d for _t, d, _s in json.loads(_entry_of(kept).read_text())["objects"]}
    old_only = {d for _t, d, _s in json.loads(_entry_of(old).read_text())["objects"]} - kept_digests
    assert old_only and kept_digests
    stray = helm_render.CACHE_DIR / ".x.json.123.tmp"
    stray.write_text("{")
    # WHEN everything was last used 15 days ago but the kept render, read again just now by a
    # fresh process (a read refreshes its entry)
    for path in [*helm_render.CACHE_DIR.iterdir(), *objects.iterdir()]:
        _age(path, 15 * 86400)
    helm_render._loaded.clear()
    helm_render._objects.clear()
    assert helm_render.render(kept_request) == kept
    removed = helm_render.prune()
    # THEN the old render, the memo and the stray file are gone, and the objects only the old
    # render listed; every object of the kept render stays
    assert removed == (2, len(old_only))
    assert not _entry_of(old).exists() and _entry_of(kept).exists() and not stray.exists()
    assert {p.stem for p in objects.iterdir()} == kept_digests
    # AND a prune changes no result: the kept render is read without rendering, the pruned one is
    # rendered again to the same objects
    helm_render._loaded.clear()
    helm_render._objects.clear()
    render_once = helm_render._render_once
    monkeypatch.setattr(helm_render, "_render_once", lambda *_a: (_ for _ in ()).throw(AssertionError("rendered again")))
    assert helm_render.render(kept_request) == kept
    with pytest.raises(AssertionError, match="rendered again"):
        helm_render.render(old_request)
    monkeypatch.setattr(helm_render, "_render_once", render_once)
    assert helm_render.render(old_request).objects == old.objects


def test_prune_keeps_young_objects_no_entry_lists_yet() -> None:
    # an object is written before the entry that lists it (_write_cache): a prune in between must
    # not take it; one unlisted for longer than the grace goes
    helm_render.render(_request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}}))
    young = helm_render._write_object({"kind": "Young"})
    stale = helm_render._write_object({"kind": "Stale"})
    _age(helm_render._object_file(stale), helm_render.GRACE_SECONDS + 60)
    assert helm_render.prune() == (0, 1)
    assert helm_render._object_file(young).exists() and not helm_render._object_file(stale).exists()
    # AND writing an object that exists already refreshes it (a new render shares it)
    _age(helm_render._object_file(young), helm_render.GRACE_SECONDS + 60)
    assert helm_render._write_object({"kind": "Young"}) == young
    assert helm_render.prune() == (0, 0)


def test_a_verification_prunes_at_most_once_a_day(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(helm_render, "prune", lambda: calls.append(1) or (0, 0))
    helm_render.render(_request("cluster-autoscaler-9.53.0.tgz", {"autoDiscovery": {"clusterName": "c"}}))
    # GIVEN a cache never pruned WHEN two verifications record what they read
    helm_render.record_recent()
    helm_render.record_recent()
    # THEN it was pruned once; a day after the last prune, again
    assert calls == [1]
    _age(helm_render.CACHE_DIR / helm_render.STAMP, helm_render.PRUNE_EVERY + 60)
    helm_render.record_recent()
    assert calls == [1, 1]
    # AND a cache that cannot be written is not pruned
    (helm_render.CACHE_DIR / helm_render.STAMP).unlink()
    monkeypatch.setattr(helm_render, "_write_atomically", lambda *_a: (_ for _ in ()).throw(PermissionError("read-only")))
    assert helm_render.maybe_prune() is None
    assert calls == [1, 1]
