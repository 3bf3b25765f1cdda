"""Malformed configurations and the exact located message each must produce.

Each case edits one file of a copy of the default config: ``(id, file, old, new, message)``;
``old`` must occur exactly once (``*`` replaces the whole file). ``message`` is one full line of the error output.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

P = "platform.yaml"
ORDERS = "apps/orders.yaml"
HELLO = "apps/hello-goldenpath-idp.yaml"
WEB = "apps/sample-stateless.yaml"

CASES: list[tuple[str, str, str, str, str]] = [
    # --- YAML syntax -------------------------------------------------------------------------
    ("yaml-unclosed-flow", P, 'admin_cidrs: ["198.51.100.0/24"]', 'admin_cidrs: ["198.51.100.0/24"', "config/platform.yaml:12: invalid YAML: did not find expected ',' or ']'"),
    ("yaml-bad-indent", ORDERS, "kind: stateful", "  kind: stateful", 'config/apps/orders.yaml:4: invalid YAML: mapping values are not allowed in this context'),
    ("yaml-duplicate-key", ORDERS, "port: 8080", "port: 8080\nport: 9090", 'config/apps/orders.yaml:8: port: duplicate key (first defined on line 7)'),
    ("yaml-tab-indent", WEB, "replicas: 2\n", "replicas: 2\n\tdashboard: true\n", 'config/apps/sample-stateless.yaml:9: invalid YAML: found a tab character that violates indentation'),
    ("yaml-sequence-inside-mapping", HELLO, "name: hello-goldenpath-idp", "- name: hello-goldenpath-idp", "config/apps/hello-goldenpath-idp.yaml:3: invalid YAML: did not find expected '-' indicator"),
    ("yaml-integer-key", ORDERS, "dashboard: true", "dashboard: true\n8080: port", "config/apps/orders.yaml:13: keys must be strings (got 8080)"),
    ("yaml-alias-bomb", WEB, "dashboard: true", "dashboard: true\nx: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nz: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nw: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nv: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]", "config/apps/sample-stateless.yaml:14: v[7][8][8][7][3]: document too large: more than 100000 keys and items after expanding aliases"),
    # --- types -------------------------------------------------------------------------------
    ("type-account-id-int", P, 'account_id: "593517239005"', "account_id: 593517239005", 'config/platform.yaml:9: account_id: must be a string (got 593517239005)'),
    ("type-port-string", ORDERS, "port: 8080", 'port: "8080"', "config/apps/orders.yaml:7: port: must be an integer (got '8080')"),
    ("type-multi-az-string", P, "      multi_az: true", '      multi_az: "yes"', "config/platform.yaml:103: environments.prod.database.multi_az: must be true or false (got 'yes')"),
    ("type-replicas-float", WEB, "replicas: 2", "replicas: 2.5", 'config/apps/sample-stateless.yaml:8: replicas: must be an integer (got 2.5)'),
    ("unknown-cluster-key", P, "          capacity_type: SPOT\n", "          capacity_type: SPOT\n      extra_groups: 1\n", 'config/platform.yaml:98: environments.prod.cluster.extra_groups: unknown key (allowed: kubernetes_version, node_groups, public_endpoint)'),
    ("type-instance-types-string", P, "          instance_types: [m6i.large, m5.large]", "          instance_types: m6i.large", "config/platform.yaml:93: environments.prod.cluster.node_groups[1].instance_types: must be a list (got 'm6i.large')"),
    ("yaml-stray-sequence-item", P, "organisation: goldenpath\n", "- organisation: goldenpath\n", "config/platform.yaml:5: invalid YAML: did not find expected '-' indicator"),
    # --- unknown / missing keys -----------------------------------------------------------------
    ("unknown-top-level-key", P, "owner: platform-team", "owner: platform-team\nownr: typo", 'config/platform.yaml:7: ownr: unknown key (allowed: account_id, admin_cidrs, admin_principals, alerting, components, domain, environments, git, hosted_zone, image_registries, organisation, owner, project, region, state, teams)'),
    ("unknown-app-key", ORDERS, "dashboard: true", "dashboard: true\ndashbaord: false", 'config/apps/orders.yaml:13: dashbaord: unknown key (allowed: dashboard, database, environments, image_tag, image_update, kind, name, owner, port, public, replicas, resources, secrets, slo, source, storage_gib)'),
    ("unknown-env-key", P, "    issuer: letsencrypt-prod", "    issuer: letsencrypt-prod\n    isuer: letsencrypt-prod", 'config/platform.yaml:78: environments.prod.isuer: unknown key (allowed: app_sync, branch, cluster, components, database, host_prefix, issuer, network, observability)'),
    ("missing-domain", P, "domain: goldenpathidp.io\n", "", 'config/platform.yaml:1: domain: is required'),
    ("empty-app-file", HELLO, "*", "# nothing here\n", 'config/apps/hello-goldenpath-idp.yaml:1: must be a mapping of keys (got an empty file)'),
    ("missing-app-port", HELLO, "port: 8080\n", "", 'config/apps/hello-goldenpath-idp.yaml:1: port: is required'),
    # --- enumerations and ranges ----------------------------------------------------------------
    ("db-size-huge", ORDERS, "database: {name: orders, size: small}", "database: {name: orders, size: huge}", "config/apps/orders.yaml:11: database.size: must be one of small, medium, large (got 'huge')"),
    ("issuer-unknown", P, "    issuer: letsencrypt-staging\n    app_sync: automated\n    network:\n      cidr: 10.10.0.0/16", "    issuer: letsencrypt\n    app_sync: automated\n    network:\n      cidr: 10.10.0.0/16", "config/platform.yaml:23: environments.dev.issuer: must be one of letsencrypt-staging, letsencrypt-prod (got 'letsencrypt')"),
    ("kind-unknown", WEB, "kind: stateless", "kind: serverless", "config/apps/sample-stateless.yaml:4: kind: must be one of stateless, stateful (got 'serverless')"),
    ("k8s-version-unsupported", P, '      kubernetes_version: "1.33"\n      public_endpoint: true\n      node_groups:\n        - name: general\n          instance_types: [t3.large]\n          min_size: 2\n          max_size: 4', '      kubernetes_version: "1.20"\n      public_endpoint: true\n      node_groups:\n        - name: general\n          instance_types: [t3.large]\n          min_size: 2\n          max_size: 4', "config/platform.yaml:30: environments.dev.cluster.kubernetes_version: must be one of 1.31, 1.32, 1.33 (got '1.20')"),
    ("backup-days-out-of-range", P, "      backup_retention_days: 14", "      backup_retention_days: 90", 'config/platform.yaml:105: environments.prod.database.backup_retention_days: must be <= 35 (got 90)'),
    ("port-privileged", WEB, "port: 8000", "port: 80", 'config/apps/sample-stateless.yaml:7: port: must be >= 1024 (got 80)'),
    ("replicas-negative", HELLO, "replicas: 2", "replicas: -1", 'config/apps/hello-goldenpath-idp.yaml:8: replicas: must be >= 0 (got -1)'),
    ("node-group-sizes-inverted", P, "          min_size: 3\n          max_size: 10\n          desired_size: 3", "          min_size: 3\n          max_size: 10\n          desired_size: 11", 'config/platform.yaml:87: environments.prod.cluster.node_groups[0]: sizes must satisfy min_size <= desired_size <= max_size (got 3 <= 11 <= 10)'),
    ("storage-below-minimum", P, "      allocated_storage_gib: 20\n", "      allocated_storage_gib: 5\n", 'config/platform.yaml:41: environments.dev.database.allocated_storage_gib: must be >= 20 (got 5)'),
    ("stateful-without-storage", ORDERS, "storage_gib: 10\n", "", 'config/apps/orders.yaml:1: stateful apps need storage_gib (the size of their volume)'),
    ("stateless-with-storage", WEB, "replicas: 2\n", "replicas: 2\nstorage_gib: 5\n", 'config/apps/sample-stateless.yaml:1: stateless apps cannot have storage_gib; use kind: stateful'),
    # --- names ---------------------------------------------------------------------------------
    ("app-name-uppercase", WEB, "name: sample-stateless", "name: Sample-Stateless", "config/apps/sample-stateless.yaml:2: name: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got 'Sample-Stateless')"),
    ("app-name-path-like", WEB, "name: sample-stateless", "name: ../sample-stateless", "config/apps/sample-stateless.yaml:2: name: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got '../sample-stateless')"),
    ("app-name-not-file-name", WEB, "name: sample-stateless", "name: sample-web", "config/apps/sample-stateless.yaml:2: name: must equal the file name 'sample-stateless' so each app has exactly one file (got 'sample-web')"),
    ("db-name-injection", ORDERS, "database: {name: orders, size: small}", "database: {name: 'orders\"; DROP TABLE x; --', size: small}", 'config/apps/orders.yaml:11: database.name: must be a PostgreSQL identifier: a lower-case letter, then lower-case letters, digits or \'_\', at most 63 characters (got \'orders"; DROP TABLE x; --\')'),
    ("db-name-reserved", ORDERS, "database: {name: orders, size: small}", "database: {name: postgres, size: small}", "config/apps/orders.yaml:11: database.name: database 'postgres' is already used by PostgreSQL itself"),
    ("subdomain-invalid", HELLO, "public: {subdomain: hello}", "public: {subdomain: hello_world}", "config/apps/hello-goldenpath-idp.yaml:9: public.subdomain: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got 'hello_world')"),
    ("domain-invalid", P, "domain: goldenpathidp.io", "domain: goldenpathidp", "config/platform.yaml:7: domain: must be a lower-case DNS domain like example.io (got 'goldenpathidp')"),
    ("env-name-invalid", P, "  staging:\n", "  Staging_Env:\n", "config/platform.yaml:47: environments.Staging_Env: environment names must be DNS-1123 labels of at most 10 characters (got 'Staging_Env')"),
    ("secret-key-invalid", WEB, "keys: [api-key]", "keys: [api key]", "config/apps/sample-stateless.yaml:12: secrets[0].keys[0]: must be a secret key of letters, digits, '_', '.' or '-' (got 'api key')"),
    ("secret-keys-duplicate", WEB, "keys: [api-key]", "keys: [api-key, api-key]", 'config/apps/sample-stateless.yaml:11: secrets[0]: keys must be unique'),
    ("branch-invalid", P, "    branch: development", "    branch: feature..x", "config/platform.yaml:21: environments.dev.branch: must be a git branch name (got 'feature..x')"),
    # --- duplicates and references ------------------------------------------------------------
    ("duplicate-host-apps", WEB, "public: {subdomain: web}", "public: {subdomain: hello}", "config/apps/sample-stateless.yaml:9: public.subdomain: host 'hello' is already used by app hello-goldenpath-idp (config/apps/hello-goldenpath-idp.yaml)"),
    ("duplicate-host-component", WEB, "public: {subdomain: web}", "public: {subdomain: grafana}", "config/apps/sample-stateless.yaml:9: public.subdomain: host 'grafana' is already used by component kube-prometheus-stack"),
    ("duplicate-database", WEB, "dashboard: true", "dashboard: true\ndatabase: {name: orders}", "config/apps/sample-stateless.yaml:14: database.name: database 'orders' is already used by app orders (config/apps/orders.yaml)"),
    ("unknown-environment-in-app", HELLO, "  prod: {replicas: 3}", "  production: {replicas: 3}", 'config/apps/hello-goldenpath-idp.yaml:13: environments.production: unknown environment (defined in config/platform.yaml: dev, staging, prod)'),
    ("unknown-component-override", P, "    issuer: letsencrypt-prod", "    issuer: letsencrypt-prod\n    components:\n      grafana: {enabled: false}", 'config/platform.yaml:79: environments.prod.components.grafana: unknown component (defined: alloy, argocd, argocd-image-updater, aws-load-balancer-controller, backstage, cert-manager, cluster-autoscaler, external-secrets, keycloak, kong, kube-prometheus-stack, loki, tempo)'),
    ("required-component-disabled", P, "    issuer: letsencrypt-prod", "    issuer: letsencrypt-prod\n    components:\n      kong: {enabled: false}", 'config/platform.yaml:79: environments.prod.components.kong.enabled: kong is required in every environment'),
    ("unknown-component", P, "  loki:\n", "  lokki:\n", 'config/platform.yaml:159: components.lokki: unknown component (allowed: alloy, argocd, argocd-image-updater, aws-load-balancer-controller, backstage, cert-manager, cluster-autoscaler, external-secrets, keycloak, kong, kube-prometheus-stack, loki, tempo)'),
    # --- networks ------------------------------------------------------------------------------
    ("cidr-invalid", P, "      cidr: 10.20.0.0/16", "      cidr: 10.20.0.300/16", "config/platform.yaml:53: environments.staging.network.cidr: must be an IPv4 CIDR such as 10.10.0.0/16 (Octet 300 (> 255) not permitted in '10.20.0.300'; got '10.20.0.300/16')"),
    ("cidr-host-bits", P, "      cidr: 10.20.0.0/16", "      cidr: 10.20.0.1/16", "config/platform.yaml:53: environments.staging.network.cidr: must be an IPv4 CIDR such as 10.10.0.0/16 (10.20.0.1/16 has host bits set; got '10.20.0.1/16')"),
    ("cidr-overlap", P, "      cidr: 10.30.0.0/16", "      cidr: 10.10.128.0/17", "config/platform.yaml:80: environments.prod.network.cidr: overlaps environment 'dev' (10.10.0.0/16); environments need disjoint ranges to be peered later"),
    ("cidr-too-small", P, "      cidr: 10.30.0.0/16", "      cidr: 10.30.0.0/27", 'config/platform.yaml:80: environments.prod.network.cidr: prefix must be between /16 and /24 (got /27)'),
    ("az-other-region", P, "      availability_zones: [eu-west-2a, eu-west-2b]", "      availability_zones: [eu-west-2a, us-east-1b]", "config/platform.yaml:27: environments.dev.network.availability_zones[1]: must be an availability zone of region eu-west-2 such as eu-west-2a (got 'us-east-1b')"),
    ("az-duplicate", P, "      availability_zones: [eu-west-2a, eu-west-2b]", "      availability_zones: [eu-west-2a, eu-west-2a]", 'config/platform.yaml:27: environments.dev.network.availability_zones: availability zones must be unique'),
    ("admin-cidr-invalid", P, 'admin_cidrs: ["198.51.100.0/24"]', 'admin_cidrs: ["everyone"]', "config/platform.yaml:11: admin_cidrs[0]: must be an IPv4 CIDR such as 10.10.0.0/16 (Expected 4 octets in 'everyone'; got 'everyone')"),
    ("chart-version-range", P, "name: kong, version: 2.52.0}", "name: kong, version: ^2.52}", "config/platform.yaml:148: components.kong.chart.version: must be an exact version like 1.2.3 (got '^2.52')"),
    # --- deploy-relevant settings (issue 11) ----------------------------------------------------
    ("engine-minor-pinned", P, '      instance_class: db.t4g.medium\n      engine_version: "15"\n      allocated_storage_gib: 20', '      instance_class: db.t4g.medium\n      engine_version: "15.15"\n      allocated_storage_gib: 20', "config/platform.yaml:40: environments.dev.database.engine_version: must be a PostgreSQL major version like 15 (RDS upgrades the minor itself) (got '15.15')"),
    ("admin-principal-not-an-arn", P, 'admin_principals: ["arn:aws:iam::593517239005:role/goldenpath-platform-admin"]', 'admin_principals: ["goldenpath-platform-admin"]', "config/platform.yaml:10: admin_principals[0]: must be an IAM role or user ARN like arn:aws:iam::123456789012:role/platform-admin (got 'goldenpath-platform-admin')"),
    ("admin-principal-group", P, 'admin_principals: ["arn:aws:iam::593517239005:role/goldenpath-platform-admin"]', 'admin_principals: ["arn:aws:iam::593517239005:group/admins"]', "config/platform.yaml:10: admin_principals[0]: must be an IAM role or user ARN like arn:aws:iam::123456789012:role/platform-admin (got 'arn:aws:iam::593517239005:group/admins')"),
    ("admin-principals-empty", P, 'admin_principals: ["arn:aws:iam::593517239005:role/goldenpath-platform-admin"]', "admin_principals: []", "config/platform.yaml:10: admin_principals: must have at least 1 item(s) (got 0)"),
    ("admin-principals-duplicate", P, 'admin_principals: ["arn:aws:iam::593517239005:role/goldenpath-platform-admin"]', 'admin_principals: ["arn:aws:iam::593517239005:role/a", "arn:aws:iam::593517239005:role/a"]', "config/platform.yaml:10: admin_principals: admin principals must be unique (EKS allows one access entry per principal)"),
    ("node-group-mixed-architectures", P, "          instance_types: [m6i.large, m5.large]", "          instance_types: [m6i.large, m6g.large]", "config/platform.yaml:92: environments.prod.cluster.node_groups[1]: instance types must share one CPU architecture (one AMI per node group; got m6i.large, m6g.large)"),
    ("grafana-admin-one-key", P, "keys: [admin-user, admin-password]", "keys: [admin-user]", "config/platform.yaml:156: components.kube-prometheus-stack.secrets[0].keys: grafana-admin needs exactly two keys, the admin user's then the password's (got 1)"),
    # --- day-2 signals (issue 15) ---------------------------------------------------------------
    ("alerting-route-unknown-receiver", P, "  critical: oncall", "  critical: pager", "config/platform.yaml:180: alerting.critical: names no receiver (receivers: oncall, platform-chat)"),
    ("alerting-secret-key-undeclared", P, "secret_key: slack-webhook-url}", "secret_key: slack-url}", "config/platform.yaml:179: alerting.receivers[1].secret_key: must be a key of the kube-prometheus-stack secret 'alertmanager' (declared keys: slack-webhook-url, pagerduty-routing-key)"),
    ("alerting-receiver-type", P, "type: slack,", "type: email,", "config/platform.yaml:179: alerting.receivers[1].type: must be one of slack, webhook, pagerduty (got 'email')"),
    ("retention-out-of-range", P, "log_retention_days: 30,", "log_retention_days: 0,", "config/platform.yaml:106: environments.prod.observability.log_retention_days: must be >= 1 (got 0)"),
    ("slo-latency-not-a-bucket", ORDERS, "dashboard: true", "dashboard: true\nslo: {latency_ms: 250}", "config/apps/orders.yaml:13: slo.latency_ms: must be a histogram bucket bound of the app's latency metric (1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 300, 400, 500, 750, 1000, 2000, 5000, 10000, 30000, 60000; got 250)"),
    ("slo-availability-100", ORDERS, "dashboard: true", "dashboard: true\nslo: {availability: 100}", "config/apps/orders.yaml:13: slo.availability: must be < 100.0 (got 100)"),
    # --- issue 12: anchored patterns (a final newline), derived names, collisions, admin secrets -----
    ("subdomain-trailing-newline", HELLO, "public: {subdomain: hello}", 'public: {subdomain: "hello\\n"}', "config/apps/hello-goldenpath-idp.yaml:9: public.subdomain: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got 'hello\\n')"),
    ("branch-trailing-newline", P, "    branch: development", '    branch: "development\\n"', "config/platform.yaml:21: environments.dev.branch: must be a git branch name (got 'development\\n')"),
    ("domain-trailing-newline", P, "domain: goldenpathidp.io", 'domain: "goldenpathidp.io\\n"', "config/platform.yaml:7: domain: must be a lower-case DNS domain like example.io (got 'goldenpathidp.io\\n')"),
    ("owner-trailing-newline", ORDERS, "owner: team-commerce", 'owner: "team-commerce\\n"', "config/apps/orders.yaml:3: owner: must be a tag value (got 'team-commerce\\n')"),
    ("secret-key-trailing-newline", WEB, "keys: [api-key]", 'keys: ["api-key\\n"]', "config/apps/sample-stateless.yaml:12: secrets[0].keys[0]: must be a secret key of letters, digits, '_', '.' or '-' (got 'api-key\\n')"),
    ("namespace-trailing-newline", P, "    namespace: kong", '    namespace: "kong\\n"', "config/platform.yaml:149: components.kong.namespace: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got 'kong\\n')"),
    ("node-group-trailing-newline", P, "        - name: burst", '        - name: "burst\\n"', "config/platform.yaml:92: environments.prod.cluster.node_groups[1].name: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got 'burst\\n')"),
    ("db-name-trailing-newline", ORDERS, "database: {name: orders, size: small}", 'database: {name: "orders\\n", size: small}', "config/apps/orders.yaml:11: database.name: must be a PostgreSQL identifier: a lower-case letter, then lower-case letters, digits or '_', at most 63 characters (got 'orders\\n')"),
    ("account-id-trailing-newline", P, 'account_id: "593517239005"', 'account_id: "593517239005\\n"', "config/platform.yaml:9: account_id: must be a 12-digit AWS account id in quotes (got '593517239005\\n')"),
    ("db-role-shared", WEB, "dashboard: true", "dashboard: true\ndatabase: {name: orders_app}", "config/apps/sample-stateless.yaml:14: database.name: PostgreSQL role 'orders_app' is already the role of app orders (config/apps/orders.yaml); two owners would share one login and each other's databases"),
    ("db-role-too-long", ORDERS, "database: {name: orders, size: small}", "database: {name: ooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo, size: small}", "config/apps/orders.yaml:11: database.name: the derived PostgreSQL role 'oooooooooooooooooooooooooooooooooooooooooooooooooooooooo... is 65 characters; PostgreSQL (NAMEDATALEN - 1) allows at most 63"),
    ("organisation-too-long-nlb", P, "organisation: goldenpath", "organisation: gggggggggggggggggggggggggggggggg", "config/platform.yaml:4: organisation: the derived Kong NLB name 'gggggggggggggggggggggggggggggggg-dev-kong' is 41 characters; ELBv2 (load balancer Name) allows at most 32"),
    ("organisation-too-long-iam", P, "organisation: goldenpath", "organisation: gggggggggggggggggggggggggggggggg", "config/platform.yaml:4: organisation: the derived IAM role name 'gggggggggggggggggggggggggggggggg-staging-aws-load-balanc... is 69 characters; IAM (CreateRole RoleName) allows at most 64"),
    ("grafana-admin-missing", P, "      - name: grafana-admin  # Grafana's admin login (otherwise the chart default ships)\n        keys: [admin-user, admin-password]\n", "", "config/platform.yaml:154: components.kube-prometheus-stack.secrets: kube-prometheus-stack needs the admin secret 'grafana-admin' with 2 keys, the admin user's then the password's (otherwise the chart's default admin password ships)"),
    ("keycloak-admin-no-password-key", P, "        keys: [password]", "        keys: [pass]", 'config/platform.yaml:146: components.keycloak.secrets[0].keys: admin needs the key(s) password (got pass)'),
    ("secret-resource-id-collision", P, "    adopts_bootstrap_release: true  # Terraform installs Argo CD once; then it manages itself from git\n  argocd-image-updater:\n", "    adopts_bootstrap_release: true\n    secrets: [{name: image-updater-token, keys: [a]}]\n  argocd-image-updater:\n    secrets: [{name: token, keys: [a]}]\n", "config/platform.yaml:116: components.argocd-image-updater.secrets[0].name: the secret's Terraform resource id 'argocd_image_updater_token' is already the id of a secret of component argocd (names differ only in '-' placement)"),
    ("admin-principal-id-collision", P, 'admin_principals: ["arn:aws:iam::593517239005:role/goldenpath-platform-admin"]', 'admin_principals: ["arn:aws:iam::593517239005:role/a-b", "arn:aws:iam::593517239005:role/a.b"]', "config/platform.yaml:10: admin_principals[1]: maps to the same access entry id as admin_principals[0] (ids replace every character but letters, digits and '_')"),
    ("app-namespace-taken-by-component", P, "    namespace: backstage", "    namespace: apps-orders", "config/apps/orders.yaml:2: name: namespace 'apps-orders' is already the namespace of component backstage"),
    ("app-name-reserved-application", WEB, "name: sample-stateless", "name: platform-database", "config/apps/sample-stateless.yaml:2: name: 'platform-database' is reserved: the generator's Application <env>-platform-database has that name"),
    ("owner-long-value-truncated", WEB, "owner: team-web", "owner: " + "x" * 5000, "config/apps/sample-stateless.yaml:3: owner: must be a tag value (got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...)"),
    ("chart-version-too-long", P, "name: kong, version: 2.52.0}", "name: kong, version: 2.52.0-" + "a" * 300 + "}", "config/platform.yaml:148: components.kong.chart.version: must be an exact version like 1.2.3 (got '2.52.0-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...)"),
]


# --- config files that are not plain files of config/ (issue 12) ------------------------------
# (id, how to make the file from the config copy's directory, message); the file is apps/evil.yaml.
def _symlink_out(config: Path) -> None:
    (config / "apps" / "evil.yaml").symlink_to("/dev/zero")


def _fifo(config: Path) -> None:
    os.mkfifo(config / "apps" / "evil.yaml")


def _directory(config: Path) -> None:
    (config / "apps" / "evil.yaml").mkdir()


def _huge(config: Path) -> None:
    (config / "apps" / "evil.yaml").write_text("name: evil\nowner: '" + "x" * (2 << 20) + "'\n")


def _dangling(config: Path) -> None:
    (config / "apps" / "evil.yaml").symlink_to(config / "apps" / "nowhere.yaml")


FILE_CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("file-symlink-out-of-config", _symlink_out, "config/apps/evil.yaml: is a symlink to '/dev/zero', outside config; config files must live inside it"),
    ("file-fifo", _fifo, "config/apps/evil.yaml: is not a regular file (a directory, device, FIFO or socket); config files must be plain YAML files"),
    ("file-directory", _directory, "config/apps/evil.yaml: is not a regular file (a directory, device, FIFO or socket); config files must be plain YAML files"),
    ("file-too-large", _huge, "config/apps/evil.yaml: is 2097173 bytes; config files may have at most 1048576 bytes"),
    ("file-dangling-symlink", _dangling, "config/apps/evil.yaml: cannot resolve the file (a dangling or looping symlink?)"),
]
