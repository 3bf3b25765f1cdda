"""cdk8s_app.batching: constructs recorded under a Section and created many per jsii call render
exactly as the same constructs created one by one (GOLDENPATH_OPTIMIZE=0), in a handful of
calls, and anything asked of a recorded construct creates it in place first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cdk8s
import pytest
from cdk8s_plus_33 import k8s
from constructs import Construct

from cdk8s_app import batching, jsii_speed
from cdk8s_app.external_secrets import SyncedSecret
from cdk8s_app.layout import Section
from imports.prometheus_prometheusrule.com.coreos.monitoring import (
    PrometheusRule,
    PrometheusRuleSpec,
    PrometheusRuleSpecGroups,
    PrometheusRuleSpecGroupsRules,
    PrometheusRuleSpecGroupsRulesExpr,
)


class Group(Construct):
    """A grouping construct, as the app's own (AppWorkload, OwnerSecrets, ...)."""

    def __init__(self, scope: Construct, id: str, index: int) -> None:
        super().__init__(scope, id)
        k8s.KubeService(
            self,
            "service",
            metadata=k8s.ObjectMeta(name=f"svc-{index}", namespace="apps-x", labels={"own": "label", "team": "mine"}),
            spec=k8s.ServiceSpec(cluster_ip="None", ports=[k8s.ServicePort(port=80, target_port=k8s.IntOrString.from_string("http"))]),
        )
        SyncedSecret(self, "secret", name=f"secret-{index}", namespace="apps-x", remote_key=f"key/{index}", keys=["a", "b"])  # enums
        PrometheusRule(
            self,
            "rule",
            metadata=cdk8s.ApiObjectMetadata(name=f"rule-{index}", namespace="apps-x"),
            spec=PrometheusRuleSpec(
                groups=[PrometheusRuleSpecGroups(name="g", rules=[PrometheusRuleSpecGroupsRules(alert="A", expr=PrometheusRuleSpecGroupsRulesExpr.from_string(f"up{{job='{index}'}} == 0"), for_="5m")])]
            ),
        )
        plain = cdk8s.ApiObject(self, "plain", api_version="v1", kind="ConfigMap", metadata=cdk8s.ApiObjectMetadata(name=f"plain-{index}", namespace="apps-x"))
        plain.add_json_patch(cdk8s.JsonPatch.add("/data", {"index": str(index), "empty": ""}))


def _render(build: Callable[[Section], None], monkeypatch: pytest.MonkeyPatch, optimize: str) -> list[dict[str, Any]]:
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", optimize)
    app = cdk8s.App()
    with jsii_speed.fast_jsii():
        section = Section(app, "section", env="dev", directory="workloads/x", sync=None, labels={"team": "chart", "cost": "c1"})
        build(section)
        objects = section.manifests(final=True)
    return sorted(objects, key=lambda o: (o["kind"], o["metadata"]["name"]))


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request sent to the jsii kernel from now on (the batch's raw ones included)."""
    from jsii._kernel.providers import process

    seen: list[str] = []
    original_send, original_raw = process._NodeProcess.send, batching._send

    def send(self: Any, request: Any, response_type: Any) -> Any:
        seen.append(type(request).__name__)
        return original_send(self, request, response_type)

    def raw(request: dict[str, Any]) -> Any:
        seen.append(f"raw:{request.get('method')}")
        return original_raw(request)

    monkeypatch.setattr(process._NodeProcess, "send", send)
    monkeypatch.setattr(batching, "_send", raw)
    return seen


def test_batched_objects_render_as_created_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    def build(section: Section) -> None:
        for index in range(3):
            Group(section, f"group-{index}", index)

    reference = _render(build, monkeypatch, "0")
    batched = _render(build, monkeypatch, "1")
    assert batched == reference
    assert len(reference) == 12
    service = next(o for o in reference if o["kind"] == "Service")
    assert service["metadata"]["labels"] == {"cost": "c1", "own": "label", "team": "mine"}  # the object's label wins
    assert service["spec"] == {"clusterIP": "None", "ports": [{"port": 80, "targetPort": "http"}]}  # wire names, union value


def test_round_trips_do_not_grow_with_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = []
    for groups in (2, 20):
        monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "1")
        app = cdk8s.App()
        with jsii_speed.fast_jsii():
            section = Section(app, "section", env="dev", directory="workloads/x", sync=None)
            calls = _calls(monkeypatch)
            for index in range(groups):
                Group(section, f"group-{index}", index)
            assert len(section.manifests(final=True)) == 4 * groups
        counts.append(len(calls))
        monkeypatch.undo()
    assert counts[0] == counts[1] <= 6, counts  # the App, the Section, values, objects, its toJson, the assembly load


def test_a_question_to_a_recorded_construct_creates_it_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    paths: dict[str, str] = {}

    def build(section: Section) -> None:
        group = Group(section, "group", 0)
        paths["group"] = group.node.path  # a grouping construct: created for real, under the Section
        service = k8s.KubeService(group, "late", metadata=k8s.ObjectMeta(name="late", namespace="apps-x"), spec=k8s.ServiceSpec(type="ClusterIP"))
        paths["late"] = service.node.path  # an ApiObject below it: created in place, path and all
        assert service.name == "late"

    reference = _render(build, monkeypatch, "0")
    reference_paths = dict(paths)
    assert _render(build, monkeypatch, "1") == reference
    assert paths == reference_paths == {"group": "section/group", "late": "section/group/late"}


def test_a_recorded_object_answers_its_name_without_a_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "1")
    app = cdk8s.App()
    with jsii_speed.fast_jsii():
        section = Section(app, "section", env="dev", directory="workloads/x", sync=None)
        config_map = k8s.KubeConfigMap(section, "cm", metadata=k8s.ObjectMeta(name="scripts"), data={"a": "b"})
        calls = _calls(monkeypatch)
        assert config_map.name == "scripts"
        assert calls == []
        assert batching.active() is not None and batching.active().record_of(config_map) is not None


def test_unnamed_objects_and_python_subclasses_are_created_for_real(monkeypatch: pytest.MonkeyPatch) -> None:
    class OwnService(k8s.KubeService):  # a Python subclass may override what node calls back
        pass

    def build(section: Section) -> None:
        k8s.KubeConfigMap(section, "unnamed", data={"a": "b"})  # cdk8s names it from the construct path
        OwnService(section, "own", metadata=k8s.ObjectMeta(name="own"), spec=k8s.ServiceSpec(type="ClusterIP"))

    reference = _render(build, monkeypatch, "0")
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "1")
    stats: dict[str, int] = {}
    original = batching.Batch.flush

    def flush(self: batching.Batch) -> None:
        original(self)
        stats.update(self.stats)

    monkeypatch.setattr(batching.Batch, "flush", flush)
    assert _render(build, monkeypatch, "1") == reference
    assert [o["metadata"]["name"] for o in reference] == ["section-unnamed", "own"]
    assert stats["batched"] == 0


def test_optimisation_off_records_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    with jsii_speed.fast_jsii():
        assert batching.active() is None


def test_errors_in_node_reach_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "1")
    with jsii_speed.fast_jsii():
        batch = batching.active()
        assert batch is not None
        with pytest.raises(RuntimeError, match="no class cdk8s.Missing"):
            batch._call("call", [["cdk8s.Missing", "fromString", ["x"]]])


def test_the_assembly_is_deterministic() -> None:
    assert batching.assembly_tarball() == batching.assembly_tarball()
    spec = batching.assembly_spec()
    assert [m["name"] for m in spec["types"][f"{batching.ASSEMBLY}.Batch"]["methods"]] == ["call", "construct", "define"]
