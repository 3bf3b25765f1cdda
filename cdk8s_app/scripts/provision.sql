-- Make one application database exist exactly as config/ describes it (seed report D: Terraform
-- wrote the secrets, nobody created the users, Keycloak and Backstage crash-looped until someone
-- ran CREATE USER / CREATE DATABASE / ALTER USER ... CREATEDB by hand).
--
-- Run by provision.sh once per database, connected as the RDS master user (NOT a superuser on
-- RDS: it has CREATEROLE and CREATEDB), with these psql variables:
--   database, role          PostgreSQL identifiers, validated by the model (PgIdentifier) and
--                           by provision.sh; still only ever interpolated quoted (:"x" / :'x')
--   createdb                true | false   (Backstage creates its plugin databases, seed B.6)
--   connection_limit        integer
--
-- Every step reads the catalog first and changes only what differs, so a second run executes
-- no DDL at all. CREATE DATABASE cannot run in a transaction or DO block, hence psql \if
-- instead of PL/pgSQL.
\set ON_ERROR_STOP on
\set QUIET on

-- 1. The login role.
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') AS role_missing \gset
\if :role_missing
CREATE ROLE :"role" LOGIN;
\echo 'provision:' :database: 'created role' :role
\endif

-- 2. Its attributes. NOCREATEDB is explicit so that removing createdb from config/ takes effect.
-- (NOSUPERUSER is not spelled: on RDS only a superuser may even mention that attribute.)
SELECT (NOT rolcanlogin OR rolcreaterole OR rolcreatedb <> :'createdb'::boolean
        OR rolconnlimit <> :'connection_limit'::integer) AS role_differs
  FROM pg_roles WHERE rolname = :'role' \gset
\if :role_differs
\if :createdb
ALTER ROLE :"role" WITH LOGIN NOCREATEROLE CREATEDB CONNECTION LIMIT :connection_limit;
\else
ALTER ROLE :"role" WITH LOGIN NOCREATEROLE NOCREATEDB CONNECTION LIMIT :connection_limit;
\endif
\echo 'provision:' :database: 'set attributes of role' :role '(createdb' :createdb', connection limit' :connection_limit')'
\endif

-- 3. The master user must be a member of the owner role: PostgreSQL 15 requires it for
-- CREATE DATABASE ... OWNER and for granting on a database the role owns. On RDS the master
-- is not a superuser, so this is not implied (a plain superuser skips it).
SELECT NOT pg_has_role(current_user, :'role', 'MEMBER') AS need_membership \gset
\if :need_membership
GRANT :"role" TO CURRENT_USER;
\echo 'provision:' :database: 'granted role' :role 'to the master user'
\endif

-- 4. The database, owned by the role.
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') AS database_missing \gset
\if :database_missing
CREATE DATABASE :"database" OWNER :"role";
\echo 'provision:' :database: 'created database' :database 'owned by' :role
\endif
SELECT pg_get_userbyid(datdba) <> :'role' AS owner_differs FROM pg_database WHERE datname = :'database' \gset
\if :owner_differs
ALTER DATABASE :"database" OWNER TO :"role";
\echo 'provision:' :database: 'changed owner of database' :database 'to' :role
\endif

-- 5. Only its owner may connect: PostgreSQL grants CONNECT and TEMPORARY to PUBLIC by default,
-- which would let every other application's role into this database.
SELECT has_database_privilege('public', :'database', 'CONNECT')
    OR has_database_privilege('public', :'database', 'TEMPORARY') AS public_allowed \gset
\if :public_allowed
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
\echo 'provision:' :database: 'revoked all privileges on database' :database 'from PUBLIC'
\endif

-- 6. What the application needs: everything on its own database (owners hold it already unless
-- someone revoked it; this repairs that).
SELECT NOT (has_database_privilege(:'role', :'database', 'CONNECT')
        AND has_database_privilege(:'role', :'database', 'CREATE')
        AND has_database_privilege(:'role', :'database', 'TEMPORARY')) AS role_lacks_privileges \gset
\if :role_lacks_privileges
GRANT ALL PRIVILEGES ON DATABASE :"database" TO :"role";
\echo 'provision:' :database: 'granted all privileges on database' :database 'to' :role
\endif

-- 7. The password is set by provision.sh with psql's \password, which sends only a SCRAM
-- verifier: a statement here would carry the password itself into the server log.
