"""Every kind of identifier the platform writes somewhere, with the limit of whoever consumes it.

One place for each rule: the model validates config values with these kinds, and
:mod:`goldenpath.config` validates every *derived* name (``naming``) with them after derivation,
so a 32-character organisation is a config error at its line, not an AWS API error at apply time.
Patterns are matched with ``fullmatch`` only: ``re.match`` with ``$`` accepts a final newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SHOWN = 60  # longest value echoed back in a message


def shown(value: object) -> str:
    """``repr`` of a value for an error message, cut to :data:`MAX_SHOWN` characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


@dataclass(frozen=True)
class Kind:
    what: str  # "a DNS-1123 label: ..." (the message after "must be")
    pattern: re.Pattern[str]
    max_length: int
    min_length: int = 1
    limit_source: str = ""  # whose limit it is, for derived-name messages

    def matches(self, value: str) -> bool:
        return self.min_length <= len(value) <= self.max_length and self.pattern.fullmatch(value) is not None

    def problem(self, value: str) -> str | None:
        """None when valid, else ``must be <what> (got '<value>')``."""
        return None if self.matches(value) else f"must be {self.what} (got {shown(value)})"

    def derived_problem(self, label: str, value: str) -> str | None:
        """For a name derived from config: says which name, its length and the consumer's limit."""
        if self.matches(value):
            return None
        if len(value) > self.max_length:
            return f"the derived {label} {shown(value)} is {len(value)} characters; {self.limit_source} allows at most {self.max_length}"
        return f"the derived {label} {shown(value)} is not {self.what}"


# RFC 1123 label (Kubernetes names of namespaces, services, ...; DNS hostname labels).
DNS_LABEL = Kind(
    "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"), 63, limit_source="DNS (RFC 1123)",
)
# PostgreSQL: NAMEDATALEN 64 -> at most 63 bytes; longer names are silently truncated, which the
# provisioning script refuses (docs: sql-syntax-lexical, "Identifiers and Key Words").
PG_IDENTIFIER = Kind(
    "a PostgreSQL identifier: a lower-case letter, then lower-case letters, digits or '_', at most 63 characters",
    re.compile(r"[a-z][a-z0-9_]*"), 63, limit_source="PostgreSQL (NAMEDATALEN - 1)",
)
# IAM CreateRole RoleName: 1-64 of [\w+=,.@-] (IAM API reference, CreateRole).
IAM_ROLE = Kind("an IAM role name", re.compile(r"[A-Za-z0-9_+=,.@-]+"), 64, limit_source="IAM (CreateRole RoleName)")
# ELBv2 CreateLoadBalancer Name: at most 32 alphanumerics or hyphens, not starting or ending with a hyphen.
LOAD_BALANCER = Kind("a load balancer name", re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"), 32, limit_source="ELBv2 (load balancer Name)")
# S3 bucket naming rules: 3-63 lower-case letters, digits, '.', '-'; begins and ends with a letter or digit.
S3_BUCKET = Kind("an S3 bucket name", re.compile(r"(?!.*\.\.)[a-z0-9][a-z0-9.-]*[a-z0-9]"), 63, min_length=3, limit_source="S3 (bucket naming rules)")
# ECR CreateRepository repositoryName: 2-256, (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*
ECR_REPOSITORY = Kind(
    "an ECR repository name", re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"), 256, min_length=2,
    limit_source="ECR (CreateRepository repositoryName)",
)
# EKS CreateCluster name: 1-100, ^[0-9A-Za-z][A-Za-z0-9\-_]*
EKS_CLUSTER = Kind("an EKS cluster name", re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]*"), 100, limit_source="EKS (CreateCluster name)")
# RDS DBInstanceIdentifier: 1-63 letters, digits or hyphens; first a letter; no '--'; no trailing '-'.
RDS_IDENTIFIER = Kind("an RDS instance identifier", re.compile(r"[a-z](?!.*--)[a-z0-9-]*(?<!-)"), 63, limit_source="RDS (DBInstanceIdentifier)")
# A host name: at most 253 characters, DNS labels joined by dots.
HOST_NAME = Kind("a DNS host name", re.compile(r"([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"), 253, limit_source="DNS (RFC 1035)")
