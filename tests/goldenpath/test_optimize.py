"""goldenpath/optimize.py: the one switch, and the collector pause the renders run under."""

from __future__ import annotations

import gc

import pytest

from goldenpath import optimize


def test_the_collector_is_paused_for_the_block_only_and_only_when_optimising(monkeypatch: pytest.MonkeyPatch) -> None:
    assert gc.isenabled()
    with optimize.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    # an error in the block still turns it back on
    with pytest.raises(RuntimeError), optimize.collector_paused():
        raise RuntimeError("render failed")
    assert gc.isenabled()
    # a collector someone else turned off stays off
    gc.disable()
    try:
        with optimize.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    # GOLDENPATH_OPTIMIZE=0: untouched
    monkeypatch.setenv("GOLDENPATH_OPTIMIZE", "0")
    with optimize.collector_paused():
        assert gc.isenabled()
