"""``python -m goldenpath``: the same as the `goldenpath` console script (goldenpath/entry.py)."""

from goldenpath.entry import main

main()
