"""stacks/zone.py: adopt the predecessor's hosted zone (default), or create one; output id + name servers."""

from __future__ import annotations

from tests.stacks.conftest import data, resources


def test_default_config_adopts_the_predecessors_zone(stack, default_config) -> None:
    # GIVEN the default config (hosted_zone.zone_id is the predecessor's goldenpathidp.io zone)
    assert default_config.platform.hosted_zone.zone_id == "Z0032802NEMSL43VHH4E"
    doc = stack("global-zone")
    # THEN no second goldenpathidp.io zone is created ...
    assert resources(doc, "aws_route53_zone") == {}
    # ... the public zone is looked up by its name and must be the configured one (the provider
    # ignores a lookup that sets both zone_id and name, so the id is a postcondition)
    zone = data(doc, "aws_route53_zone")["zone"]
    assert (zone["name"], zone["private_zone"]) == ("goldenpathidp.io", False)
    assert "zone_id" not in zone
    assert zone["lifecycle"] == {
        "postcondition": [
            {
                "condition": '${self.zone_id == "Z0032802NEMSL43VHH4E"}',
                "error_message": "The public zone goldenpathidp.io is not Z0032802NEMSL43VHH4E (config/platform.yaml hosted_zone.zone_id).",
            }
        ]
    }
    # AND the operator sees the zone id and its name servers (`cdktf output global-zone`)
    outputs = doc["output"]
    assert outputs["zone_id"]["value"] == "${data.aws_route53_zone.zone.zone_id}"
    assert outputs["name_servers"]["value"] == "${data.aws_route53_zone.zone.name_servers}"
    # AND the DNS stacks get the id through a cross-stack output
    cross = [o["value"] for name, o in outputs.items() if name.startswith("cross-stack-output-")]
    assert cross == ["${data.aws_route53_zone.zone.zone_id}"]


def test_zone_is_created_when_none_is_adopted(variant_stack) -> None:
    # GIVEN hosted_zone.zone_id: null
    doc = variant_stack("global-zone")
    # THEN the zone is created for the platform domain and protected from destroy
    zone = resources(doc, "aws_route53_zone")["zone"]
    assert zone["name"] == "goldenpathidp.io"
    assert zone["lifecycle"] == {"prevent_destroy": True}
    assert data(doc, "aws_route53_zone") == {}
    # AND the same outputs exist (the new name servers are what the registrar must delegate to)
    outputs = doc["output"]
    assert outputs["zone_id"]["value"] == "${aws_route53_zone.zone.zone_id}"
    assert outputs["name_servers"]["value"] == "${aws_route53_zone.zone.name_servers}"
