"""Skip the eager import of every provider submodule (DESIGN §2, "known traps").

``cdktf_cdktf_provider_aws/__init__.py`` imports all of its ~2,200 resource submodules, which
costs 7+ s per process although a platform uses a few dozen. We register each provider
package in ``sys.modules`` as a bare package (keeping ``__path__``) without executing its
``__init__``; ``import cdktf_cdktf_provider_aws.vpc`` then loads only ``vpc`` and the shared
``_jsii`` assembly loader. tests/test_fastimport.py proves the synthesized JSON is identical.

The node side has the same trap: the provider's JavaScript entry module requires all of its
submodules when jsii loads the assembly (2.3 s of node per process). :func:`install` also names
``jsii_node/node`` as the jsii runtime's node (``JSII_NODE``, unless the user set one), which
preloads ``jsii_node/lazy_provider_index.js``: each submodule is required when the kernel first
reaches it. The same test proves that identical too. It also preloads
``jsii_node/no_creation_stacks.js``: cdktf's tokens record no stack trace of the kernel's frames.

The jsii runtime's own JavaScript (``bin/jsii-runtime.js``, ``lib/program.js``: 2.2 MB) is
written by jsii into a fresh temporary directory in every process, removed only by an ``atexit``
hook that a CLI leaving with ``os._exit`` (orchestration/entry.py), a forked child or a killed
synth never runs: one 2.2 MB directory left in ``/tmp`` per jsii process. :func:`install` writes
it once per jsii version under ``.gen/jsii-runtime/`` and has jsii's process provider use it
(its ``JSII_RUNTIME`` variable cannot: jsii extracts the default before it reads the variable, in
``environ.get("JSII_RUNTIME", self._jsii_runtime())``; a ``JSII_RUNTIME`` the user set still wins).

That copy also carries :data:`RUNTIME_PATCHES`, exact-text fixes of the runtime's own needless
work (one so far: an assertion that formatted its failure message on every call, a third of the
node runtime's CPU in the GitOps render). Each applies only where its text occurs exactly once, so
another jsii runs as it ships; ``GOLDENPATH_OPTIMIZE=0`` runs the runtime unpatched, and the render
identity tests compare the two.

The patched copy also has no relay process: jsii's entry point ``bin/jsii-runtime.js`` only
spawns a second node for the kernel and relays every call between the two; the copy adds
``bin/goldenpath-direct.js`` (``jsii_node/direct_runtime.js``), which runs the kernel in the
process jsii starts, with the fds ``jsii_node/node`` arranges (:data:`DIRECT_PATCH`). jsii is
given that entry only when its node is ``jsii_node/node`` (no ``JSII_NODE`` of the user's) and
``JSII_DEBUG`` is unset (the kernel's debug lines would not pass through the relay's encoding).

Call :func:`install` before importing any provider module (the jsii runtime starts with the
first one). ``GOLDENPATH_EAGER_IMPORTS=1`` disables all three (used by that test and by ``make bench``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from goldenpath import optimize

LAZY_NODE = Path(__file__).with_name("jsii_node") / "node"
RUNTIME_CACHE = Path(__file__).resolve().parent.parent / ".gen" / "jsii-runtime"

PROVIDER_PACKAGES = (
    "cdktf_cdktf_provider_aws",
    "cdktf_cdktf_provider_helm",
)


# (file of the runtime, text as jsii ships it, replacement, why). The replacement must do exactly
# what the original does, only less work; tests/test_fastimport.py runs both in node.
RUNTIME_PATCHES: tuple[tuple[str, str, str, str], ...] = (
    (
        "lib/program.js",
        "(0,B.default)(null!=e,`Kernel error: expected type information, got ${(0,K.inspect)(e)}`)",
        "null!=e||(0,B.default)(!1,`Kernel error: expected type information, got ${(0,K.inspect)(e)}`)",
        # computeSerializationType (every value crossing the process boundary) built this message,
        # util.inspect of the whole type reference, before asserting; now only when it fails.
        # Measured at 100 apps: util.inspect 0.54 s of the GitOps render's 2.1-2.7 s of node CPU,
        # which fell to 1.3-1.7 s (three interleaved pairs, node's --cpu-prof).
        "assertion message formatted on every call",
    ),
)


# The kernel's responses go where the direct entry says (fd 4), else to fd 3 as jsii ships it, so
# the patched program.js still runs under jsii's own relay (a JSII_NODE of the user's).
DIRECT_PATCH = ("lib/program.js", "readFD:3,writeFD:3", "readFD:3,writeFD:globalThis.__goldenpathJsiiWriteFd??3")
DIRECT_ENTRY = "bin/goldenpath-direct.js"
DIRECT_SOURCE = LAZY_NODE.with_name("direct_runtime.js")


def quiet_jsii() -> None:
    """jsii prints a Node 20 end-of-life banner on every start; the user can do nothing about it."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


def install() -> None:
    quiet_jsii()
    if os.environ.get("GOLDENPATH_EAGER_IMPORTS") == "1":
        return
    os.environ.setdefault("JSII_NODE", str(LAZY_NODE))  # read when the jsii runtime starts
    _use_persistent_runtime()
    for name in PROVIDER_PACKAGES:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            continue
        package = importlib.util.module_from_spec(spec)  # created, deliberately not executed
        sys.modules[name] = package


def _use_persistent_runtime() -> None:
    """jsii's ``_NodeProcess._jsii_runtime`` (extract into a new temporary directory) answers
    with the persistent copy instead; nothing else of jsii changes."""
    from jsii._kernel.providers import process

    extract = getattr(process._NodeProcess, "_jsii_runtime", None)
    if extract is None or getattr(extract, "persistent", None) is not None:
        return  # not this jsii's shape, or done (install runs once per half in a process)
    runtime = persistent_runtime()
    if runtime is None:
        return

    def persistent(_self: object) -> str:
        direct = direct_entry(runtime)
        if direct is not None and os.environ.get("JSII_NODE") == str(LAZY_NODE) and not os.environ.get("JSII_DEBUG"):
            return str(direct)
        return str(runtime)

    persistent.persistent = runtime  # type: ignore[attr-defined]
    process._NodeProcess._jsii_runtime = persistent  # type: ignore[method-assign,assignment]


def persistent_runtime(cache: Path = RUNTIME_CACHE, patched: bool | None = None) -> Path | None:
    """The entry point of the jsii runtime embedded in the installed ``jsii`` package, with
    :data:`RUNTIME_PATCHES` unless ``patched`` is False (default: the optimisation switch), written
    once under ``cache/<digest of its files>/`` (a new jsii or another patch set gets a new
    directory; the directory appears whole, by rename). None when it cannot be written (jsii then
    extracts as before)."""
    embedded = _embedded_runtime()
    if embedded is None:
        return None
    source, names, entry_point = embedded
    files = {target: (source / resource).read_bytes() for resource, target in sorted(names.items())}
    if patched is None:
        patched = optimize.requested()
    if patched:
        files = patch_runtime(files)
        files = with_direct_entry(files)
    digest = hashlib.sha256()
    for target, data in files.items():
        digest.update(f"{target}\0{len(data)}\0".encode())
        digest.update(data)
    root = cache / digest.hexdigest()[:16]
    entry = root / names[entry_point]
    if entry.is_file():
        return entry
    try:
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache))
        for target, data in files.items():
            (staging / target).parent.mkdir(parents=True, exist_ok=True)
            (staging / target).write_bytes(data)
        try:
            staging.rename(root)
        except OSError:  # another process put it there first: same bytes
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        return None
    return entry if entry.is_file() else None


def patch_runtime(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` (runtime path -> bytes) with each of :data:`RUNTIME_PATCHES` whose text occurs
    exactly once in its file; the others are left as they are."""
    patched = dict(files)
    for target, original, replacement, _why in RUNTIME_PATCHES:
        data = patched.get(target)
        if data is not None and data.count(original.encode()) == 1:
            patched[target] = data.replace(original.encode(), replacement.encode())
    return patched


def with_direct_entry(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` plus the relay-free entry point, with program.js patched to answer on its fd
    (:data:`DIRECT_PATCH`); unchanged when that text does not occur exactly once (another jsii)."""
    target, original, replacement = DIRECT_PATCH
    data = files.get(target)
    if data is None or data.count(original.encode()) != 1:
        return files
    return {**files, target: data.replace(original.encode(), replacement.encode()), DIRECT_ENTRY: DIRECT_SOURCE.read_bytes()}


def direct_entry(entry: Path) -> Path | None:
    """The relay-free entry point beside the runtime's ``entry``, when that copy has one."""
    direct = entry.parent.parent / DIRECT_ENTRY
    return direct if direct.is_file() else None


def _embedded_runtime() -> tuple[Path, dict[str, str], str] | None:
    """Where the installed jsii keeps its runtime's files, their names and its entry point, read
    from ``jsii/_embedded/jsii/__init__.py`` (a data module) without importing jsii (whose
    import is not needed to answer this)."""
    jsii_spec = importlib.util.find_spec("jsii")
    if jsii_spec is None or jsii_spec.origin is None:
        return None
    source = Path(jsii_spec.origin).parent / "_embedded" / "jsii"
    spec = importlib.util.spec_from_file_location("goldenpath_jsii_embedded_files", source / "__init__.py")
    if spec is None or spec.loader is None:
        return None
    listing = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(listing)
        names, entry_point = dict(listing.EMBEDDED_FILES), str(listing.ENTRYPOINT)
    except (OSError, AttributeError):
        return None
    return (source, names, entry_point) if entry_point in names else None
