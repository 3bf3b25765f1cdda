#!/bin/sh
# Create the login roles and databases of every application database of one environment, on its
# RDS PostgreSQL instance (seed report D). Rendered into a ConfigMap next to provision.sql and
# databases.spec and run by the provisioning Job; the test suite runs this very file against a
# real PostgreSQL 15 (tests/cdk8s_app/test_database.py).
#
# databases.spec (generated from config/, no secrets), one database per line:
#   <database> <role> <createdb: true|false> <connection limit> <ENV_PREFIX>
# Environment (from Kubernetes Secrets through secretKeyRef, never from a file):
#   PGUSER, PGPASSWORD                the RDS master credentials
#   <ENV_PREFIX>_HOST, _PORT          where the database lives
#   <ENV_PREFIX>_USERNAME, _DBNAME    must equal the spec's role and database (the secret the
#                                     database stack wrote and config/ must agree)
#   <ENV_PREFIX>_PASSWORD             the application role's password
# Connections always use TLS (PGSSLMODE require or stricter): RDS enforces rds.force_ssl=1.
#
# Every step is idempotent: a second run changes nothing. A failing database does not stop the
# others; the script then exits non-zero naming them, and a rerun completes the work.
set -eu
set -f # spec lines are split into words, never globbed

here=$(dirname "$0")
spec=${PROVISION_SPEC:-$here/databases.spec}
sql=${PROVISION_SQL:-$here/provision.sql}

say() { printf 'provision: %s\n' "$*"; }
die() { printf 'provision: error: %s\n' "$*" >&2; exit 2; }

[ -r "$spec" ] || die "cannot read the database list $spec"
[ -r "$sql" ] || die "cannot read $sql"
[ -n "${PGUSER:-}" ] || die "PGUSER (master user) is not set"
[ -n "${PGPASSWORD:-}" ] || die "PGPASSWORD (master password) is not set"
case "${PGSSLMODE:-require}" in
  require | verify-ca | verify-full) ;;
  *) die "PGSSLMODE must be require, verify-ca or verify-full (got '${PGSSLMODE}')" ;;
esac
export PGSSLMODE="${PGSSLMODE:-require}"
export PGDATABASE="${PGDATABASE:-postgres}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"

matches() { printf '%s\n' "$1" | grep -Eqx -e "$2"; }
# NAME of a variable -> its value ("" when unset); NAME is validated before it reaches eval.
value_of() { eval "printf '%s' \"\${$1:-}\""; }

# Pass 1: validate the whole list before touching the server, so a bad line changes nothing.
lines=0
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in '' | '#'*) continue ;; esac
  lines=$((lines + 1))
  # shellcheck disable=SC2086  # word splitting of the spec line is intended
  set -- $line
  [ $# -eq 5 ] || die "line $lines of $spec: expected 5 fields, got $#"
  matches "$1" '[a-z][a-z0-9_]{0,62}' || die "line $lines of $spec: invalid database name"
  matches "$2" '[a-z][a-z0-9_]{0,62}' || die "line $lines of $spec: invalid role name"
  matches "$3" 'true|false' || die "line $lines of $spec: createdb must be true or false"
  matches "$4" '-1|[0-9]{1,5}' || die "line $lines of $spec: invalid connection limit"
  matches "$5" '[A-Z][A-Z0-9_]{0,62}' || die "line $lines of $spec: invalid environment prefix"
  for suffix in HOST PORT USERNAME PASSWORD DBNAME; do
    [ -n "$(value_of "$5_$suffix")" ] || die "$1: environment variable $5_$suffix is not set"
  done
  [ "$(value_of "$5_USERNAME")" = "$2" ] || die "$1: the secret's username is not '$2' (config/ and the database stack disagree)"
  [ "$(value_of "$5_DBNAME")" = "$1" ] || die "$1: the secret's dbname is not '$1' (config/ and the database stack disagree)"
done <"$spec"
[ "$lines" -gt 0 ] || die "$spec lists no databases"

# The role's password, never in a statement: psql's \password computes the SCRAM-SHA-256 verifier
# client-side (libpq PQencryptPasswordConn) and sends only
#   ALTER USER <role> PASSWORD 'SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>'
# (PostgreSQL docs, "Password Authentication" and pg_authid; RFC 5803), so neither the server log
# (log_statement, exported to CloudWatch by RDS) nor pg_stat_activity ever holds the password.
# Without a terminal (a Job's pod has none) psql reads the new password twice from stdin; printf
# is a shell builtin, so the password is not in any process's arguments either.
set_password() { # host port role database ENV_NAME
  pw=$(value_of "$5")
  # stderr holds psql's prompts (no newline after them) and, on failure, PostgreSQL's reason
  if err=$({ printf '%s\n%s\n' "$pw" "$pw" | PGHOST=$1 PGPORT=$2 psql -X -q -v ON_ERROR_STOP=1 \
    -c "SET password_encryption = 'scram-sha-256'" -c "\\password \"$3\"" >/dev/null; } 2>&1); then
    pw=""
  else
    pw=""
    printf '%s\n' "$err" | sed -e 's/Enter new password for user "[^"]*": //' -e 's/Enter it again: //' -e '/^$/d' >&2
    printf 'provision: error: %s: cannot set the password of role %s\n' "$4" "$3" >&2
    return 1
  fi
  say "$4: set password of role $3 from $5"
}

# Pass 2: provision, one psql session per database.
failed=""
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in '' | '#'*) continue ;; esac
  # shellcheck disable=SC2086
  set -- $line
  database=$1 role=$2 createdb=$3 limit=$4 prefix=$5
  host=$(value_of "${prefix}_HOST")
  port=$(value_of "${prefix}_PORT")

  # Does the role already log in with the secret's password? Then leave the password alone
  # (re-setting it would rewrite the catalog on every run); otherwise set it below.
  if PGHOST=$host PGPORT=$port PGUSER=$role PGDATABASE=$database PGPASSWORD=$(value_of "${prefix}_PASSWORD") \
    psql -X -q -A -t -c 'SELECT 1' </dev/null >/dev/null 2>&1; then
    set_password=off
  else
    set_password=on
  fi

  if PGHOST=$host PGPORT=$port psql -X -q -v ON_ERROR_STOP=1 \
    -v database="$database" -v role="$role" -v createdb="$createdb" \
    -v connection_limit="$limit" -f "$sql" </dev/null &&
    { [ "$set_password" = off ] || set_password "$host" "$port" "$role" "$database" "${prefix}_PASSWORD"; }; then
    say "$database: ok (role $role on $host:$port)"
  else
    status=$?
    printf 'provision: error: %s: FAILED (psql exit %s) on %s:%s; see the message above\n' \
      "$database" "$status" "$host" "$port" >&2
    failed="$failed $database"
  fi
done <"$spec"

if [ -n "$failed" ]; then
  printf 'provision: error: not provisioned:%s. Fix the cause and run again (every step is idempotent).\n' "$failed" >&2
  exit 1
fi
say "all $lines databases provisioned"
