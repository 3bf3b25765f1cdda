"""Forked helpers on 2 cores: a child that dies with its parent and hands back one pickled result.

The synth forks the GitOps render (orchestration/pipeline.py) and half of the verifier's rules
(goldenpath/verify/engine.py). A child never touches the parent's jsii runtime and leaves with
``os._exit`` (no atexit handler may tell the shared node process to exit).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import traceback
from collections.abc import Callable
from typing import Any


def die_with(parent: int) -> None:
    """A SIGKILLed synth must not leave a child behind, e.g. writing into a staging directory
    the next run is about to delete (Linux prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the parent's kill still stops it
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class Child:
    """``work()`` run in a forked child; :meth:`result` returns its value or raises its exception."""

    def __init__(self, work: Callable[[], Any]) -> None:
        parent = os.getpid()
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - reports through the pipe
            os.close(read_end)
            die_with(parent)
            try:
                outcome: tuple[str, Any] = ("ok", work())
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                outcome = ("error", exc, traceback.format_exc())  # type: ignore[assignment]
            try:
                payload = pickle.dumps(outcome)
            except Exception:  # noqa: BLE001 - an unpicklable exception: its text instead
                payload = pickle.dumps(("error", RuntimeError(outcome[-1]), outcome[-1]))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            os._exit(0)
        os.close(write_end)
        self._read_end = read_end
        self._reaped = False

    def result(self) -> Any:
        with os.fdopen(self._read_end, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(self.pid, 0)
        self._reaped = True
        if not payload:
            raise RuntimeError("a forked helper ended without a result (killed?)")
        outcome = pickle.loads(payload)
        if outcome[0] == "error":
            raise outcome[1]
        return outcome[1]

    def kill(self) -> None:
        """Stop the child if it still runs (never a reaped pid: it may be another process's now)."""
        if self._reaped:
            return
        self._reaped = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self._read_end)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
