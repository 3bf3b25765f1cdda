"""stacks/dns.py: the env wildcard is an alias to the Kong NLB, found by the name Kong's values give it."""

from __future__ import annotations

import pytest

from goldenpath import helm_values, naming
from tests.stacks.conftest import data, resources


@pytest.mark.parametrize("env, wildcard", [("dev", "*.dev.goldenpathidp.io"), ("staging", "*.staging.goldenpathidp.io"), ("prod", "*.goldenpathidp.io")])
def test_wildcard_alias_to_the_kong_nlb(stack, default_config, env: str, wildcard: str) -> None:
    doc = stack(f"{env}-dns")
    # THEN the load balancer is looked up by the name Kong's values give it
    lb_name = data(doc, "aws_lb")["kong"]["name"]
    annotations = helm_values.kong(default_config, env)["proxy"]["annotations"]
    assert lb_name == annotations["service.beta.kubernetes.io/aws-load-balancer-name"] == naming.kong_load_balancer(default_config.platform, env)
    # AND the wildcard record aliases it, in the zone of the global zone stack
    record = resources(doc, "aws_route53_record")["wildcard"]
    assert record["name"] == wildcard == naming.wildcard(default_config.platform, env)
    assert record["type"] == "A"
    assert record["alias"] == {"name": "${data.aws_lb.kong.dns_name}", "zone_id": "${data.aws_lb.kong.zone_id}", "evaluate_target_health": True}
    assert record["zone_id"].startswith("${data.terraform_remote_state.cross-stack-reference-input-global-zone.outputs.")


def test_dns_outputs_name_the_nlb(stack) -> None:
    outputs = stack("dev-dns")["output"]
    assert outputs["nlb_name"]["value"] == "${data.aws_lb.kong.name}"
    assert outputs["nlb_dns_name"]["value"] == "${data.aws_lb.kong.dns_name}"
    assert outputs["wildcard_record"]["value"] == "${aws_route53_record.wildcard.fqdn}"
