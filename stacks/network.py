"""The ``<env>-network`` stack: VPC, a public and a private subnet per AZ, IGW, NAT, flow logs.

Subnets are carved deterministically from the env CIDR: split into the smallest power of two
>= 2 x AZs equal blocks (the same arithmetic config validation uses), public subnets first,
then private ones, in AZ order. Public subnets carry ``kubernetes.io/role/elb`` (internet-facing
NLBs such as Kong's), private ones ``kubernetes.io/role/internal-elb``; both carry
``kubernetes.io/cluster/<cluster>=shared`` so the AWS LB controller finds them.
"""

from __future__ import annotations

import ipaddress
import math

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from constructs import Construct

from goldenpath import naming
from goldenpath.config import PlatformConfig
from stacks.base import LOG_RETENTION_DAYS, PlatformStack, policy_json

ANYWHERE = "0.0.0.0/0"


def subnet_cidrs(cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """(public, private) CIDRs, one each per AZ, in AZ order."""
    net = ipaddress.IPv4Network(cidr)
    new_prefix = net.prefixlen + math.ceil(math.log2(2 * zones))
    blocks = [str(b) for b in net.subnets(new_prefix=new_prefix)]
    return blocks[:zones], blocks[zones : 2 * zones]


def az_id(zone: str) -> str:
    """Resource id suffix for an AZ: ``eu-west-2a`` -> ``a``."""
    return zone[-1]


class NetworkStack(PlatformStack):
    def __init__(self, scope: Construct, *, config: PlatformConfig, env: str) -> None:
        super().__init__(scope, naming.env_stack(env, "network"), config=config, env=env)
        platform = self.platform
        network = platform.environments[env].network
        cluster_tag = {f"kubernetes.io/cluster/{naming.cluster(platform, env)}": "shared"}

        self.this = Vpc(
            self,
            "vpc",
            cidr_block=network.cidr,
            enable_dns_hostnames=True,  # EKS nodes and RDS endpoints need DNS names
            enable_dns_support=True,
            # The AWS LB controller finds the VPC by these tags (its values' vpcTags).
            tags=naming.vpc_discovery_tags(platform, env),
        )
        self.vpc_id: str = self.this.id
        # Nothing may use the default security group (checkov CKV2_AWS_12): no rules at all.
        DefaultSecurityGroup(self, "default_security_group", vpc_id=self.this.id, ingress=[], egress=[])

        igw = InternetGateway(self, "igw", vpc_id=self.this.id, tags={"Name": naming.resource(platform, env, "igw")})

        public_cidrs, private_cidrs = subnet_cidrs(network.cidr, len(network.availability_zones))
        public: list[Subnet] = []
        private: list[Subnet] = []
        for zone, pub_cidr, priv_cidr in zip(network.availability_zones, public_cidrs, private_cidrs, strict=True):
            suffix = az_id(zone)
            public.append(
                Subnet(
                    self,
                    f"public_{suffix}",
                    vpc_id=self.this.id,
                    cidr_block=pub_cidr,
                    availability_zone=zone,
                    map_public_ip_on_launch=False,  # only NAT gateways and NLBs live here, with their own EIPs
                    tags={"Name": naming.resource(platform, env, "public", zone), "kubernetes.io/role/elb": "1", **cluster_tag},
                )
            )
            private.append(
                Subnet(
                    self,
                    f"private_{suffix}",
                    vpc_id=self.this.id,
                    cidr_block=priv_cidr,
                    availability_zone=zone,
                    tags={"Name": naming.resource(platform, env, "private", zone), "kubernetes.io/role/internal-elb": "1", **cluster_tag},
                )
            )
        self.public_subnets = public
        self.private_subnets = private
        self.private_subnet_ids: list[str] = [s.id for s in private]

        public_rt = RouteTable(self, "public_rt", vpc_id=self.this.id, tags={"Name": naming.resource(platform, env, "public")})
        Route(self, "public_default", route_table_id=public_rt.id, destination_cidr_block=ANYWHERE, gateway_id=igw.id)
        for subnet, zone in zip(public, network.availability_zones, strict=True):
            RouteTableAssociation(self, f"public_{az_id(zone)}_rt", subnet_id=subnet.id, route_table_id=public_rt.id)

        # One NAT in the first AZ (cheap, dev) or one per AZ (an AZ outage keeps the others online).
        nat_zones = network.availability_zones if network.nat_gateways == "per_az" else network.availability_zones[:1]
        nats: dict[str, NatGateway] = {}
        for zone, subnet in zip(network.availability_zones, public, strict=True):
            if zone not in nat_zones:
                continue
            eip = Eip(self, f"nat_{az_id(zone)}_eip", domain="vpc", tags={"Name": naming.resource(platform, env, "nat", zone)})
            nats[zone] = NatGateway(
                self,
                f"nat_{az_id(zone)}",
                allocation_id=eip.id,
                subnet_id=subnet.id,
                tags={"Name": naming.resource(platform, env, "nat", zone)},
                depends_on=[igw],
            )
        for zone, subnet in zip(network.availability_zones, private, strict=True):
            nat = nats.get(zone) or nats[nat_zones[0]]
            rt = RouteTable(self, f"private_{az_id(zone)}_rt", vpc_id=self.this.id, tags={"Name": naming.resource(platform, env, "private", zone)})
            Route(self, f"private_{az_id(zone)}_default", route_table_id=rt.id, destination_cidr_block=ANYWHERE, nat_gateway_id=nat.id)
            RouteTableAssociation(self, f"private_{az_id(zone)}_rt_assoc", subnet_id=subnet.id, route_table_id=rt.id)

        self._flow_logs(env)
        self.output("vpc_id", self.this.id, f"VPC of {env}")
        self.output("private_subnet_ids", self.private_subnet_ids, f"Private subnets of {env} (EKS nodes, RDS)")

    def _flow_logs(self, env: str) -> None:
        """VPC flow logs to an encrypted CloudWatch log group (checkov CKV2_AWS_11, CKV_AWS_158/338)."""
        name = naming.flow_log_group(self.platform, env)
        key = self.kms_key(
            "flow_logs_key",
            purpose="flow-logs",
            description=f"VPC flow logs of {env}",
            service_statements=[self.logs_key_statement(self.log_group_arn(name))],
        )
        group = CloudwatchLogGroup(self, "flow_logs", name=name, retention_in_days=LOG_RETENTION_DAYS, kms_key_id=key.arn)
        # Confused-deputy protection, as the VPC flow logs guide's trust policy shows: only flow
        # logs of this account may assume the role.
        platform = self.platform
        role = self.service_role(
            "flow_logs_role",
            purpose="vpc-flow-logs",
            service="vpc-flow-logs.amazonaws.com",
            condition={
                "StringEquals": {"aws:SourceAccount": platform.account_id},
                "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{platform.region}:{platform.account_id}:vpc-flow-log/*"},
            },
        )
        IamRolePolicy(
            self,
            "flow_logs_write",
            name="write-flow-logs",
            role=role.id,
            policy=policy_json(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                        "Resource": [group.arn, f"{group.arn}:*"],
                    }
                ]
            ),
        )
        FlowLog(
            self,
            "flow_log",
            vpc_id=self.this.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
        )
