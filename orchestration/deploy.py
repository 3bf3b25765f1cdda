"""`make deploy ENV=<env>` / `make plan ENV=<env>`: the pinned cdktf CLI on one environment.

Stops early, with one sentence and exit 2, when the environment is unknown, when nothing could
reach the env's EKS API (``admin_cidrs`` holds only documentation or private ranges on a public
endpoint: the bootstrap stack could not connect), or when no AWS credentials can be found,
instead of letting Terraform fail deep inside a provider or an hour into an apply.

Stacks run one at a time, in dependency order, each announced on its own line. A stack reads
the outputs of the stacks before it (CDKTF cross-stack references are remote-state lookups), so
on a fresh environment `make plan` can show a stack only after the stacks before it have been
applied; it stops at the first stack that cannot be planned and says so.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

from goldenpath import naming
from goldenpath.config import load_config
from goldenpath.model import Platform

CDKTF = Path("node_modules/.bin/cdktf")
# RFC 5737 TEST-NET-1/2/3: no packet from the internet ever comes from these.
DOCUMENTATION_RANGES = tuple(ipaddress.IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))


def unreachable_api(platform: Platform, env: str) -> str | None:
    """Why nobody could reach ``env``'s EKS API endpoint from outside the VPC, or None.

    The public endpoint admits only ``admin_cidrs`` and sees public source addresses, so
    documentation (RFC 5737) and private (RFC 1918, ...) ranges never match. A private-only
    endpoint is reachable from inside the VPC, where admin_cidrs do not apply: not refused.
    """
    if not platform.environments[env].cluster.public_endpoint:
        return None
    networks = [ipaddress.IPv4Network(c) for c in platform.admin_cidrs]
    documentation = [n for n in networks if any(n.subnet_of(d) for d in DOCUMENTATION_RANGES)]
    if any(n.is_global for n in networks if n not in documentation):
        return None
    kinds = "documentation (RFC 5737)" if len(documentation) == len(networks) else "documentation (RFC 5737) or private"
    return f"admin_cidrs in config/platform.yaml ({', '.join(platform.admin_cidrs)}) holds only {kinds} ranges, so nothing could reach {env}'s public EKS API endpoint and the bootstrap stack could not connect; set your office/VPN egress ranges"


def credentials_source(environ: dict[str, str] | None = None) -> str | None:
    """Where AWS credentials come from, or None: botocore's standard chain (environment, shared
    files and profiles, SSO, web identity, process, container and instance metadata), the chain
    the AWS provider and the aws CLI use. Offline for files and variables; no STS call is made."""
    import botocore.session
    from botocore.exceptions import BotoCoreError

    env = dict(os.environ if environ is None else environ)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    os.environ.setdefault("AWS_METADATA_SERVICE_TIMEOUT", "1")
    os.environ.setdefault("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1")
    try:
        session = botocore.session.Session(profile=env.get("AWS_PROFILE"))
        credentials = session.get_credentials()
    except BotoCoreError:
        return None
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return None if credentials is None else str(getattr(credentials, "method", "credentials"))


def stacks_for(env: str) -> list[str]:
    """Global stacks first (the env's DNS stack depends on the zone), then the env's, in order."""
    return [naming.global_stack(k) for k in naming.GLOBAL_STACK_KINDS] + [naming.env_stack(env, k) for k in naming.ENV_STACK_KINDS]


def deploy(config_dir: Path, env: str, *, plan: bool, cdktf_args: list[str] | None = None) -> int:
    config = load_config(config_dir)
    action = "plan" if plan else "deploy"
    if not env:
        print(f"{action}: say which environment, e.g. make {action} ENV={config.environments[0]} (one of {', '.join(config.environments)}).", file=sys.stderr)
        return 2
    if env not in config.environments:
        print(f"{action}: unknown environment {env!r} (defined in config/platform.yaml: {', '.join(config.environments)}).", file=sys.stderr)
        return 2
    reason = unreachable_api(config.platform, env)
    if reason:
        print(f"{action}: {reason}; nothing was {'planned' if plan else 'deployed'}.", file=sys.stderr)
        return 2
    if credentials_source() is None:
        print(
            f"{action}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws sso login`, or use an instance profile); nothing was {'planned' if plan else 'deployed'}.",
            file=sys.stderr,
        )
        return 2
    if not CDKTF.exists():
        print(f"{action}: {CDKTF} is missing; run `make setup` first.", file=sys.stderr)
        return 2
    return run_stacks(config_dir, env, plan=plan, cdktf_args=cdktf_args or [])


def synth_command() -> list[str]:
    """The app is synthesized once, by the cdktf CLI (main.py: the same guard and verifier as make synth)."""
    return [str(CDKTF), "synth"]


def stack_command(stack: str, *, cdktf_args: list[str]) -> list[str]:
    """One stack's apply, after its plan passed the guard. `deploy` of a single stack needs
    --ignore-missing-stack-dependencies (its dependencies ran before it)."""
    return [str(CDKTF), "deploy", stack, "--ignore-missing-stack-dependencies", "--skip-synth", "--outputs-file", str(outputs_file(stack)), *cdktf_args]


OUTPUTS_DIR = Path(".gen/outputs")


def outputs_file(stack: str) -> Path:
    return OUTPUTS_DIR / f"{stack}.json"


def outputs_summary(stacks: list[str]) -> list[str]:
    """The deployed stacks' outputs (what cdktf deploy --outputs-file wrote), one line each."""
    import json

    lines: list[str] = []
    for stack in stacks:
        path = outputs_file(stack)
        if not path.is_file():
            continue
        for values in json.loads(path.read_text(encoding="utf-8")).values():
            for key, value in sorted(values.items()):
                lines.append(f"  {stack}.{key} = {value if isinstance(value, str) else json.dumps(value)}")
    return lines


def run_stacks(config_dir: Path, env: str, *, plan: bool, cdktf_args: list[str] | None = None, outdir: Path = Path("cdktf.out")) -> int:
    from orchestration import guard
    from orchestration.plan_guard import plan_dangers, plan_stack
    from orchestration.synth import acknowledged_ids, refuse

    action = "plan" if plan else "deploy"
    env_vars = {**os.environ, "GOLDENPATH_CONFIG": str(config_dir)}
    stacks = stacks_for(env)
    code = subprocess.run(synth_command(), env=env_vars, check=False).returncode
    if code != 0:
        print(f"{action}: cdktf synth failed (the guard or the verifier refused, see above); nothing was {'planned' if plan else 'deployed'}.", file=sys.stderr)
        return code
    for index, stack in enumerate(stacks):
        print(f"{action}: [{index + 1}/{len(stacks)}] {stack}", file=sys.stderr, flush=True)
        code, plan_json = plan_stack(outdir / "stacks" / stack, env_vars)
        if code != 0 or plan_json is None:
            print(f"{action}: {stack_failed(env, stacks, index, plan=plan)}", file=sys.stderr)
            return code or 1
        blocked = guard.unacknowledged(plan_dangers(stack, plan_json), acknowledged_ids(""))
        if blocked:
            refuse(blocked, action, f"{action}: terraform's plan of {stack} would destroy or replace state; nothing of it was applied.")
            return 3
        if plan:
            continue
        code = subprocess.run(stack_command(stack, cdktf_args=list(cdktf_args or [])), env=env_vars, check=False).returncode
        if code != 0:
            print(f"{action}: {stack_failed(env, stacks, index, plan=plan)}", file=sys.stderr)
            return code
    print(f"{action}: {len(stacks)} stacks {'planned' if plan else 'deployed'} for {env}.", file=sys.stderr)
    if not plan:
        print(f"{action}: outputs (again any time: npx cdktf output <stack>):", file=sys.stderr)
        print("\n".join(outputs_summary(stacks)), file=sys.stderr)
    return 0


def stack_failed(env: str, stacks: list[str], index: int, *, plan: bool) -> str:
    """One sentence: which stack failed, what probably caused it, what was not run."""
    stack, rest = stacks[index], stacks[index + 1 :]
    skipped = f" ({', '.join(rest)} not {'planned' if plan else 'deployed'})" if rest else ""
    if stack == naming.env_stack(env, "dns"):
        cause = "its Kong NLB exists only once Argo CD has synced Kong and the AWS Load Balancer Controller; wait for the sync (argocd app get " + naming.root_application(env) + ") and run it again"
    elif plan and index > 0:
        cause = f"on a fresh environment this is expected: it reads the outputs of {', '.join(stacks[:index])}, which exist only after they are applied (make deploy ENV={env})"
    else:
        cause = "see the Terraform output above"
    return f"{stack} failed; {cause}{skipped}."
