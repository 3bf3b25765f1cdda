"""Benchmark configs: the default platform plus N generated, realistic apps."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
TEAMS = ("platform-team", "team-commerce", "team-web")  # declared in config/platform.yaml


def generated_app(index: int) -> dict[str, object]:
    """Every app: ECR repo, a secret, a public host, a dashboard; every third: a database + volume."""
    name = f"bench-app-{index:03d}"
    app: dict[str, object] = {
        "name": name,
        "owner": TEAMS[index % len(TEAMS)],
        "kind": "stateless",
        "source": {"git": {"repo_url": f"https://github.com/example/{name}.git", "path": "."}},
        "port": 8080,
        "replicas": 2,
        "public": {"subdomain": name},
        "secrets": [{"name": "api", "keys": ["api-key", "signing-key"]}],
        "dashboard": True,
        "environments": {"dev": {"replicas": 1}, "prod": {"replicas": 3}},
    }
    if index % 3 == 0:
        app["kind"] = "stateful"
        app["storage_gib"] = 10
        app["database"] = {"name": f"bench_app_{index:03d}", "size": "small"}
    return app


def make_config(target: Path, apps: int) -> Path:
    """Copy config/ to ``target`` and add ``apps`` generated app files (the 3 default apps stay)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(REPO / "config", target)
    for index in range(apps):
        app = generated_app(index)
        (target / "apps" / f"{app['name']}.yaml").write_text(yaml.safe_dump(app, sort_keys=False))
    return target
