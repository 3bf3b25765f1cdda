"""make deploy / make plan stop early, with one sentence, when they cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from goldenpath import deploy
from tests.conftest import REPO


def test_no_credentials_is_one_clear_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN an environment without any AWS credential source
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    # WHEN deploying dev THEN exit 2 with one sentence and no traceback
    assert deploy.deploy(REPO / "config", "dev", plan=False) == 2
    err = capsys.readouterr().err.strip()
    assert err == "deploy: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); nothing was deployed."
    assert deploy.deploy(REPO / "config", "dev", plan=True) == 2
    assert "nothing was planned" in capsys.readouterr().err


def test_unknown_env(capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy.deploy(REPO / "config", "qa", plan=False) == 2
    assert capsys.readouterr().err.strip() == "deploy: unknown environment 'qa' (defined in config/platform.yaml: dev, staging, prod)."
    assert deploy.deploy(REPO / "config", "", plan=True) == 2
    assert "say which environment" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("environ", "files", "expected"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "x"}, {}, "environment variables"),
        ({"AWS_ACCESS_KEY_ID": "AKIA"}, {}, None),  # half a key pair is no credential
        ({"AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn"}, {}, "web identity token"),
        ({}, {".aws/credentials": "[default]\naws_access_key_id = A\naws_secret_access_key = B\n"}, "profile default"),
        ({"AWS_PROFILE": "ops"}, {".aws/config": "[profile ops]\nsso_session = corp\n"}, "profile ops"),
        ({"AWS_PROFILE": "ops"}, {".aws/credentials": "[default]\naws_access_key_id = A\n"}, None),
        ({}, {".aws/credentials": "not ini ["}, None),
    ],
)
def test_credential_sources(tmp_path: Path, environ: dict[str, str], files: dict[str, str], expected: str | None) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = deploy.credentials_source(environ, home=tmp_path)
    assert (found is None) if expected is None else (found is not None and found.startswith(expected))


def test_stack_order_puts_dependencies_first() -> None:
    assert deploy.stacks_for("dev") == ["global-zone", "global-ecr", "dev-network", "dev-cluster", "dev-database", "dev-bootstrap", "dev-dns"]
