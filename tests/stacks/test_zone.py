"""stacks/zone.py: create the hosted zone, or adopt an existing one by id."""

from __future__ import annotations

from tests.stacks.conftest import data, resources


def test_zone_is_created_for_the_domain(stack) -> None:
    # GIVEN the default config (no zone id to adopt)
    doc = stack("global-zone")
    # THEN the zone is created for the platform domain and protected from destroy
    zone = resources(doc, "aws_route53_zone")["zone"]
    assert zone["name"] == "goldenpathidp.io"
    assert zone["lifecycle"] == {"prevent_destroy": True}
    # AND its id is exported for the DNS stacks (cross-stack reference)
    assert [o["value"] for o in doc["output"].values()] == ["${aws_route53_zone.zone.zone_id}"]


def test_existing_zone_is_adopted(variant_stack) -> None:
    # GIVEN hosted_zone.zone_id set in config
    doc = variant_stack("global-zone")
    # THEN nothing is created; the zone is looked up by id and that is what DNS stacks use
    assert resources(doc, "aws_route53_zone") == {}
    assert data(doc, "aws_route53_zone")["zone"]["zone_id"] == "Z0123456789ABC"
    assert [o["value"] for o in doc["output"].values()] == ["${data.aws_route53_zone.zone.zone_id}"]
