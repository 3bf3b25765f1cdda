"""ApiObjects created in batches: one jsii call for thousands of constructs, the same constructs.

Through jsii every construct costs a round trip to node (~0.3 ms on this machine before any
work), and a 100-app tree is ~8,500 constructs, a third of them plain grouping ``Construct``s
that only give the others a path. While a :class:`Batch` is active (inside
:func:`cdk8s_app.jsii_speed.fast_jsii`), creating an ApiObject (a generated typed class such as
``k8s.KubeService`` or ``Application``, or ``cdk8s.ApiObject``) or a grouping ``Construct``
under a :class:`~cdk8s_app.layout.Section` only records it; so does a Section itself with its own
``cdk8s.App`` (created first, by ``Batch.construct``), and the value factories (``Batch.call``). Before a Section is rendered, every
recorded ApiObject is created by one call of ``jsii_batch/index.js`` (loaded as a small jsii
assembly): the real class, with the arguments the kernel decoded exactly as for its own
``create`` (structs, enums, objects by reference), so cdk8s builds and renders the same object;
then the Python object is bound to it and is an ordinary jsii object from there on.

What changes is only the construct tree's shape: a batched object is a direct child of its
Section, with its path below the Section as id (``workload--service``), and grouping constructs
never reach node. Objects whose output could depend on that are not batched: cdk8s derives a
missing ``metadata.name`` from the path, so only named objects are, and a Python subclass (which
may override methods node calls back) never is. Anything else asked of a recorded construct
(``.node``, a method, being an argument of a real call) first creates it, and its scopes, in
place (:meth:`Batch.materialise`). ``GOLDENPATH_OPTIMIZE=0`` turns batching off with the other
shortcuts; ``tests/cdk8s_app/test_render_identity.py`` compares both ways byte for byte.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import cdk8s
import constructs
import jsii
import jsii._kernel as _kernel
import jsii._reference_map as _reference_map
from cdk8s_plus_33 import k8s
from jsii._kernel.providers import process as _process
from jsii._kernel.types import InvokeResponse, ObjRef

from imports.prometheus_prometheusrule.com.coreos.monitoring import PrometheusRuleSpecGroupsRulesExpr

ASSEMBLY = "goldenpath-cdk8s-batch"
ASSEMBLY_VERSION = "1.0.0"
_SOURCE = Path(__file__).with_name("jsii_batch") / "index.js"
_PREFIX = "goldenpath-recorded@"
CHUNK = 2000  # objects per call: bounded request and response sizes at any number of apps
ID_SEPARATOR = "--"  # what constructs itself puts for a "/" in an id


@dataclass(eq=False)
class Record:
    klass: Any  # a jsii class (its __jsii_type__ and friends are set by jsii)
    obj: Any
    args: list[Any]
    section: Any  # layout.Section (None for a value)
    kind: str  # "api-object", "construct", "value" (a static factory's result, e.g. IntOrString),
    # "app" or "chart" (a Section with an App of its own, and that App)
    patches: list[Any] = field(default_factory=list)  # cdk8s.JsonPatch objects, in call order
    method: str = ""  # a value's factory
    real: bool = False


class Batch:
    """The recorded constructs of one render, and the jsii entry points that consult them."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.pending: dict[int, Record] = {}  # id(record) -> record, in creation order
        self.real_section: dict[int, Any] = {}  # id(real construct under a Section) -> Section
        self._keep: list[Any] = []  # keeps those constructs alive, so their ids stay theirs
        self._overrides: dict[type, bool] = {}
        self._loaded = False
        self.stats = {"recorded": 0, "batched": 0, "materialised": 0, "calls": 0}
        self.values: dict[int, Record] = {}  # pending factory results, in call order
        self.charts: dict[int, Record] = {}  # pending Sections and their Apps, in creation order
        self.original = {name: getattr(jsii, name) for name in ("create", "get", "set", "invoke", "sinvoke")}

    # ---- the jsii entry points (module attributes the generated bindings call) ----
    def record_app(self) -> Any:
        """A Section's own ``cdk8s.App()``, recorded: created with the Section at the next flush."""
        app = cdk8s.App.__new__(cdk8s.App)
        record = Record(cdk8s.App, app, [cdk8s.AppProps()], None, "app")  # what `cdk8s.App()` passes
        self.charts[id(record)] = record
        self._bind(record)
        return app

    def create(self, klass: Any, obj: Any, args: list[Any] | None = None) -> Any:
        args = list(args or [])
        if self._is_section_chart(klass, obj, args):
            record = Record(klass, obj, args, obj, "chart")  # a Section: scope its recorded App
            self.charts[id(record)] = record
            obj.batched_pending = True
            return self._bind(record)
        section = self._section_of(args[0]) if args else None
        kind = self._recordable(klass, obj, args) if section is not None else None
        if kind is None or section is None:
            ref = self.original["create"](klass, obj, args)  # arguments that are records: materialised
            if section is not None:
                self._note_real(obj, section)
                section.batched_nested = section.batched_nested or issubclass(klass, cdk8s.Chart)
            return ref
        record = Record(klass, obj, args, section, kind)
        self.pending[id(record)] = record
        section.batched_pending = True
        return self._bind(record)

    def sinvoke(self, klass: Any, method: str, args: list[Any] | None = None) -> Any:
        """The value factories (``IntOrString.from_string``, ``JsonPatch.add``, ...) return
        immutable objects: recorded, and created with the next batch."""
        if (klass, method) not in FACTORIES:
            return self.original["sinvoke"](klass, method, args)
        record = Record(klass, klass.__new__(klass), list(args or []), None, "value", method=method)
        self.values[id(record)] = record
        self._bind(record)
        return record.obj

    def _bind(self, record: Record) -> ObjRef:
        ref = ObjRef(ref=f"{_PREFIX}{len(self.records)}")
        record.obj.__jsii_ref__ = ref
        self.records[ref.ref] = record
        self.stats["recorded"] += 1
        return ref

    def get(self, obj: Any, prop: str) -> Any:
        record = self.record_of(obj)
        if record is not None and record.kind == "api-object" and prop == "name":
            return _metadata_name(record.args[2])  # ApiObject.name is metadata.name when set
        self.materialise(obj)
        return self.original["get"](obj, prop)

    def set(self, obj: Any, property: str, value: Any) -> None:  # noqa: A002 - jsii.set's own parameter name
        self.materialise(obj)
        self.original["set"](obj, property, value)

    def invoke(self, obj: Any, method: str, args: list[Any] | None = None) -> Any:
        record = self.record_of(obj)
        if record is not None and record.kind == "api-object" and method == "addJsonPatch":
            record.patches.extend(args or [])  # applied right after the constructor, as here
            return None
        self.materialise(obj)
        return self.original["invoke"](obj, method, args)

    # ---- records ----
    def record_of(self, obj: Any) -> Record | None:
        """The record of a construct that exists only here (None once it is real)."""
        ref = getattr(obj, "__jsii_ref__", None)
        if not isinstance(ref, ObjRef) or not ref.ref.startswith(_PREFIX):
            return None
        record = self.records.get(ref.ref)
        return record if record is not None and not record.real else None

    def materialise(self, obj: Any) -> None:
        """Create a recorded construct (and its recorded scopes) through jsii, in place."""
        record = self.record_of(obj)
        if record is None:
            return
        record.real = True
        self.stats["materialised"] += 1
        if record.kind in ("app", "chart"):
            self.charts.pop(id(record))
            self.original["create"](record.klass, record.obj, record.args)  # its App first
            if record.kind == "chart":
                self._note_real(record.obj, record.obj)
            return
        if record.kind == "value":
            self.values.pop(id(record))
            ref = _send({"fqn": record.klass.__jsii_type__, "method": record.method, "args": self.wire(record.args), "api": "sinvoke"})
            self._assign(record, ref)
            return
        self.pending.pop(id(record), None)
        self.original["create"](record.klass, record.obj, record.args)  # records among them first
        for patch in record.patches:
            self.original["invoke"](record.obj, "addJsonPatch", [patch])
        self._note_real(record.obj, record.section)

    def _assign(self, record: Record, ref: Any) -> None:
        """Bind a record's Python object to the JavaScript object made for it."""
        record.obj.__jsii_ref__ = ref if isinstance(ref, ObjRef) else ObjRef(ref=ref["$jsii.byref"])
        _reference_map.register_reference(record.obj)
        record.real = True

    def _note_real(self, obj: Any, section: Any) -> None:
        self.real_section[id(obj)] = section
        self._keep.append(obj)
        section.invalidate()

    def _section_of(self, scope: Any) -> Any:
        if getattr(scope, "batchable", False):
            return scope
        ref = getattr(scope, "__jsii_ref__", None)
        if isinstance(ref, ObjRef) and ref.ref in self.records:
            return self.records[ref.ref].section
        return self.real_section.get(id(scope))

    def _recordable(self, klass: Any, obj: Any, args: list[Any]) -> str | None:
        """"api-object" / "construct" when ``klass(scope, id[, props])`` can be recorded."""
        if len(args) < 2 or not isinstance(args[0], constructs.Construct) or not isinstance(args[1], str):
            return None
        if klass.__jsii_type__ == "constructs.Construct":
            return "construct" if len(args) == 2 and not self._has_overrides(klass, obj) else None
        if len(args) != 3 or not issubclass(klass, cdk8s.ApiObject) or klass.__jsii_declared_type__ is None:
            return None  # a Python subclass may override what node calls back
        return "api-object" if _metadata_name(args[2]) else None  # unnamed: cdk8s names it by path

    def _is_section_chart(self, klass: type, obj: Any, args: list[Any]) -> bool:
        app = self.record_of(args[0]) if args else None
        return (
            app is not None and app.kind == "app" and len(args) == 3 and issubclass(klass, cdk8s.Chart)
            and getattr(obj, "batchable", False) and not self._has_overrides(klass, obj)
        )

    def _has_overrides(self, klass: type, obj: Any) -> bool:
        if klass not in self._overrides:
            self._overrides[klass] = bool(_kernel._get_overides(klass, obj))
        return self._overrides[klass]

    def _placement(self, record: Record) -> tuple[Any, str]:
        """Its nearest real scope (the Section, unless a grouping construct became real) and its
        construct path below that scope, as one id."""
        parts = [record.args[1]]
        scope = record.args[0]
        while not getattr(scope, "batchable", False) and (parent := self.record_of(scope)) is not None:
            parts.append(parent.args[1])
            scope = parent.args[0]
        return scope, ID_SEPARATOR.join(reversed(parts))

    # ---- the flush ----
    def flush(self) -> None:
        """Create every pending value, then every pending ApiObject, CHUNK at a time, each chunk
        one jsii call (grouping constructs stay records: a later question still materialises one)."""
        pending, self.pending = list(self.pending.values()), {}
        for record in pending:
            record.section.batched_pending = False
        objects = [r for r in pending if r.kind == "api-object"]
        charts, self.charts = list(self.charts.values()), {}
        for kind in ("app", "chart"):  # the Apps, then the Sections in them
            made = [r for r in charts if r.kind == kind and not r.real]
            for start in range(0, len(made), CHUNK):
                chunk = made[start : start + CHUNK]
                items = [[r.klass.__jsii_type__, self.wire(r.args)] for r in chunk]
                for record, ref in zip(chunk, self._call("construct", items), strict=True):
                    self._assign(record, ref)
        values, self.values = list(self.values.values()), {}
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            calls = [[r.klass.__jsii_type__, r.method, self.wire(r.args)] for r in chunk]
            for record, ref in zip(chunk, self._call("call", calls), strict=True):
                self._assign(record, ref)
        for start in range(0, len(objects), CHUNK):
            self._define([r for r in objects[start : start + CHUNK] if not r.real])

    def _define(self, chunk: list[Record]) -> None:
        entries = []
        for record in chunk:
            # (Encoding a record's arguments may materialise another record they refer to.)
            scope, construct_id = self._placement(record)
            entries.append((record, self.wire([scope, construct_id, record.klass.__jsii_type__, record.args[2], list(record.patches)])))
        entries = [(record, wire) for record, wire in entries if not record.real]
        if not entries:
            return
        for (record, _), ref in zip(entries, self._call("define", [wire for _, wire in entries]), strict=True):
            self._assign(record, ref)
            self.stats["batched"] += 1
            self._note_real(record.obj, record.section)

    def _call(self, method: str, items: list[Any]) -> list[Any]:
        self._load()
        refs = _send({"fqn": f"{ASSEMBLY}.Batch", "method": method, "args": [items], "api": "sinvoke"})
        if not isinstance(refs, list) or len(refs) != len(items):
            raise RuntimeError(f"jsii batch {method}: {len(items)} sent, {refs!r:.200} came back")
        self.stats["calls"] += 1
        return refs

    def wire(self, value: Any) -> Any:
        """``value`` as jsii sends it (its own encoder, with cdk8s_app.jsii_speed's struct
        shortcut): each batched construct receives exactly what its own ``create`` would."""
        return _kernel._make_reference_for_native(jsii.kernel, value)

    def _load(self) -> None:
        if self._loaded:
            return
        with tempfile.TemporaryDirectory(prefix="goldenpath-jsii-batch-") as tmp:
            tarball = Path(tmp) / f"{ASSEMBLY}@{ASSEMBLY_VERSION}.jsii.tgz"
            tarball.write_bytes(assembly_tarball())
            jsii.kernel.load(ASSEMBLY, ASSEMBLY_VERSION, str(tarball))  # extracted by node at once
        self._loaded = True


# Union-of-scalars classes: their ``fromString``/``fromNumber`` return immutable holders of the
# value (cdk8s reads them only when it renders), as does ``JsonPatch.add``. Recorded like
# constructs, created with the next batch; cdk8s_app.jsii_speed memoises the same factories.
VALUE_CLASSES: tuple[type, ...] = (k8s.IntOrString, k8s.Quantity, PrometheusRuleSpecGroupsRulesExpr)
FACTORIES: frozenset[tuple[type, str]] = frozenset(
    {(cls, method) for cls in VALUE_CLASSES for method in ("fromString", "fromNumber")} | {(cdk8s.JsonPatch, "add")}
)


def to_json(chart: Any) -> Any:
    """``chart.to_json()``, without jsii's walk of the reply for references (plain JSON here)."""
    return _send({"objref": {"$jsii.byref": chart.__jsii_ref__.ref}, "method": "toJson", "args": [], "api": "invoke"})


def _send(request: dict[str, Any]) -> Any:
    """One kernel request written as JSON directly: jsii's provider would first walk it with cattrs
    (a second of a 100-app render), for a request that is JSON already. Same framing, same reply
    handling as ``_NodeProcess.send``."""
    node = cast(Any, jsii.kernel.provider)._process
    stdin = node._process.stdin
    stdin.write(json.dumps(request, default=_process.jdefault).encode("utf-8") + b"\n")
    stdin.flush()
    response = node._serializer.structure(node._next_message(), _process._ProcessResponse)
    if isinstance(response, _process._OkayResponse):
        return node._serializer.structure(response.ok, InvokeResponse).result
    if isinstance(response, _process._CallbackResponse):
        raise RuntimeError("jsii batch: node called back into Python during a batched call")
    raise RuntimeError(response.error) from _process.JavaScriptError(response.stack)


def assembly_spec() -> dict[str, Any]:
    """The .jsii of the batch assembly: one class, two static methods taking and returning any[]
    (any: the kernel decodes each element as it comes, structs and references included)."""
    fqn = f"{ASSEMBLY}.Batch"
    any_list = {"collection": {"kind": "array", "elementtype": {"primitive": "any"}}}
    return {
        "schema": "jsii/0.10.0",
        "name": ASSEMBLY,
        "version": ASSEMBLY_VERSION,
        "license": "Apache-2.0",
        "description": "goldenpath: many cdk8s constructs per jsii call (cdk8s_app/batching.py)",
        "homepage": "https://example.invalid/goldenpath",
        "repository": {"type": "git", "url": "https://example.invalid/goldenpath.git"},
        "author": {"name": "goldenpath", "roles": ["author"]},
        "fingerprint": "goldenpath-cdk8s-batch",
        "jsiiVersion": "1.0.0",
        "types": {
            fqn: {
                "assembly": ASSEMBLY, "fqn": fqn, "kind": "class", "name": "Batch",
                "methods": [
                    {"name": name, "static": True, "parameters": [{"name": "items", "type": any_list}], "returns": {"type": any_list}}
                    for name in ("call", "construct", "define")
                ],
            }
        },
    }


def assembly_tarball() -> bytes:
    """package/{package.json,.jsii,index.js} as jsii's kernel loads an assembly (deterministic)."""
    files = {
        "package/package.json": json.dumps({"name": ASSEMBLY, "version": ASSEMBLY_VERSION, "main": "index.js", "license": "Apache-2.0"}),
        "package/.jsii": json.dumps(assembly_spec(), sort_keys=True),
        "package/index.js": _SOURCE.read_text(encoding="utf-8"),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _metadata_name(props: Any) -> str | None:
    metadata = getattr(props, "_values", {}).get("metadata")
    return getattr(metadata, "_values", {}).get("name") if metadata is not None else None


_active: Batch | None = None


def active() -> Batch | None:
    return _active


@contextmanager
def batching() -> Iterator[Batch]:
    """Record constructs under Sections until they are rendered (see the module docstring)."""
    global _active
    if _active is not None:  # re-entrant: the outermost render owns the batch
        yield _active
        return
    batch = Batch()
    _active = batch
    jsii.create, jsii.get, jsii.set, jsii.invoke, jsii.sinvoke = batch.create, batch.get, batch.set, batch.invoke, batch.sinvoke
    try:
        yield batch
        batch.flush()  # every ApiObject real before the records stop answering
    finally:
        for name, function in batch.original.items():
            setattr(jsii, name, function)
        _active = None
