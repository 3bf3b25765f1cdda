"""`make deploy ENV=<env>` / `make plan ENV=<env>`: the pinned cdktf CLI on one environment.

Stops early, with one sentence and exit 2, when the environment is unknown or no AWS
credentials can be found, instead of letting Terraform fail deep inside a provider.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

from goldenpath import naming
from goldenpath.config import load_config

CDKTF = Path("node_modules/.bin/cdktf")


def credentials_source(environ: dict[str, str] | None = None, home: Path | None = None) -> str | None:
    """Where AWS credentials would come from, or None. Offline: no STS call is made."""
    env = dict(os.environ if environ is None else environ)
    home = home or Path.home()
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return "environment variables"
    if env.get("AWS_WEB_IDENTITY_TOKEN_FILE") and env.get("AWS_ROLE_ARN"):
        return "web identity token"
    if env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") or env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        return "container credentials"
    profile = env.get("AWS_PROFILE", "default")
    for path, section in (
        (Path(env.get("AWS_SHARED_CREDENTIALS_FILE", home / ".aws" / "credentials")), profile),
        (Path(env.get("AWS_CONFIG_FILE", home / ".aws" / "config")), profile if profile == "default" else f"profile {profile}"),
    ):
        parser = configparser.ConfigParser()
        try:
            parser.read(path)
        except configparser.Error:
            continue
        if parser.has_section(section) and (
            parser.has_option(section, "aws_access_key_id") or parser.has_option(section, "sso_session") or parser.has_option(section, "role_arn") or parser.has_option(section, "credential_process")
        ):
            return f"profile {profile} in {path}"
    return None


def stacks_for(env: str) -> list[str]:
    """Global stacks first (the env's DNS stack depends on the zone), then the env's, in order."""
    return [naming.global_stack(k) for k in naming.GLOBAL_STACK_KINDS] + [naming.env_stack(env, k) for k in naming.ENV_STACK_KINDS]


def deploy(config_dir: Path, env: str, *, plan: bool) -> int:
    config = load_config(config_dir)
    action = "plan" if plan else "deploy"
    if not env:
        print(f"{action}: say which environment, e.g. make {action} ENV={config.environments[0]} (one of {', '.join(config.environments)}).", file=sys.stderr)
        return 2
    if env not in config.environments:
        print(f"{action}: unknown environment {env!r} (defined in config/platform.yaml: {', '.join(config.environments)}).", file=sys.stderr)
        return 2
    if credentials_source() is None:
        print(
            f"{action}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); nothing was {'planned' if plan else 'deployed'}.",
            file=sys.stderr,
        )
        return 2
    if not CDKTF.exists():
        print(f"{action}: {CDKTF} is missing; run `make setup` first.", file=sys.stderr)
        return 2
    env_vars = {**os.environ, "GOLDENPATH_CONFIG": str(config_dir)}
    stacks = stacks_for(env)
    if plan:
        # `cdktf diff` takes one stack at a time.
        for stack in stacks:
            result = subprocess.run([str(CDKTF), "diff", stack], env=env_vars, check=False)
            if result.returncode != 0:
                return result.returncode
        return 0
    return subprocess.run([str(CDKTF), "deploy", *stacks], env=env_vars, check=False).returncode
