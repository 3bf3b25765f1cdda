"""Skip the eager import of every provider submodule (DESIGN §2, "known traps").

``cdktf_cdktf_provider_aws/__init__.py`` imports all of its ~2,200 resource submodules, which
costs 7+ s per process although a platform uses a few dozen. We register each provider
package in ``sys.modules`` as a bare package (keeping ``__path__``) without executing its
``__init__``; ``import cdktf_cdktf_provider_aws.vpc`` then loads only ``vpc`` and the shared
``_jsii`` assembly loader. tests/test_fastimport.py proves the synthesized JSON is identical.

Call :func:`install` before importing any provider module. ``GOLDENPATH_EAGER_IMPORTS=1``
disables it (used by that test and by ``make bench``).
"""

from __future__ import annotations

import importlib.util
import os
import sys

PROVIDER_PACKAGES = (
    "cdktf_cdktf_provider_aws",
    "cdktf_cdktf_provider_helm",
)


def quiet_jsii() -> None:
    """jsii prints a Node 20 end-of-life banner on every start; the user can do nothing about it."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


def install() -> None:
    quiet_jsii()
    if os.environ.get("GOLDENPATH_EAGER_IMPORTS") == "1":
        return
    for name in PROVIDER_PACKAGES:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            continue
        package = importlib.util.module_from_spec(spec)  # created, deliberately not executed
        sys.modules[name] = package
