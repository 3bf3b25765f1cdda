"""The ``global-zone`` stack: the platform's public Route53 hosted zone (create, or adopt).

With ``hosted_zone.zone_id`` set in config/platform.yaml the zone already exists (registrar
delegation done by hand) and is only looked up; otherwise it is created here. Either way
:attr:`ZoneStack.zone_id` is what the per-env DNS stacks reference (a CDKTF cross-stack
reference, so `cdktf deploy` orders zone before dns).
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.route53_zone import Route53Zone
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from stacks.base import PlatformStack


class ZoneStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig) -> None:
        super().__init__(scope, naming.global_stack("zone"), config=config, env=None)
        adopted = self.platform.hosted_zone.zone_id
        self.this: DataAwsRoute53Zone | Route53Zone
        if adopted:
            self.this = DataAwsRoute53Zone(self, "zone", zone_id=adopted)
            self.zone_id: str = self.this.zone_id
        else:
            # A deleted zone gets new name servers: the registrar delegation would break.
            self.this = Route53Zone(
                self, "zone", name=self.platform.domain, comment=f"{self.platform.project} platform zone", lifecycle={"prevent_destroy": True}
            )
            self.zone_id = self.this.zone_id
