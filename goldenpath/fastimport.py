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
reaches it. The same test proves that identical too.

Call :func:`install` before importing any provider module (the jsii runtime starts with the
first one). ``GOLDENPATH_EAGER_IMPORTS=1`` disables both (used by that test and by ``make bench``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

LAZY_NODE = Path(__file__).with_name("jsii_node") / "node"

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
    os.environ.setdefault("JSII_NODE", str(LAZY_NODE))  # read when the jsii runtime starts
    for name in PROVIDER_PACKAGES:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            continue
        package = importlib.util.module_from_spec(spec)  # created, deliberately not executed
        sys.modules[name] = package
