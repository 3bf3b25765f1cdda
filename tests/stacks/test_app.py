"""stacks/app.py: every stack exists, with the dependency order `cdktf deploy` follows."""

from __future__ import annotations

import json
from pathlib import Path

from goldenpath import naming


def test_every_stack_is_synthesized(synth_dir: Path, default_config) -> None:
    # GIVEN the default platform (3 envs)
    # WHEN it is synthesized
    names = sorted(p.name for p in (synth_dir / "stacks").iterdir())
    # THEN there is the state stack, the global stacks and 5 stacks per env
    expected = [naming.STATE_STACK] + [naming.global_stack(k) for k in naming.GLOBAL_STACK_KINDS]
    expected += [naming.env_stack(env, kind) for env in default_config.environments for kind in naming.ENV_STACK_KINDS]
    assert names == sorted(expected)
    assert len(names) == 1 + 2 + 5 * 3


def test_stack_dependencies(synth_dir: Path, default_config) -> None:
    # GIVEN the manifest cdktf writes (what `cdktf deploy` orders by)
    manifest = json.loads((synth_dir / "manifest.json").read_text())
    deps = {name: sorted(stack["dependencies"]) for name, stack in manifest["stacks"].items()}
    # THEN per env: network -> cluster -> database -> bootstrap -> dns, and zone -> dns
    for env in default_config.environments:

        def s(kind: str, env: str = env) -> str:
            return naming.env_stack(env, kind)

        assert deps[s("network")] == []
        assert deps[s("cluster")] == [s("network")]
        assert deps[s("database")] == sorted([s("cluster"), s("network")])
        assert deps[s("bootstrap")] == sorted([s("cluster"), s("database")])
        assert deps[s("dns")] == sorted([s("bootstrap"), naming.global_stack("zone")])
    # AND the state stack stands alone (deployed once, by hand, with a local backend)
    assert deps[naming.STATE_STACK] == []
    assert deps[naming.global_stack("zone")] == deps[naming.global_stack("ecr")] == []


def test_output_is_portable(synth_dir: Path) -> None:
    # GIVEN every synthesized file
    # THEN no absolute path of this machine leaks into it (byte-identical across checkouts)
    for path in synth_dir.rglob("*.json"):
        text = path.read_text()
        assert str(synth_dir) not in text and "/work/" not in text and "/home/" not in text, path
