"""``python -m goldenpath``: the same as the `goldenpath` console script (orchestration/entry.py);
an entry point, so the one kernel module that may import the orchestration above it."""

from orchestration.entry import main

main()
