"""cdk8s_app/database.py and the provisioning script it ships (issue 5, seed report D).

Two halves:
- the rendered Kubernetes objects (security context, hook, env only from secretKeyRef, the
  secrets the database stack writes, the CRD schema) — no database needed;
- the script itself, run against a real PostgreSQL 15 (tests/postgres.py: TLS-only, master user
  without superuser like RDS). The test takes the files out of the rendered ConfigMap and builds
  the environment from the rendered Job's env (secretKeyRefs resolved against fake secrets), so
  it runs exactly what the Job runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
from pathlib import Path
from typing import Any

import cdk8s
import jsonschema
import psycopg
import pytest
import yaml

from cdk8s_app import database
from cdk8s_app.database import DatabaseProvisioning
from goldenpath import naming
from goldenpath.config import PlatformConfig, load_config
from goldenpath.errors import ConfigError
from goldenpath.model import Database
from tests.postgres import MASTER_USER, PG_BIN, PostgresServer, free_port, postgres_fixture  # noqa: F401  (the `postgres` fixture)

REPO = Path(__file__).resolve().parents[2]
CRDS = Path(os.environ["GOLDENPATH_CRDS"])
CONFIG = load_config(REPO / "config")
ENVS = CONFIG.environments


def render(config: PlatformConfig, env: str) -> list[dict[str, Any]]:
    app = cdk8s.App()
    chart = cdk8s.Chart(app, "test", disable_resource_name_hashes=True)
    DatabaseProvisioning(chart, "db", config=config, env=env)
    return chart.to_json()


def one(objs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (obj,) = [o for o in objs if o["kind"] == kind]
    return obj


def pod_spec(objs: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objs, "Job")["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def dev() -> list[dict[str, Any]]:
    return render(CONFIG, "dev")


# --- the rendered objects -------------------------------------------------------------------


def test_job_runs_pinned_client_image_as_non_root_with_nothing_writable(dev):
    # GIVEN the dev rendering WHEN reading the Job's pod THEN it is locked down exactly
    pod = pod_spec(dev)
    (container,) = pod["containers"]
    assert container["image"] == "postgres:15.10-alpine3.21"
    assert container["command"] == ["/bin/sh", "/opt/provision/provision.sh"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsGroup": 70,
        "runAsNonRoot": True,
        "runAsUser": 70,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["securityContext"] == {
        "fsGroup": 70, "runAsGroup": 70, "runAsNonRoot": True, "runAsUser": 70, "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == naming.DATABASE_PROVISIONER
    assert pod["restartPolicy"] == "Never"
    assert container["resources"] == {
        "limits": {"cpu": "500m", "memory": "128Mi"},
        "requests": {"cpu": "50m", "memory": "64Mi"},
    }
    # the only writable path is an emptyDir; the scripts are mounted read-only
    assert {m["mountPath"]: m.get("readOnly", False) for m in container["volumeMounts"]} == {"/opt/provision": True, "/tmp": False}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["tmp"]["emptyDir"] == {"sizeLimit": "16Mi"}
    assert volumes["scripts"]["configMap"]["name"] == naming.DATABASE_PROVISIONER
    sa = one(dev, "ServiceAccount")
    assert sa["metadata"]["name"] == naming.DATABASE_PROVISIONER and sa["automountServiceAccountToken"] is False


def test_job_is_a_sync_hook_that_retries_and_expires(dev):
    # GIVEN the dev rendering WHEN reading the Job THEN Argo CD reruns it on every sync, after the ExternalSecrets
    job = one(dev, "Job")
    assert job["metadata"]["name"] == naming.DATABASE_PROVISIONER  # stable per env, no hash
    assert job["metadata"]["annotations"] == {
        "argocd.argoproj.io/hook": "Sync",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        "argocd.argoproj.io/sync-wave": "1",
    }
    for obj in dev:
        if obj["kind"] != "Job":  # wave 0: exist (and are Ready) before the hook runs
            assert "argocd.argoproj.io/sync-wave" not in obj["metadata"].get("annotations", {})
    assert {k: job["spec"][k] for k in ("backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished")} == {
        "backoffLimit": 3, "activeDeadlineSeconds": 600, "ttlSecondsAfterFinished": 86400,
    }
    assert {o["metadata"]["namespace"] for o in dev} == {naming.DATABASE_NAMESPACE}


@pytest.mark.parametrize("env", ENVS)
def test_job_pod_may_reach_only_dns_and_postgres_in_the_vpc(env):
    # GIVEN an env's rendering WHEN reading the NetworkPolicy THEN it selects the Job's pod and allows nothing else
    objs = render(CONFIG, env)
    policy = one(objs, "NetworkPolicy")["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= one(objs, "Job")["spec"]["template"]["metadata"]["labels"].items()
    assert policy == {
        "podSelector": policy["podSelector"],
        "policyTypes": ["Ingress", "Egress"],  # no ingress rule: nothing may connect to it
        "egress": [
            {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
            {"ports": [{"port": 5432, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": CONFIG.platform.environments[env].network.cidr}}]},
        ],
    }


@pytest.mark.parametrize("env", ENVS)
def test_credentials_reach_the_job_only_through_secret_key_refs(env):
    # GIVEN an env's rendering WHEN reading the Job's env THEN literal values are only connection settings
    objs = render(CONFIG, env)
    (container,) = pod_spec(objs)["containers"]
    made = {  # Secret name -> keys, as the rendered ExternalSecrets will make them
        es["spec"]["target"]["name"]: set(es["spec"]["target"].get("template", {}).get("data", {}))
        | {d["secretKey"] for d in es["spec"].get("data", [])}
        for es in objs if es["kind"] == "ExternalSecret"
    }
    literal = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    assert literal == {"HOME": "/tmp", "PGAPPNAME": "db-provisioner", "PGCONNECT_TIMEOUT": "10", "PGDATABASE": "postgres", "PGSSLMODE": "require"}
    refs = [e for e in container["env"] if "value" not in e]
    assert refs and all(set(e["valueFrom"]) == {"secretKeyRef"} for e in refs)
    for e in refs:
        ref = e["valueFrom"]["secretKeyRef"]
        assert ref["key"] in made[ref["name"]], f"{e['name']} reads {ref} which no rendered ExternalSecret makes"
    assert "envFrom" not in container
    # nothing that could carry a secret value is rendered at all
    assert not [o for o in objs if o["kind"] == "Secret"]
    assert "stringData" not in json.dumps(objs)


@pytest.mark.parametrize("env", ENVS)
def test_external_secrets_read_what_the_database_stack_writes(env):
    # GIVEN an env's rendering WHEN reading the ExternalSecrets THEN they name the derived secrets, keys and store
    objs = render(CONFIG, env)
    owners = naming.database_owners(CONFIG.platform, CONFIG.apps, env)
    externals = {o["metadata"]["name"]: o["spec"] for o in objs if o["kind"] == "ExternalSecret"}
    assert set(externals) == {naming.DATABASE_MASTER_CREDENTIALS} | {naming.db_credentials_secret(o.owner) for o in owners}
    for spec in externals.values():
        assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": naming.CLUSTER_SECRET_STORE}
    for o in owners:
        spec = externals[naming.db_credentials_secret(o.owner)]
        assert spec["data"] == [
            {"secretKey": k, "remoteRef": {"key": naming.database_secret(CONFIG.platform, env, o.owner), "property": k}}
            for k in naming.DATABASE_SECRET_KEYS
        ]
    master = externals[naming.DATABASE_MASTER_CREDENTIALS]
    assert master["dataFrom"] == [{
        "find": {"tags": {"aws:rds:primaryDBInstanceArn": naming.rds_arn(CONFIG.platform, env)}},
        "rewrite": [{"regexp": {"source": ".*", "target": "master"}}],
    }]
    assert master["target"]["template"] == {
        "engineVersion": "v2",
        "data": {"password": "{{ (.master | fromJson).password }}", "username": "{{ (.master | fromJson).username }}"},
    }


def test_external_secrets_match_the_pinned_crd_schema(dev):
    # GIVEN the pinned external-secrets.io/v1 CRD WHEN validating every rendered ExternalSecret THEN none fails
    crd = yaml.safe_load((CRDS / "external-secrets" / "external-secrets.io_externalsecrets.yaml").read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    schema = version["schema"]["openAPIV3Schema"]
    for obj in dev:
        if obj["kind"] == "ExternalSecret":
            jsonschema.validate(obj, schema)


def test_config_map_carries_the_repository_scripts_byte_for_byte(dev):
    # GIVEN the repository's script files WHEN reading the rendered ConfigMap THEN it holds exactly them + the spec
    data = one(dev, "ConfigMap")["data"]
    assert set(data) == {"provision.sh", "provision.sql", "databases.spec"}
    for name in ("provision.sh", "provision.sql"):
        assert data[name] == (REPO / "cdk8s_app" / "scripts" / name).read_text()
    assert data["databases.spec"].splitlines()[1:] == [
        "backstage backstage_app true 50 DB_BACKSTAGE",
        "keycloak keycloak_app false 20 DB_KEYCLOAK",
        "orders orders_app false 20 DB_ORDERS",
    ]


def test_databases_are_provisioned_in_bounded_batches_each_its_own_job_and_config_map(monkeypatch):
    # GIVEN batches of two databases (dev has three)
    monkeypatch.setattr(database, "BATCH_SIZE", 2)
    objs = render(CONFIG, "dev")
    jobs = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Job"}
    maps = {o["metadata"]["name"]: o for o in objs if o["kind"] == "ConfigMap"}
    # WHEN reading the batches THEN the first keeps the unnumbered name, each Job mounts its own ConfigMap
    assert sorted(jobs) == sorted(maps) == ["db-provisioner", "db-provisioner-2"]
    specs = {}
    for name, job in jobs.items():
        pod = job["spec"]["template"]["spec"]
        assert {v["name"]: v.get("configMap", {}).get("name") for v in pod["volumes"]}["scripts"] == name
        assert pod["serviceAccountName"] == naming.DATABASE_PROVISIONER  # one ServiceAccount, one NetworkPolicy for all
        assert job["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "1"
        lines = maps[name]["data"]["databases.spec"].splitlines()[1:]
        prefixes = {e["name"].rsplit("_", 1)[0] for e in pod["containers"][0]["env"] if e["name"].startswith("DB_")}
        assert prefixes == {line.split()[4] for line in lines}  # a Job carries the credentials of its batch only
        specs[name] = lines
    # AND every database is in exactly one batch, in order
    assert specs == {
        "db-provisioner": ["backstage backstage_app true 50 DB_BACKSTAGE", "keycloak keycloak_app false 20 DB_KEYCLOAK"],
        "db-provisioner-2": ["orders orders_app false 20 DB_ORDERS"],
    }
    assert len([o for o in objs if o["kind"] in ("ServiceAccount", "NetworkPolicy")]) == 2


def test_a_batch_stays_far_below_the_manifest_budget():
    # GIVEN the largest batch a config can make (BATCH_SIZE owners with the longest names the model allows)
    owners = [
        naming.DatabaseOwner(f"{'a' * 55}{i:08d}", f"apps-{'a' * 50}", Database(name=f"{'d' * 55}{i:08d}", size="large"))
        for i in range(database.BATCH_SIZE)
    ]
    # WHEN rendering its env and spec THEN the Job's env and the ConfigMap are well under 256 KiB
    env_bytes = len(json.dumps(database.job_env(owners)))
    spec_bytes = len(database.spec(owners)) + sum(map(len, database.scripts().values()))
    assert env_bytes + spec_bytes < 256 * 1024 // 2, (env_bytes, spec_bytes)


def test_an_environment_without_databases_renders_nothing(config_copy):
    # GIVEN a config where no component or app asks for a database
    platform = yaml.safe_load((config_copy / "platform.yaml").read_text())
    for component in platform["components"].values():
        component.pop("database", None)
    (config_copy / "platform.yaml").write_text(yaml.safe_dump(platform))
    (config_copy / "apps" / "orders.yaml").unlink()
    # WHEN rendering THEN there is no Job, no ExternalSecret, nothing
    assert render(load_config(config_copy), "dev") == []


def test_rendering_is_deterministic_and_matches_snapshot(dev, snapshot):
    # GIVEN two renderings WHEN comparing THEN they are identical; the whole set matches the snapshot
    assert json.dumps(render(CONFIG, "dev"), sort_keys=True) == json.dumps(dev, sort_keys=True)
    digested = json.loads(json.dumps(dev))
    data = one(digested, "ConfigMap")["data"]
    for name in ("provision.sh", "provision.sql"):  # content is asserted byte for byte above
        data[name] = "sha256:" + hashlib.sha256(data[name].encode()).hexdigest()[:16]
    assert digested == snapshot


@pytest.mark.parametrize(
    ("file", "path", "value", "expected"),
    [
        ("apps/orders.yaml", ("database", "name"), 'x"; DROP TABLE users; --', "PostgreSQL identifier"),
        ("apps/orders.yaml", ("database", "name"), "../etc", "PostgreSQL identifier"),
        ("apps/orders.yaml", ("database", "name"), "Orders", "PostgreSQL identifier"),
        ("apps/orders.yaml", ("name",), "../etc", "DNS-1123 label"),
        ("platform.yaml", ("components", "keycloak", "database", "name"), "keycloak'); DROP ROLE x; --", "PostgreSQL identifier"),
    ],
)
def test_malicious_names_are_rejected_by_the_model_before_any_sql_exists(config_copy, file, path, value, expected):
    # GIVEN a config with a hostile database or app name
    doc = yaml.safe_load((config_copy / file).read_text())
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    (config_copy / file).write_text(yaml.safe_dump(doc))
    # WHEN loading it THEN the model refuses it, naming the file: no spec, no SQL is ever produced
    with pytest.raises(ConfigError) as err:
        load_config(config_copy)
    assert expected in str(err.value) and file.split("/")[-1] in str(err.value)


# --- the script against a real PostgreSQL 15 ---------------------------------------------------

BASE_ROLES = ("postgres", MASTER_USER)


def password() -> str:
    # hostile characters on purpose: quotes, backslash, psql's ':' and the shell's '$'
    return secrets.token_urlsafe(12) + "'\";\\:$x -- "


class Job:
    """The rendered Job, run locally: its ConfigMap files in a directory, its env resolved.
    ``batch``: which provisioning batch (its own Job and ConfigMap) to run."""

    def __init__(self, objs: list[dict[str, Any]], workdir: Path, server: PostgresServer, batch: int = 0):
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        name = database.batch_name(batch)
        (job,) = [o for o in objs if o["kind"] == "Job" and o["metadata"]["name"] == name]
        (config_map,) = [o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == name]
        for file, text in config_map["data"].items():
            (self.dir / file).write_text(text)
        (self.container,) = job["spec"]["template"]["spec"]["containers"]
        self.secrets: dict[str, dict[str, str]] = {naming.DATABASE_MASTER_CREDENTIALS: {"username": MASTER_USER, "password": server.master_password}}
        for line in (self.dir / "databases.spec").read_text().splitlines()[1:]:
            dbname, role, _, _, prefix = line.split()
            owner = prefix.removeprefix("DB_").lower().replace("_", "-")
            self.secrets[naming.db_credentials_secret(owner)] = {
                "dbname": dbname, "host": server.host, "port": str(server.port), "username": role, "password": password(),
            }

    def env(self, **overrides: str | None) -> dict[str, str]:
        env = {"PATH": f"{PG_BIN}:/usr/bin:/bin", "LC_ALL": "C"}
        for e in self.container["env"]:
            if "value" in e:
                env[e["name"]] = e["value"]
            else:
                ref = e["valueFrom"]["secretKeyRef"]
                env[e["name"]] = self.secrets[ref["name"]][ref["key"]]
        for k, v in overrides.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def run(self, **overrides: str | None) -> subprocess.CompletedProcess[str]:
        return self.finish(self.start(**overrides))

    def start(self, **overrides: str | None) -> subprocess.Popen[str]:
        shell, script = self.container["command"]
        command = [shell, script.replace(database.MOUNT, str(self.dir))]
        # start_new_session: no controlling terminal, as in the Job's pod (psql's \password then reads stdin)
        return subprocess.Popen(command, env=self.env(**overrides), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)

    def finish(self, process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
        stdout, stderr = process.communicate(timeout=120)
        proc = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        for values in self.secrets.values():  # no run ever prints a password
            assert values["password"] not in proc.stdout + proc.stderr
        return proc

    def credentials(self, owner: str) -> dict[str, str]:
        return self.secrets[naming.db_credentials_secret(owner)]


def catalog(server: PostgresServer) -> dict[str, list[tuple[Any, ...]]]:
    """Everything provisioning may touch, xmin included: any rewrite of a row shows."""
    with server.superuser() as conn:
        return {
            "roles": conn.execute(
                "SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolconnlimit, rolpassword, xmin::text"
                " FROM pg_authid WHERE NOT starts_with(rolname, 'pg_') ORDER BY 1"
            ).fetchall(),
            "databases": conn.execute(
                "SELECT datname, pg_get_userbyid(datdba), datacl::text, datconnlimit, xmin::text FROM pg_database ORDER BY 1"
            ).fetchall(),
            "members": conn.execute(
                "SELECT roleid::regrole::text, member::regrole::text, admin_option, xmin::text FROM pg_auth_members ORDER BY 1, 2"
            ).fetchall(),
        }


def can_login(server: PostgresServer, user: str, pw: str, dbname: str) -> str:
    """'ok' or the server's error message."""
    try:
        with server.connect(user, pw, dbname):
            return "ok"
    except psycopg.OperationalError as exc:
        return str(exc)


@pytest.fixture
def job(postgres, dev, tmp_path) -> Job:
    """A clean server (only the bootstrap roles) and the dev Job ready to run."""
    with postgres.superuser() as conn:
        for (db,) in conn.execute("SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')").fetchall():
            conn.execute(psycopg.sql.SQL("DROP DATABASE {} WITH (FORCE)").format(psycopg.sql.Identifier(db)))
        for (role,) in conn.execute("SELECT rolname FROM pg_roles WHERE NOT starts_with(rolname, 'pg_') AND rolname <> ALL(%s)", [list(BASE_ROLES)]).fetchall():
            conn.execute(psycopg.sql.SQL("DROP ROLE {}").format(psycopg.sql.Identifier(role)))
    return Job(dev, tmp_path / "opt-provision", postgres)


@pytest.mark.postgres
def test_first_run_creates_roles_and_databases(job, postgres):
    # GIVEN an empty server WHEN the Job runs THEN every role and database exists as config/ says
    proc = job.run()
    assert proc.returncode == 0, proc.stderr
    assert "provision: all 3 databases provisioned" in proc.stdout
    state = catalog(postgres)
    roles = {r[0]: r[1:6] for r in state["roles"] if r[0] not in BASE_ROLES}
    assert roles == {  # login, superuser, createrole, createdb, connection limit
        "backstage_app": (True, False, False, True, 50),
        "keycloak_app": (True, False, False, False, 20),
        "orders_app": (True, False, False, False, 20),
    }
    databases = {d[0]: d[1:3] for d in state["databases"] if d[0] in ("backstage", "keycloak", "orders")}
    assert databases == {  # owned by the role; PUBLIC has nothing (no "=Tc/..." entry)
        "backstage": ("backstage_app", "{backstage_app=CTc/backstage_app}"),
        "keycloak": ("keycloak_app", "{keycloak_app=CTc/keycloak_app}"),
        "orders": ("orders_app", "{orders_app=CTc/orders_app}"),
    }
    for owner, db in (("backstage", "backstage"), ("keycloak", "keycloak"), ("orders", "orders")):
        creds = job.credentials(owner)
        assert can_login(postgres, creds["username"], creds["password"], db) == "ok"


@pytest.mark.postgres
def test_no_password_reaches_the_server_log_only_scram_verifiers_do(job, postgres):
    # GIVEN a server that logs every statement (log_statement=all) WHEN the Job creates every role
    # and then applies a rotated password
    assert job.run().returncode == 0
    creds = job.credentials("keycloak")
    creds["password"] = password()
    assert job.run().returncode == 0
    # THEN the log holds the ALTER statements with SCRAM verifiers and no password, old or new
    log = postgres.log.read_text(errors="replace")
    assert re.search(r"ALTER USER keycloak_app PASSWORD 'SCRAM-SHA-256\$4096:", log), log[-3000:]
    for values in job.secrets.values():
        if values is not job.secrets[naming.DATABASE_MASTER_CREDENTIALS]:
            assert values["password"] not in log
    # AND the catalog stores SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey> for every app role
    with postgres.superuser() as conn:
        stored = dict(conn.execute("SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE '%\\_app'").fetchall())
    assert set(stored) == {"backstage_app", "keycloak_app", "orders_app"}
    for verifier in stored.values():
        assert re.fullmatch(r"SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+", verifier)


def test_job_pod_has_no_terminal(dev):
    # psql's \password reads the password from stdin only when there is no terminal
    (container,) = pod_spec(dev)["containers"]
    assert not container.get("tty") and not container.get("stdin")


@pytest.mark.postgres
def test_batches_running_in_parallel_provision_every_database_once(postgres, job, tmp_path, monkeypatch):
    # GIVEN batches of two databases: dev's three databases in two Jobs (2 + 1), as at 2,000 apps
    monkeypatch.setattr(database, "BATCH_SIZE", 2)
    objs = render(CONFIG, "dev")
    first, second = (Job(objs, tmp_path / f"batch-{i}", postgres, batch=i) for i in (0, 1))
    second.secrets = first.secrets = {**first.secrets, **second.secrets}
    # WHEN both Jobs run at the same time (one hook wave) THEN both succeed with their own databases
    results = [job.finish(process) for job, process in [(first, first.start()), (second, second.start())]]
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert "provision: all 2 databases provisioned" in results[0].stdout
    assert "provision: all 1 databases provisioned" in results[1].stdout
    state = catalog(postgres)
    assert {r[0] for r in state["roles"]} - set(BASE_ROLES) == {"backstage_app", "keycloak_app", "orders_app"}
    for owner, db in (("backstage", "backstage"), ("keycloak", "keycloak"), ("orders", "orders")):
        assert can_login(postgres, first.credentials(owner)["username"], first.credentials(owner)["password"], db) == "ok"
    # AND a second parallel run changes nothing
    assert [job.finish(p).returncode for job, p in [(first, first.start()), (second, second.start())]] == [0, 0]
    assert catalog(postgres) == state


@pytest.mark.postgres
def test_second_run_changes_nothing(job, postgres):
    # GIVEN a provisioned server
    assert job.run().returncode == 0
    before = catalog(postgres)
    # WHEN the Job runs again THEN it succeeds, executes no DDL and no catalog row is even rewritten
    proc = job.run()
    assert proc.returncode == 0, proc.stderr
    assert catalog(postgres) == before
    assert proc.stdout.splitlines() == [
        f"provision: {db}: ok (role {db}_app on {postgres.host}:{postgres.port})" for db in ("backstage", "keycloak", "orders")
    ] + ["provision: all 3 databases provisioned"]


@pytest.mark.postgres
def test_a_rotated_password_takes_effect_on_the_next_run(job, postgres):
    # GIVEN a provisioned server and a rotated keycloak secret
    assert job.run().returncode == 0
    creds = job.credentials("keycloak")
    old, creds["password"] = creds["password"], password()
    untouched = [r for r in catalog(postgres)["roles"] if r[0] == "orders_app"]
    # WHEN the Job runs THEN the new password logs in, the old one no longer does, other roles are untouched
    proc = job.run()
    assert proc.returncode == 0, proc.stderr
    assert "provision: keycloak: set password of role keycloak_app from DB_KEYCLOAK_PASSWORD" in proc.stdout
    assert can_login(postgres, "keycloak_app", creds["password"], "keycloak") == "ok"
    assert "password authentication failed" in can_login(postgres, "keycloak_app", old, "keycloak")
    assert [r for r in catalog(postgres)["roles"] if r[0] == "orders_app"] == untouched


@pytest.mark.postgres
def test_an_app_role_reaches_its_own_database_only_and_only_over_tls(job, postgres):
    # GIVEN a provisioned server
    assert job.run().returncode == 0
    creds = job.credentials("keycloak")
    # WHEN keycloak's role connects THEN its own database works, the others refuse it (no CONNECT for PUBLIC)
    assert can_login(postgres, "keycloak_app", creds["password"], "keycloak") == "ok"
    for other in ("orders", "backstage"):
        assert 'permission denied for database "' + other + '"' in can_login(postgres, "keycloak_app", creds["password"], other)
    # AND without TLS nobody gets in (the same error RDS gave in seed report B.5)
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        postgres.connect("keycloak_app", creds["password"], "keycloak", sslmode="disable")


@pytest.mark.postgres
def test_only_backstage_may_create_databases_and_removing_the_flag_revokes_it(job, postgres, config_copy, tmp_path):
    # GIVEN a provisioned server
    assert job.run().returncode == 0
    backstage, keycloak = job.credentials("backstage"), job.credentials("keycloak")
    # WHEN backstage creates a plugin database (seed report B.6) THEN it may; keycloak may not
    with postgres.connect("backstage_app", backstage["password"], "backstage") as conn:
        conn.execute("CREATE DATABASE backstage_plugin_catalog")
    with postgres.connect("keycloak_app", keycloak["password"], "keycloak") as conn, \
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied to create database"):
        conn.execute("CREATE DATABASE keycloak_extra")
    # WHEN config/ drops createdb for backstage and the Job runs THEN the privilege is gone
    text = (config_copy / "platform.yaml").read_text()
    (config_copy / "platform.yaml").write_text(text.replace("{name: backstage, size: medium, createdb: true}", "{name: backstage, size: medium}"))
    changed = Job(render(load_config(config_copy), "dev"), tmp_path / "changed", postgres)
    changed.secrets = job.secrets
    assert changed.run().returncode == 0
    with postgres.connect("backstage_app", backstage["password"], "backstage") as conn, \
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied to create database"):
        conn.execute("CREATE DATABASE backstage_plugin_scaffolder")


@pytest.mark.postgres
def test_failure_midway_exits_non_zero_clearly_and_a_rerun_completes(job, postgres):
    # GIVEN keycloak's database unreachable (its secret points at a dead port)
    dead = str(free_port())
    # WHEN the Job runs THEN it provisions the others, names keycloak and exits non-zero
    proc = job.run(DB_KEYCLOAK_PORT=dead)
    assert proc.returncode == 1
    assert re.search(rf"provision: error: keycloak: FAILED \(psql exit 2\) on 127\.0\.0\.1:{dead}", proc.stderr)
    assert "Connection refused" in proc.stderr
    assert "provision: error: not provisioned: keycloak. Fix the cause and run again" in proc.stderr
    roles = {r[0] for r in catalog(postgres)["roles"]}
    assert {"backstage_app", "orders_app"} <= roles and "keycloak_app" not in roles
    # WHEN it runs again with the database reachable THEN it completes
    proc = job.run()
    assert proc.returncode == 0, proc.stderr
    assert can_login(postgres, "keycloak_app", job.credentials("keycloak")["password"], "keycloak") == "ok"


@pytest.mark.postgres
def test_server_down_exits_non_zero_clearly_and_a_rerun_completes(job, postgres):
    # GIVEN the server is stopped
    postgres.stop()
    try:
        # WHEN the Job runs THEN every database fails with the connection error, exit 1
        proc = job.run()
        assert proc.returncode == 1
        assert "provision: error: not provisioned: backstage keycloak orders." in proc.stderr
        assert "Connection refused" in proc.stderr
    finally:
        postgres.start()
    # WHEN the server is back and the Job runs again THEN it completes
    proc = job.run()
    assert proc.returncode == 0, proc.stderr


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("overrides", "spec", "message"),
    [
        ({"PGPASSWORD": None}, None, "PGPASSWORD (master password) is not set"),
        ({"PGSSLMODE": "disable"}, None, "PGSSLMODE must be require, verify-ca or verify-full"),
        ({"DB_ORDERS_USERNAME": "orders"}, None, "orders: the secret's username is not 'orders_app' (config/ and the database stack disagree)"),
        ({"DB_ORDERS_HOST": None}, None, "orders: environment variable DB_ORDERS_HOST is not set"),
        ({}, 'orders x";DROP false 20 DB_ORDERS\n', "line 1 of"),  # defence in depth behind the model
        ({}, "orders orders_app false 20 DB_ORDERS;rm\n", "invalid environment prefix"),
        ({}, "orders orders_app maybe 20 DB_ORDERS\n", "createdb must be true or false"),
    ],
)
def test_bad_input_is_refused_before_anything_changes(job, postgres, overrides, spec, message):
    # GIVEN a missing or inconsistent input
    if spec is not None:
        (job.dir / "databases.spec").write_text(spec)
    before = catalog(postgres)
    # WHEN the Job runs THEN it names the problem, exits 2 and the server is untouched
    proc = job.run(**overrides)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert catalog(postgres) == before


@pytest.mark.postgres
def test_a_failing_password_change_never_prints_the_password(job, postgres):
    # GIVEN a role someone made superuser by hand (the master, like RDS's, may not touch it) and a rotated secret
    assert job.run().returncode == 0
    with postgres.superuser() as conn:
        conn.execute("ALTER ROLE orders_app SUPERUSER")
    job.credentials("orders")["password"] = password()
    # WHEN the Job runs THEN it fails on orders with PostgreSQL's reason; Job.run asserts no password was printed
    proc = job.run()
    assert proc.returncode == 1
    assert "must be superuser to alter superuser roles" in proc.stderr
    assert "provision: error: not provisioned: orders." in proc.stderr
