"""`make shared`: fetch the pinned CRDs by URL into a cache folder, each checked against its sha256.

``shared.lock`` lists ``path<TAB>sha256<TAB>url``; a file already present with the right digest
is not fetched again, a download with another digest is refused (exit 2) and nothing of it is
kept. The tests and `make` use ``../shared`` when it is beside the checkout, else ``.shared/``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import urllib.request
from pathlib import Path


def entries(lock: Path) -> list[tuple[str, str, str]]:
    rows = []
    for number, line in enumerate(lock.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"{lock}:{number}: expected path, sha256 and URL separated by tabs")
            rows.append((parts[0], parts[1], parts[2]))
    return rows


def fetch(lock: Path, into: Path, opener=urllib.request.urlopen) -> list[str]:  # type: ignore[no-untyped-def]
    """Problems (empty: every file is present and matches)."""
    problems: list[str] = []
    for rel, digest, url in entries(lock):
        target = into / rel
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == digest:
            continue
        try:
            with opener(url, timeout=60) as response:
                data = response.read()
        except OSError as exc:
            problems.append(f"{rel}: {url}: {exc}")
            continue
        got = hashlib.sha256(data).hexdigest()
        if got != digest:
            problems.append(f"{rel}: {url} has sha256 {got}, the lock pins {digest}; not written")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.shared", description=__doc__)
    parser.add_argument("--lock", type=Path, default=Path("shared.lock"))
    parser.add_argument("--into", type=Path, default=Path(".shared"))
    args = parser.parse_args(argv)
    problems = fetch(args.lock, args.into)
    for problem in problems:
        print(f"shared: {problem}", file=sys.stderr)
    if not problems:
        print(f"shared: {len(entries(args.lock))} pinned files in {args.into}")
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
