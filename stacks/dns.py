"""The ``<env>-dns`` stack: ``*.<env domain>`` -> the Kong NLB.

The NLB is made by the AWS Load Balancer Controller for Kong's proxy Service, with the name
Kong's values give it (``naming.kong_load_balancer``), so it is looked up by that name: no
hostname is copied by hand (the predecessor's domain typo, seed report K). It exists only after
Argo CD has synced Kong, so deploy this stack after the bootstrap stack has converged.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_lb import DataAwsLb
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from stacks.base import PlatformStack
from stacks.zone import ZoneStack


class DnsStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig, env: str, zone: ZoneStack) -> None:
        super().__init__(scope, naming.env_stack(env, "dns"), config=config, env=env)
        platform = self.platform
        nlb = DataAwsLb(self, "kong", name=naming.kong_load_balancer(platform, env))
        self.this = Route53Record(
            self,
            "wildcard",
            zone_id=zone.zone_id,
            name=naming.wildcard(platform, env),
            type="A",
            alias={"name": nlb.dns_name, "zone_id": nlb.zone_id, "evaluate_target_health": True},
        )
        self.output("nlb_name", nlb.name, "Kong's NLB (made by the AWS Load Balancer Controller)")
        self.output("nlb_dns_name", nlb.dns_name, "DNS name of Kong's NLB")
        self.output("wildcard_record", self.this.fqdn, f"Wildcard record of {env} pointing at the NLB")
