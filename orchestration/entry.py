"""The `goldenpath` console script and ``python -m goldenpath``: run the CLI fast, then leave
without interpreter teardown.

* Re-executes itself with ``-O``: jsii's generated bindings type-check every argument with
  typeguard under ``__debug__`` (~20% of construction time); the node runtime validates the
  same values again. Output is byte-identical (tests/test_synth.py). ``GOLDENPATH_TYPECHECK=1``
  keeps the checks (the test suite calls the CLI in-process, with them).
* Caches bytecode even when ``PYTHONDONTWRITEBYTECODE`` is set (it is on these machines): the
  generated CRD bindings in imports/ are large and were compiled on every run.
* Tearing down the jsii runtime costs seconds after all output is written; nothing is left to
  flush once streams are flushed, so exit directly.
"""

import os
import sys


def main() -> None:
    if not sys.flags.optimize and os.environ.get("GOLDENPATH_TYPECHECK") != "1":
        os.execv(sys.executable, [sys.executable, "-O", "-m", "goldenpath", *sys.argv[1:]])
    sys.dont_write_bytecode = False

    try:
        from orchestration.cli import main as cli_main
    except ModuleNotFoundError as exc:  # e.g. the system python instead of the project's venv
        print(f"goldenpath: {exc.name} is not installed for {sys.executable}; run `make setup` and use .venv/bin/goldenpath", file=sys.stderr)
        sys.exit(2)

    code = cli_main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
