"""goldenpath/fastimport.py: skipping the providers' eager submodule imports changes nothing but time.

A fresh interpreter with ``GOLDENPATH_EAGER_IMPORTS=1`` (and ``GOLDENPATH_OPTIMIZE=0``: no
attribute memo either, stacks/attributes.py) synthesizes the whole default platform;
every file must be byte-identical to the session's synth (with the fix), which must have loaded
only a small fraction of the AWS provider's ~2,200 submodules (DESIGN §2), and to a fresh
interpreter's with the fix, whose jsii runtime must have loaded the provider's JavaScript entry
module lazily (goldenpath/jsii_node) and only a small fraction of its submodules, and which
must have left nothing in its temporary directory (the jsii runtime's JavaScript is written once,
under .gen/jsii-runtime/).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
from pathlib import Path
from goldenpath import fastimport
fastimport.install()
from goldenpath.config import load_config
from stacks.app import build_app
build_app(load_config(Path("config")), outdir=sys.argv[1]).synth()
print(sum(1 for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws.")))
"""


def _start(outdir: Path, eager: bool, log: Path | None = None, tmp: Path | None = None) -> subprocess.Popen[str]:
    # JSII_NODE: this session's own (fastimport.install in conftest) is not inherited
    env = {k: v for k, v in os.environ.items() if k not in ("GOLDENPATH_EAGER_IMPORTS", "JSII_NODE")}
    env.update(PYTHONPATH=str(REPO), JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1")
    if eager:  # the reference: every optimisation off (stacks/attributes.py's memo too)
        env["GOLDENPATH_EAGER_IMPORTS"] = "1"
        env["GOLDENPATH_OPTIMIZE"] = "0"
    if log is not None:
        env["GOLDENPATH_LAZY_INDEX_LOG"] = str(log)
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(outdir)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_fast_import_synthesizes_identical_json(tmp_path: Path, synthesized: Path) -> None:
    # GIVEN fresh processes without and with both fixes, and the session's synth (which has them)
    eager_out, lazy_out, log, lazy_tmp = tmp_path / "eager", tmp_path / "lazy", tmp_path / "lazy-index.log", tmp_path / "lazy-tmp"
    lazy_tmp.mkdir()
    eager, lazy = _start(eager_out, eager=True), _start(lazy_out, eager=False, log=log, tmp=lazy_tmp)
    eager_stdout, eager_stderr = eager.communicate(timeout=300)
    assert eager.returncode == 0, eager_stderr
    lazy_stderr = lazy.communicate(timeout=300)[1]
    assert lazy.returncode == 0, lazy_stderr
    # THEN every synthesized stack file is byte-identical
    fast_files = _files(synthesized / "cdktf.out")
    eager_files = _files(eager_out)
    assert any(name.endswith("cdk.tf.json") for name in fast_files)
    assert fast_files == eager_files
    assert _files(lazy_out) == eager_files
    # AND the fresh fixed process's node rewrote the AWS provider's entry and loaded few submodules
    entries = {e["file"]: e for line in log.read_text().splitlines() for e in json.loads(line)["entries"]}
    aws = entries["@cdktf/provider-aws/lib/index.js"]
    assert aws["lazy"] is True and aws["exports"] > 2000
    assert aws["loaded"] > 0 and aws["loaded"] * 10 < aws["exports"]
    # AND it left no copy of the jsii runtime in its temporary directory (nor anything else)
    assert sorted(p.name for p in lazy_tmp.iterdir()) == []
    # AND the fast path (this process: every test's imports included) loaded far fewer AWS
    # provider submodules
    fast_modules = sum(1 for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws."))
    eager_modules = int(eager_stdout.split()[-1])
    assert eager_modules > 2000
    assert fast_modules > 0 and fast_modules * 10 < eager_modules  # ~90 vs ~2,200 today


# ---- the persistent jsii runtime, in process ----


def _embedded_files() -> dict[str, bytes]:
    import jsii._embedded.jsii as embedded

    source = Path(embedded.__file__).parent
    return {target: (source / resource).read_bytes() for resource, target in embedded.EMBEDDED_FILES.items()}


def test_the_runtime_is_written_once_with_the_embedded_bytes(tmp_path: Path) -> None:
    import jsii._embedded.jsii as embedded

    from goldenpath import fastimport

    # WHEN the unpatched persistent runtime is asked for twice
    entry = fastimport.persistent_runtime(tmp_path, patched=False)
    assert entry is not None
    written = {p.relative_to(entry.parent.parent).as_posix(): p.stat().st_mtime_ns for p in entry.parent.parent.rglob("*") if p.is_file()}
    assert fastimport.persistent_runtime(tmp_path, patched=False) == entry
    # THEN one directory holds exactly jsii's embedded files, entry point included, never rewritten
    assert [p.name for p in tmp_path.iterdir()] == [entry.parent.parent.name]
    root = entry.parent.parent
    assert {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()} == _embedded_files()
    assert entry.relative_to(root).as_posix() == embedded.EMBEDDED_FILES[embedded.ENTRYPOINT]
    assert {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == written


def test_other_runtime_bytes_get_another_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenpath import fastimport

    first = fastimport.persistent_runtime(tmp_path, patched=False)
    source, names, entry_point = fastimport._embedded_runtime()  # type: ignore[misc]
    changed = tmp_path.parent / "changed-jsii"
    changed.mkdir()
    for resource in names:
        (changed / resource).write_bytes((source / resource).read_bytes() + b"\n")
    monkeypatch.setattr(fastimport, "_embedded_runtime", lambda: (changed, names, entry_point))
    second = fastimport.persistent_runtime(tmp_path, patched=False)
    assert first is not None and second is not None and first != second
    assert second.read_bytes() == (changed / entry_point).read_bytes()


def test_the_patched_runtime_differs_by_exactly_its_patches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenpath import fastimport

    # GIVEN this jsii: every patch's text occurs once (a jsii upgrade that moves it fails here, so
    # the patch is looked at again rather than silently dropped)
    embedded = _embedded_files()
    for target, original, _replacement, _why in fastimport.RUNTIME_PATCHES:
        assert embedded[target].count(original.encode()) == 1, target
        assert original.encode() not in fastimport.patch_runtime(embedded)[target]
    # WHEN the runtime is written with the optimisations on (the default) and off
    monkeypatch.delenv("GOLDENPATH_OPTIMIZE", raising=False)
    patched = fastimport.persistent_runtime(tmp_path)
    plain = fastimport.persistent_runtime(tmp_path, patched=False)
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    assert fastimport.persistent_runtime(tmp_path) == plain
    # THEN two directories: the patched files are jsii's with each replacement made, the rest equal
    assert patched is not None and plain is not None and patched.parent.parent != plain.parent.parent
    root = patched.parent.parent
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    expected = dict(embedded)
    for target, original, replacement, _why in fastimport.RUNTIME_PATCHES:
        expected[target] = expected[target].replace(original.encode(), replacement.encode())
    # AND the relay-free entry point beside them, program.js answering on the fd it names
    target, original, replacement = fastimport.DIRECT_PATCH
    assert expected[target].count(original.encode()) == 1
    expected[target] = expected[target].replace(original.encode(), replacement.encode())
    expected[fastimport.DIRECT_ENTRY] = fastimport.DIRECT_SOURCE.read_bytes()
    assert files == expected != embedded
    assert fastimport.direct_entry(patched) == root / fastimport.DIRECT_ENTRY
    assert fastimport.direct_entry(plain) is None
    # AND a patch whose text is not there (another jsii) leaves the file as it is
    assert fastimport.patch_runtime({"lib/program.js": b"other"}) == {"lib/program.js": b"other"}


NODE_HARNESS = """
const assert = require("assert"), util = require("util");
let inspected = 0;
const B = {default: assert}, K = {inspect: (x) => { inspected += 1; return util.inspect(x); }};
const check = new Function("B", "K", "e", "return " + process.argv[1] + ";");
const outcome = (e) => { try { check(B, K, e); return "ok"; } catch (err) { return err.constructor.name + ": " + err.message; } };
const good = outcome({type: {primitive: "string"}}), goodInspected = inspected;
console.log(JSON.stringify({good, goodInspected, bad: outcome(null), badInspected: inspected - goodInspected}));
"""


def _node_outcomes(expression: str) -> dict[str, object]:
    done = subprocess.run(["node", "-e", NODE_HARNESS, expression], capture_output=True, text=True, check=True, timeout=60)
    outcomes: dict[str, object] = json.loads(done.stdout)
    return outcomes


def test_each_patch_does_what_jsii_does_with_less_work() -> None:
    # GIVEN each patch's original and replacement, run by node with the bindings the runtime's
    # expression uses (B: node's assert, K: util with inspect counted, e: the type reference)
    from goldenpath import fastimport

    for _target, original, replacement, why in fastimport.RUNTIME_PATCHES:
        before, after = _node_outcomes(original), _node_outcomes(replacement)
        # THEN a passing check passes alike, a failing one fails with the same error and message
        assert before["good"] == after["good"] == "ok", why
        assert before["bad"] == after["bad"] and str(before["bad"]).startswith("AssertionError: ")
        # AND the replacement formats the message only when the check fails
        assert (before["goodInspected"], after["goodInspected"]) == (1, 0)
        assert before["badInspected"] == after["badInspected"] == 1


def test_an_unwritable_cache_leaves_jsii_extracting_as_before(tmp_path: Path) -> None:
    from goldenpath import fastimport

    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert fastimport.persistent_runtime(blocked / "cache") is None


def test_jsii_starts_from_the_persistent_runtime_and_reads_a_users_jsii_runtime_first() -> None:
    from jsii._kernel.providers import process

    from goldenpath import fastimport

    fastimport.install()  # (conftest did already; installing twice changes nothing)
    entry = fastimport.persistent_runtime()
    assert entry is not None
    # its relay-free entry point, since this session's node is jsii_node/node (conftest)
    assert os.environ["JSII_NODE"] == str(fastimport.LAZY_NODE)
    assert process._NodeProcess._jsii_runtime(None) == str(entry.parent.parent / fastimport.DIRECT_ENTRY)  # type: ignore[arg-type]
    # the patched copy (the optimisations are on here): every replacement is in what node runs
    root = entry.parent.parent
    assert all(replacement.encode() in (root / target).read_bytes() for target, _original, replacement, _why in fastimport.RUNTIME_PATCHES)
    # jsii itself prefers the variable, as before (process.py: environ.get("JSII_RUNTIME", ...))
    source = Path(process.__file__).read_text(encoding="utf-8")
    assert 'environ.get("JSII_RUNTIME", self._jsii_runtime())' in source


def test_jsii_is_given_its_own_relay_under_a_users_node_or_jsii_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the installed runtime (the relay-free entry point exists beside jsii's)
    from jsii._kernel.providers import process

    from goldenpath import fastimport

    entry = fastimport.persistent_runtime()
    assert entry is not None and fastimport.direct_entry(entry) is not None
    # WHEN jsii's node is the user's (it would not arrange the fds), or JSII_DEBUG is set
    monkeypatch.setenv("JSII_NODE", "node")
    assert process._NodeProcess._jsii_runtime(None) == str(entry)  # type: ignore[arg-type]
    monkeypatch.setenv("JSII_NODE", str(fastimport.LAZY_NODE))
    monkeypatch.setenv("JSII_DEBUG", "1")
    # THEN jsii runs its own entry point (the relay), with the same patched kernel
    assert process._NodeProcess._jsii_runtime(None) == str(entry)  # type: ignore[arg-type]


# A preload that writes to the console once the entry point has run, as code in the kernel would
# (in the kernel's process only: the relay's own process gets NODE_OPTIONS too)
CONSOLE = """/jsii-runtime[.]js$/.test(process.argv[1]) || setImmediate(() => { console.log("to stdout \u00e9"); process.stderr.write(Buffer.from([0xff, 10])); console.error("to stderr"); });"""


def _run_kernel(node: str, entry: Path, preload: Path) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    """Start the kernel as jsii does (node, its flag, the entry point; requests on stdin, responses
    on stdout, console on stderr), ask it for stats, end it; (its responses, its stderr lines)."""
    env = {"PATH": os.environ["PATH"], "NODE_OPTIONS": f"--require {preload}"}
    env.update((k, v) for k, v in os.environ.items() if k.startswith("JSII_SILENCE_"))  # fastimport.quiet_jsii's
    done = subprocess.run(
        [node, "--max-old-space-size=4069", str(entry)], input=b'{"api":"stats"}\n{"exit":0}\n', capture_output=True, env=env, timeout=60, check=True
    )
    responses = [json.loads(line) for line in done.stdout.splitlines()]
    return responses, [json.loads(line) for line in done.stderr.splitlines()]


def test_the_relay_free_kernel_answers_and_prints_exactly_as_under_jsiis_relay(tmp_path: Path) -> None:
    from goldenpath import fastimport

    preload = tmp_path / "console.js"
    preload.write_text(CONSOLE)
    entry = fastimport.persistent_runtime(tmp_path / "runtime")
    assert entry is not None
    direct = fastimport.direct_entry(entry)
    assert direct is not None
    # WHEN the patched kernel runs without the relay (jsii_node/node arranging its fds), under
    # jsii's own relay, and jsii's unpatched runtime under its relay
    plain = fastimport.persistent_runtime(tmp_path / "runtime", patched=False)
    assert plain is not None
    runs = [_run_kernel(str(fastimport.LAZY_NODE), direct, preload), _run_kernel("node", entry, preload), _run_kernel("node", plain, preload)]
    # THEN each says hello and answers the request on stdout, nothing else there
    for responses, _console in runs:
        assert [sorted(r) for r in responses] == [["hello"], ["ok"]]
        assert str(responses[0]["hello"]).startswith("@jsii/runtime@")
    # AND the console output reaches stderr as the relay encodes it, each stream's bytes intact and
    # in order (the relay splits them where its pipe reads happened to; Python joins them again)
    streams = [{name: b"".join(base64.b64decode(line[name]) for line in console if name in line) for name in ("stdout", "stderr")} for _responses, console in runs]
    assert all(len(line) == 1 and set(line) <= {"stdout", "stderr"} for _responses, console in runs for line in console)
    assert streams[0] == streams[1] == streams[2] == {"stdout": "to stdout \u00e9\n".encode(), "stderr": b"\xff\nto stderr\n"}
