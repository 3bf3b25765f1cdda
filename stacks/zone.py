"""The ``global-zone`` stack: the platform's public Route53 hosted zone (create, or adopt).

With ``hosted_zone.zone_id`` set in config/platform.yaml the zone already exists (registrar
delegation done by hand; the default config adopts the predecessor's ``goldenpathidp.io`` zone
instead of creating a second one with other name servers) and is only looked up; otherwise it is
created here. Either way :attr:`ZoneStack.zone_id` is what the per-env DNS stacks reference (a
CDKTF cross-stack reference, so `cdktf deploy` orders zone before dns), and the stack outputs the
zone id and name servers (what the registrar must delegate to).
"""

from __future__ import annotations

from cdktf import Postcondition, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.route53_zone import Route53Zone
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from stacks.base import PlatformStack


class ZoneStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, naming.global_stack("zone"), config=config, env=None)
        platform = self.platform
        adopted = platform.hosted_zone.zone_id
        self.this: DataAwsRoute53Zone | Route53Zone
        if adopted:
            # Looked up by name (so the zone's domain is in the JSON for the verifier) and pinned
            # to the configured id by a postcondition: the provider ignores a lookup that sets
            # both zone_id and name (route53/zone_data_source.go: "only one of zone_id or name").
            self.this = DataAwsRoute53Zone(
                self,
                "zone",
                name=platform.domain,
                private_zone=False,
                lifecycle=TerraformResourceLifecycle(
                    postcondition=[
                        Postcondition(
                            condition=f'${{self.zone_id == "{adopted}"}}',
                            error_message=f"The public zone {platform.domain} is not {adopted} (config/platform.yaml hosted_zone.zone_id).",
                        )
                    ]
                ),
            )
        else:
            # A deleted zone gets new name servers: the registrar delegation would break.
            self.this = Route53Zone(self, "zone", name=platform.domain, comment=f"{platform.project} platform zone", lifecycle={"prevent_destroy": True})
        self.zone_id: str = self.this.zone_id
        self.output("zone_id", self.this.zone_id, f"Route53 hosted zone of {platform.domain}")
        self.output("name_servers", self.this.name_servers, f"Name servers the registrar of {platform.domain} must delegate to")
