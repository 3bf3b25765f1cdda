"""DNS records as Route 53 and the AWS provider read them: the record type fits its target.

Facts (cited where they are checked):
* An alias to an Elastic Load Balancing load balancer is an A (IPv4) or AAAA (IPv6) record, and
  its ``zone_id`` is the load balancer's canonical hosted zone, not the zone the record is in
  (AWS re:Post, "How do I create alias records for services hosted in AWS?",
  repost.aws/knowledge-center/route-53-create-alias-records; Route 53 API AliasTarget.HostedZoneId).
* ``aws_db_instance.endpoint`` is ``address:port``; a hostname record needs ``address`` (AWS
  provider docs, r/db_instance attributes: "address - The hostname of the RDS instance",
  "endpoint - The connection endpoint in address:port format"). A CNAME to the endpoint resolves
  nowhere.
* A non-alias record needs ``ttl`` and ``records`` (provider: "ttl - Required for non-alias
  records"); a CNAME cannot be at the zone apex (RFC 1034 §3.6.2: a CNAME has no other data)
  and holds names, an A record IPv4 literals.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from goldenpath.verify.artifacts import Artifacts, TfBlock
from goldenpath.verify.registry import rule
from goldenpath.verify.report import Violation

LB_ATTRIBUTE = re.compile(r"^\$\{(?P<lb>(data\.)?aws_lb\.[A-Za-z0-9_-]+)\.(?P<attribute>dns_name|zone_id)\}$")
DB_ATTRIBUTE = re.compile(r"\$\{(?P<db>aws_db_instance\.[A-Za-z0-9_-]+)\.(?P<attribute>[a-z_]+)\}")
# Attributes that are host names (provider docs: db_instance address/endpoint, lb dns_name, route53_record fqdn).
HOSTNAME_ATTRIBUTE = re.compile(r"\.(address|endpoint|dns_name|fqdn)\}")
ALIAS_TYPES = {"A", "AAAA"}
NAME = re.compile(r"\A(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}\.?\Z")


def _v(block: TfBlock, message: str) -> Violation:
    return Violation(block.file, block.address, "dns-record-type", message)


def _zone_names(a: Artifacts) -> dict[tuple[str, str], str]:
    """(stack, ``${aws_route53_zone.<name>.zone_id}``) -> zone name (the zones a stack creates)."""
    return {(b.stack, f"${{aws_route53_zone.{b.name}.zone_id}}"): str(b.body.get("name", "")).rstrip(".") for b in a.blocks("aws_route53_zone")}


@rule("dns-record-type", "consistency")
def dns_record_type(a: Artifacts) -> Iterator[Violation]:
    """Every Route 53 record's type fits what it points at: an alias to a load balancer is A/AAAA
    with that load balancer's own zone id; a CNAME names a host (the RDS ``address``, never the
    ``address:port`` endpoint), is not at a zone apex and has a TTL; an A record holds IPv4
    addresses (a record the API rejects, or one that resolves nowhere, breaks every host behind it)."""
    zones = _zone_names(a)
    for block in a.blocks("aws_route53_record"):
        body = block.body
        rtype = str(body.get("type", ""))
        name = str(body.get("name", "")).rstrip(".")
        alias = body.get("alias")
        if isinstance(alias, list):
            alias = alias[0] if alias else None
        if alias:
            target, zone = LB_ATTRIBUTE.match(str(alias.get("name", ""))), LB_ATTRIBUTE.match(str(alias.get("zone_id", "")))
            if target and rtype not in ALIAS_TYPES:
                yield _v(block, f"record {name} is an alias to {target['lb']} but has type {rtype or '(none)'}; an alias to a load balancer is A or AAAA")
            if target and (zone is None or zone["lb"] != target["lb"] or zone["attribute"] != "zone_id"):
                yield _v(block, f"alias zone_id of {name} is {alias.get('zone_id')!r}, not {target['lb']}.zone_id (the load balancer's canonical hosted zone)")
            if "ttl" in body or body.get("records"):
                yield _v(block, f"alias record {name} also sets ttl/records; Route 53 takes neither with an alias")
            continue
        records = [str(r) for r in body.get("records") or []]
        if "ttl" not in body or not records:
            yield _v(block, f"record {name} ({rtype}) is not an alias and lacks {'ttl' if 'ttl' not in body else 'records'}")
        if not NAME.match(name):
            yield _v(block, f"record name {name!r} is not a DNS name")
        zone_name = zones.get((block.stack, str(body.get("zone_id", ""))))
        if rtype == "CNAME" and zone_name is not None and name == zone_name:
            yield _v(block, f"CNAME {name} is at the apex of zone {zone_name}; a CNAME cannot share a name with the zone's SOA/NS")
        for record in records:
            db = DB_ATTRIBUTE.search(record)
            if db and db["attribute"] != "address":
                yield _v(block, f"record {name} points at {db['db']}.{db['attribute']}; a hostname record needs .address (endpoint is address:port)")
            if "${" in record:  # resolved at apply time: judged by the attribute it reads
                if rtype == "A" and HOSTNAME_ATTRIBUTE.search(record):
                    yield _v(block, f"A record {name} holds {record!r}, a host name, not an IPv4 address (use a CNAME or an alias for a name)")
                continue
            if rtype == "A" and not _ipv4(record):
                yield _v(block, f"A record {name} holds {record!r}, not an IPv4 address (use a CNAME or an alias for a name)")
            if rtype == "CNAME" and (_ipv4(record) or not NAME.match(record)):
                yield _v(block, f"CNAME {name} holds {record!r}, not a host name")


def _ipv4(value: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(value), ipaddress.IPv4Address)
    except ValueError:
        return False
