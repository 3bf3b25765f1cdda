"""stacks/network.py: subnets carved per AZ with the EKS/LB tags, NAT per env, flow logs, locked default SG."""

from __future__ import annotations

import pytest

from goldenpath import helm_values
from stacks.network import subnet_cidrs
from tests.stacks.conftest import policy, resources


def test_subnet_carving_is_deterministic() -> None:
    assert subnet_cidrs("10.10.0.0/16", 2) == (["10.10.0.0/18", "10.10.64.0/18"], ["10.10.128.0/18", "10.10.192.0/18"])
    assert subnet_cidrs("10.30.0.0/16", 3) == (
        ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"],
        ["10.30.96.0/19", "10.30.128.0/19", "10.30.160.0/19"],
    )


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_subnets_have_the_load_balancer_and_cluster_tags(stack, default_config, env: str) -> None:
    # GIVEN an env's network stack
    doc = stack(f"{env}-network")
    network = default_config.platform.environments[env].network
    subnets = resources(doc, "aws_subnet")
    cluster_tag = f"kubernetes.io/cluster/goldenpath-{env}-eks"
    # THEN each AZ has one public subnet (internet-facing NLBs) and one private subnet (internal LBs, nodes, RDS)
    assert len(subnets) == 2 * len(network.availability_zones)
    assert resources(doc, "aws_vpc")["vpc"]["cidr_block"] == network.cidr
    for zone in network.availability_zones:
        public, private = subnets[f"public_{zone[-1]}"], subnets[f"private_{zone[-1]}"]
        assert public["availability_zone"] == private["availability_zone"] == zone
        assert public["tags"]["kubernetes.io/role/elb"] == "1" and "kubernetes.io/role/internal-elb" not in public["tags"]
        assert private["tags"]["kubernetes.io/role/internal-elb"] == "1" and "kubernetes.io/role/elb" not in private["tags"]
        assert public["tags"][cluster_tag] == private["tags"][cluster_tag] == "shared"
        # AND nothing launched into a public subnet gets a public IP implicitly
        assert public["map_public_ip_on_launch"] is False


def test_dev_has_one_nat_prod_one_per_az(stack) -> None:
    # GIVEN dev (nat_gateways: single) and prod (per_az)
    dev, prod = stack("dev-network"), stack("prod-network")
    # THEN dev routes every private subnet through its single NAT
    assert list(resources(dev, "aws_nat_gateway")) == ["nat_a"]
    assert {r["nat_gateway_id"] for k, r in resources(dev, "aws_route").items() if k.startswith("private")} == {"${aws_nat_gateway.nat_a.id}"}
    # AND prod has one NAT per AZ, each private subnet using the NAT of its own AZ
    assert sorted(resources(prod, "aws_nat_gateway")) == ["nat_a", "nat_b", "nat_c"]
    for az in "abc":
        assert resources(prod, "aws_route")[f"private_{az}_default"]["nat_gateway_id"] == f"${{aws_nat_gateway.nat_{az}.id}}"
        assert resources(prod, "aws_nat_gateway")[f"nat_{az}"]["subnet_id"] == f"${{aws_subnet.public_{az}.id}}"


def test_public_route_goes_to_the_internet_gateway(stack) -> None:
    route = resources(stack("dev-network"), "aws_route")["public_default"]
    assert route["destination_cidr_block"] == "0.0.0.0/0"
    assert route["gateway_id"] == "${aws_internet_gateway.igw.id}"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_flow_logs_and_locked_default_security_group(stack, env: str) -> None:
    doc = stack(f"{env}-network")
    # THEN all VPC traffic is logged to an encrypted log group kept for a year
    flow = resources(doc, "aws_flow_log")["flow_log"]
    assert flow["traffic_type"] == "ALL" and flow["vpc_id"] == "${aws_vpc.vpc.id}"
    group = resources(doc, "aws_cloudwatch_log_group")["flow_logs"]
    assert group["kms_key_id"] == "${aws_kms_key.flow_logs_key.arn}" and group["retention_in_days"] == 365
    # AND the default security group allows nothing
    assert resources(doc, "aws_default_security_group")["default_security_group"] | {"//": None} == {
        "//": None,
        "vpc_id": "${aws_vpc.vpc.id}",
        "ingress": [],
        "egress": [],
    }


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_vpc_carries_the_tags_the_load_balancer_controller_finds_it_by(stack, default_config, env: str) -> None:
    # GIVEN the AWS LB controller's values (it cannot read the VPC id from IMDS on AL2023 nodes,
    # and the id is unknown at synth)
    vpc_tags = helm_values.aws_load_balancer_controller(default_config, env)["vpcTags"]
    assert vpc_tags == {"Name": f"goldenpath-{env}-vpc"}
    # THEN the env's VPC carries exactly those tags, so --aws-vpc-tags matches one VPC
    tags = resources(stack(f"{env}-network"), "aws_vpc")["vpc"]["tags"]
    assert tags == {**tags, **vpc_tags}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_flow_log_role_trusts_only_this_accounts_flow_logs(stack, env: str) -> None:
    role = resources(stack(f"{env}-network"), "aws_iam_role")["flow_logs_role"]
    (statement,) = policy(role["assume_role_policy"])["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": "593517239005"},
            "ArnLike": {"aws:SourceArn": "arn:aws:ec2:eu-west-2:593517239005:vpc-flow-log/*"},
        },
    }


def test_network_outputs(stack) -> None:
    outputs = stack("dev-network")["output"]
    assert outputs["vpc_id"]["value"] == "${aws_vpc.vpc.id}"
    assert outputs["private_subnet_ids"]["value"] == ["${aws_subnet.private_a.id}", "${aws_subnet.private_b.id}"]
