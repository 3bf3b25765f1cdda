"""make deploy / make plan stop early, with one sentence, when they cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration import deploy
from tests.conftest import REPO


def _routable(config_copy: Path, cidrs: str = '["81.2.69.0/24"]') -> Path:
    """The default config with admin_cidrs set to the given (by default internet-routable) ranges."""
    platform = config_copy / "platform.yaml"
    text = platform.read_text()
    assert text.count('admin_cidrs: ["198.51.100.0/24"]') == 1
    platform.write_text(text.replace('admin_cidrs: ["198.51.100.0/24"]', f"admin_cidrs: {cidrs}"))
    return config_copy


def test_no_credentials_is_one_clear_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, config_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _routable(config_copy)
    # GIVEN an environment without any AWS credential source
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # WHEN deploying dev THEN exit 2 with one sentence and no traceback
    assert deploy.deploy(config, "dev", plan=False) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "deploy: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws sso login`, "
        "or use an instance profile); nothing was deployed."
    )
    assert deploy.deploy(config, "dev", plan=True) == 2
    assert "nothing was planned" in capsys.readouterr().err


def test_unknown_env(capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy.deploy(REPO / "config", "qa", plan=False) == 2
    assert capsys.readouterr().err.strip() == "deploy: unknown environment 'qa' (defined in config/platform.yaml: dev, staging, prod)."
    assert deploy.deploy(REPO / "config", "", plan=True) == 2
    assert "say which environment" in capsys.readouterr().err


SSO = "[profile ops]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = admin\n[sso-session corp]\nsso_start_url = https://corp.example/start\nsso_region = eu-west-2\n"


@pytest.mark.parametrize(
    ("environ", "files", "expected"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "x"}, {}, "env"),
        ({"AWS_ACCESS_KEY_ID": "AKIA"}, {}, None),  # half a key pair is no credential
        ({"AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/ci"}, {}, "assume-role-with-web-identity"),
        ({}, {".aws/credentials": "[default]\naws_access_key_id = A\naws_secret_access_key = B\n"}, "shared-credentials-file"),
        ({"AWS_PROFILE": "ops"}, {".aws/config": SSO}, "sso"),
        ({}, {}, None),
    ],
)
def test_credential_sources_follow_botocores_chain(tmp_path: Path, environ: dict[str, str], files: dict[str, str], expected: str | None) -> None:
    # GIVEN credentials in one place of the standard chain (instance metadata switched off: no network)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    environ = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **environ}
    # WHEN looking for credentials THEN botocore's chain names where they come from
    assert deploy.credentials_source(environ) == expected


def test_stack_order_puts_dependencies_first() -> None:
    assert deploy.stacks_for("dev") == ["global-zone", "global-ecr", "dev-network", "dev-cluster", "dev-database", "dev-bootstrap", "dev-dns"]


def test_documentation_admin_cidrs_refuse_deploy_and_plan(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the default config, whose admin_cidrs is the RFC 5737 placeholder, and valid credentials
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    # WHEN deploying or planning THEN exit 2 with one sentence before any cdktf call
    assert deploy.deploy(REPO / "config", "dev", plan=False) == 2
    assert capsys.readouterr().err.strip() == (
        "deploy: admin_cidrs in config/platform.yaml (198.51.100.0/24) holds only documentation (RFC 5737) ranges, so nothing could "
        "reach dev's public EKS API endpoint and the bootstrap stack could not connect; set your office/VPN egress ranges; nothing was deployed."
    )
    assert deploy.deploy(REPO / "config", "prod", plan=True) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("plan: admin_cidrs in config/platform.yaml (198.51.100.0/24) holds only documentation") and err.endswith("nothing was planned.")
    assert err.count(". ") == 0  # one sentence


@pytest.mark.parametrize(
    ("cidrs", "refused"),
    [
        (["198.51.100.0/24"], "documentation (RFC 5737)"),
        (["192.0.2.0/25", "203.0.113.0/24"], "documentation (RFC 5737)"),
        (["198.51.100.0/24", "10.0.0.0/8"], "documentation (RFC 5737) or private"),
        (["192.168.0.0/16"], "documentation (RFC 5737) or private"),
        (["198.51.100.0/24", "81.2.69.0/24"], None),  # one routable range is a way in
        (["81.2.69.142/32"], None),
    ],
)
def test_unreachable_api_classifies_ranges(default_platform, cidrs: list[str], refused: str | None) -> None:
    platform = default_platform.model_copy(update={"admin_cidrs": cidrs})
    reason = deploy.unreachable_api(platform, "dev")
    assert (reason is None) if refused is None else (reason is not None and f"holds only {refused} ranges" in reason)


def test_private_endpoint_env_is_not_refused(default_platform) -> None:
    # GIVEN an env without a public endpoint: the API is reached from inside the VPC, admin_cidrs do not apply
    staging = default_platform.environments["staging"]
    staging = staging.model_copy(update={"cluster": staging.cluster.model_copy(update={"public_endpoint": False})})
    platform = default_platform.model_copy(update={"environments": {**default_platform.environments, "staging": staging}})
    assert deploy.unreachable_api(platform, "staging") is None
    assert deploy.unreachable_api(platform, "dev") is not None


@pytest.fixture
def default_platform():
    from goldenpath.config import load_config

    return load_config(REPO / "config").platform


class _Runs:
    """Stands in for the cdktf CLI and terraform: records every command; `terraform plan` of
    ``failing`` fails; `terraform show -json` prints the stack's recorded plan."""

    def __init__(self, failing: str | None = None, plans: dict[str, dict] | None = None) -> None:  # type: ignore[type-arg]
        self.calls: list[list[str]] = []
        self.failing = failing
        self.plans = plans or {}

    def __call__(self, command: list[str], **_: object):  # type: ignore[no-untyped-def]
        import json
        import subprocess

        self.calls.append(command)
        if command[0] != "terraform":
            return subprocess.CompletedProcess(command, 0)
        stack = Path(command[1].removeprefix("-chdir=")).name
        if command[2] == "plan" and stack == self.failing:
            return subprocess.CompletedProcess(command, 1)
        return subprocess.CompletedProcess(command, 0, stdout=json.dumps(self.plans.get(stack, {"resource_changes": []})), stderr="")

    def applied(self) -> list[str]:
        return [c[2] for c in self.calls if c[0] != "terraform" and c[1] == "deploy"]

    def planned(self) -> list[str]:
        return [Path(c[1].removeprefix("-chdir=")).name for c in self.calls if c[0] == "terraform" and c[2] == "plan"]


def test_deploy_synthesizes_once_then_plans_guards_and_applies_stack_by_stack(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    runs = _Runs()
    monkeypatch.setattr(deploy.subprocess, "run", runs)
    monkeypatch.setattr(deploy, "OUTPUTS_DIR", Path("/nonexistent"))
    # WHEN deploying dev with extra cdktf flags (make deploy ARGS=--auto-approve)
    assert deploy.run_stacks(REPO / "config", "dev", plan=False, cdktf_args=["--auto-approve"]) == 0
    cdktf = str(deploy.CDKTF)
    # THEN the app is synthesized once (main.py: guard + verifier), then each stack is planned by terraform before cdktf applies it
    assert runs.calls[0] == [cdktf, "synth"]
    assert runs.planned() == runs.applied() == deploy.stacks_for("dev")
    first_apply = next(c for c in runs.calls if c[0] == cdktf and c[1] == "deploy")
    assert first_apply == [cdktf, "deploy", "global-zone", "--ignore-missing-stack-dependencies", "--skip-synth",
                           "--outputs-file", "/nonexistent/global-zone.json", "--auto-approve"]
    # AND the operator sees one line per stack and a summary
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == ["deploy: [1/7] global-zone", "deploy: [2/7] global-ecr"]
    assert "deploy: 7 stacks deployed for dev." in err


def test_plan_of_a_fresh_env_stops_with_the_reason(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a fresh env: dev-cluster cannot be planned (dev-network's outputs do not exist yet)
    runs = _Runs(failing="dev-cluster")
    monkeypatch.setattr(deploy.subprocess, "run", runs)
    assert deploy.run_stacks(REPO / "config", "dev", plan=True) == 1
    # THEN it stops there: nothing after dev-cluster ran, nothing was applied, and the message says why and what to do
    assert runs.planned() == ["global-zone", "global-ecr", "dev-network", "dev-cluster"]
    assert runs.applied() == []
    assert capsys.readouterr().err.splitlines()[-1] == (
        "plan: dev-cluster failed; on a fresh environment this is expected: it reads the outputs of global-zone, global-ecr, dev-network, "
        "which exist only after they are applied (make deploy ENV=dev) (dev-database, dev-bootstrap, dev-dns not planned)."
    )


def test_dns_failure_points_at_the_argocd_sync(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(deploy.subprocess, "run", _Runs(failing="prod-dns"))
    assert deploy.run_stacks(REPO / "config", "prod", plan=False) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "deploy: prod-dns failed; its Kong NLB exists only once Argo CD has synced Kong and the AWS Load Balancer Controller; "
        "wait for the sync (argocd app get prod-root) and run it again."
    )


def _change(address: str, actions: list[str], **extra: object) -> dict:  # type: ignore[type-arg]
    rtype = address.split(".")[0]
    return {"address": address, "type": rtype, "change": {"actions": actions, "before": {}, "after": {}}, **extra}


def test_terraform_plan_deleting_or_replacing_state_is_refused_before_apply(
    monkeypatch: pytest.MonkeyPatch, config_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN terraform's plan of dev-database replaces the RDS instance (shaped like `terraform show -json`),
    # deletes an app secret, and changes a security group rule in place
    plan = {"format_version": "1.2", "resource_changes": [
        _change("aws_db_instance.rds", ["delete", "create"], replace_paths=[["identifier"]]),
        _change("aws_secretsmanager_secret.orders_postgres", ["delete"]),
        _change("aws_security_group_rule.postgres", ["update"]),
        _change("aws_route53_record.postgres", ["create", "delete"]),
        _change("aws_db_parameter_group.postgres", ["no-op"]),
    ]}
    runs = _Runs(plans={"dev-database": plan})
    monkeypatch.setattr(deploy.subprocess, "run", runs)
    config = _routable(config_copy)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setattr(deploy, "CDKTF", Path("/bin/true"))
    monkeypatch.delenv("ALLOW_DESTROY", raising=False)
    from orchestration.cli import main

    # WHEN deploying dev through the CLI
    code = main(["deploy", "--env", "dev", "--config", str(config), "--", "--auto-approve"])
    # THEN exit 3: the stateful deletes and replacements are listed, and dev-database (and what follows) is never applied
    err = capsys.readouterr().err
    assert code == 3, err
    assert "  dev-database:aws_db_instance.rds: terraform plan replaces it (identifier forces replacement): the RDS instance and its data would be destroyed" in err
    assert "  dev-database:aws_secretsmanager_secret.orders_postgres: terraform plan deletes it:" in err
    assert "route53_record" not in err and "security_group_rule" not in err
    assert runs.applied() == ["global-zone", "global-ecr", "dev-network", "dev-cluster"]
    # WHEN the operator acknowledges exactly those ids THEN every stack is applied
    ids = err.strip().splitlines()[-1].split("ALLOW_DESTROY='", 1)[1].rstrip("'")
    assert ids == "dev-database:aws_db_instance.rds,dev-database:aws_secretsmanager_secret.orders_postgres"
    monkeypatch.setenv("ALLOW_DESTROY", ids)
    runs.calls.clear()
    assert main(["deploy", "--env", "dev", "--config", str(config)]) == 0
    assert runs.applied() == deploy.stacks_for("dev")
