"""A throwaway PostgreSQL 15 for the tests, started from the machine's binaries (no mocks).

The server imitates what matters about the environment's RDS instance:
- TLS is required: ``pg_hba.conf`` has only ``hostssl`` lines, so a plain connection is refused
  with "no pg_hba.conf entry ... no encryption" (the error of seed report B.5), exactly as
  ``rds.force_ssl=1`` does. The certificate is self-signed (made with the ``openssl`` CLI), which
  ``sslmode=require`` accepts, as it accepts the RDS certificate without a CA bundle.
- The master user is NOT a superuser: it has ``CREATEROLE`` and ``CREATEDB``, like the RDS master
  user (member of ``rds_superuser``), so the provisioning script cannot rely on superuser powers.

``initdb`` refuses to run as root and CI runs the suite as root in a fresh clone, so as root the
server runs as ``nobody`` (``subprocess`` switches user; no sudo, no extra tool). Its files live
under ``/tmp`` because ``nobody`` cannot enter root's pytest temp directories.

Use the ``postgres`` fixture (module-scoped: one server per test module, about a second to start)
by importing ``postgres_fixture`` into the test module.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

PG_BIN = Path(os.environ.get("GOLDENPATH_PG_BIN", "/usr/lib/postgresql/15/bin"))
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "psql")
SUPERUSER = "postgres"
MASTER_USER = "rds_master"  # stands in for the RDS master user (not a superuser)
HOST = "127.0.0.1"


def require_binaries() -> None:
    """Fail (never skip) when PostgreSQL 15 is missing: these tests are part of `make test`."""
    missing = [b for b in REQUIRED_BINARIES if not (PG_BIN / b).is_file()]
    if missing:
        pytest.fail(
            f"PostgreSQL 15 binaries not found in {PG_BIN} (missing: {', '.join(missing)}). "
            "Install them (Debian/Ubuntu: apt-get install postgresql-15) or set GOLDENPATH_PG_BIN "
            "to the directory that holds initdb, pg_ctl, postgres and psql.",
            pytrace=False,
        )
    if shutil.which("openssl") is None:
        pytest.fail("the openssl CLI is needed to make the test server's TLS certificate", pytrace=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    root: Path  # everything the server owns: data/, run/ (socket), server.log
    port: int
    uid: int | None  # run the server as this user (None: as ourselves)
    gid: int | None
    superuser_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    master_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    host: str = HOST

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    # --- lifecycle ------------------------------------------------------------------------------

    @classmethod
    def create(cls) -> PostgresServer:
        require_binaries()
        uid = gid = None
        if os.geteuid() == 0:  # initdb refuses root: run the server as nobody
            nobody = pwd.getpwnam("nobody")
            uid, gid = nobody.pw_uid, nobody.pw_gid
        root = Path(tempfile.mkdtemp(prefix="goldenpath-pg-", dir="/tmp" if uid is not None else None))
        server = cls(root=root, port=free_port(), uid=uid, gid=gid)
        try:
            server._init()
            server._start_on_free_port()
            server._bootstrap()
        except BaseException:
            server.destroy()
            raise
        return server

    def _run(self, *args: str | Path, as_server: bool = True) -> subprocess.CompletedProcess[str]:
        env = {"PATH": f"{PG_BIN}:/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC", "HOME": str(self.root)}
        kwargs: dict[str, object] = {"user": self.uid, "group": self.gid, "extra_groups": []} if as_server and self.uid is not None else {}
        proc = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, cwd=self.root, **kwargs)  # type: ignore[call-overload]
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}\n{log}")
        return proc

    def _own(self, path: Path, mode: int) -> None:
        path.chmod(mode)
        if self.uid is not None:
            os.chown(path, self.uid, self.gid or 0)

    def _init(self) -> None:
        self._own(self.root, 0o700)
        (self.root / "run").mkdir()
        self._own(self.root / "run", 0o700)
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.superuser_password + "\n")
        self._own(pwfile, 0o600)
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", SUPERUSER, f"--pwfile={pwfile}", "--auth=scram-sha-256",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        pwfile.unlink()
        key, crt = self.data / "server.key", self.data / "server.crt"
        self._run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", crt, as_server=False)
        self._own(key, 0o600)
        self._own(crt, 0o644)
        # TLS only, like RDS with rds.force_ssl=1: a non-TLS connection matches no line.
        (self.data / "pg_hba.conf").write_text(f"hostssl all all {HOST}/32 scram-sha-256\n")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# tests/postgres.py\n"
                f"listen_addresses = '{HOST}'\n"
                f"unix_socket_directories = '{self.root / 'run'}'\n"
                "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
                "password_encryption = 'scram-sha-256'\n"
                # every statement in the log, as the strictest RDS parameter group would have it:
                # the provisioning tests grep it for passwords
                "log_statement = 'all'\nlog_min_error_statement = error\n"
                "max_connections = 40\nshared_buffers = 16MB\n"
                # a throwaway server: durability buys nothing and costs seconds per CREATE DATABASE
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )

    def start(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", f"-p {self.port}", "-w", "-t", "60", "start")

    def _start_on_free_port(self) -> None:
        for attempt in range(3):  # another process may take the port between free_port() and start
            try:
                self.start()
                return
            except RuntimeError:
                if attempt == 2:
                    raise
                self.port = free_port()

    def stop(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError):
                self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _bootstrap(self) -> None:
        with self.connect(SUPERUSER, self.superuser_password) as conn:
            conn.execute(
                psycopg.sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER CREATEROLE CREATEDB PASSWORD {}").format(
                    psycopg.sql.Identifier(MASTER_USER), psycopg.sql.Literal(self.master_password)
                )
            )

    # --- clients --------------------------------------------------------------------------------

    def connect(self, user: str, password: str, dbname: str = "postgres", sslmode: str = "require") -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=user, password=password, dbname=dbname, sslmode=sslmode,
            connect_timeout=5, autocommit=True,
        )

    def superuser(self, dbname: str = "postgres") -> psycopg.Connection:
        return self.connect(SUPERUSER, self.superuser_password, dbname)


@pytest.fixture(scope="module", name="postgres")
def postgres_fixture() -> Iterator[PostgresServer]:
    server = PostgresServer.create()
    try:
        yield server
    finally:
        server.destroy()
