"""stacks/alarms.py: RDS CloudWatch alarms per env to a KMS-encrypted SNS topic."""

from __future__ import annotations

import json

import pytest

from stacks.alarms import memory_gib
from tests.stacks.conftest import resources

ENVS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVS)
def test_alarms_watch_the_envs_instance_and_notify_the_encrypted_topic(stack, env: str) -> None:
    doc = stack(f"{env}-database")
    topic = resources(doc, "aws_sns_topic")["alarm_topic"]
    assert topic["name"] == f"goldenpath-{env}-alarms"
    assert topic["kms_master_key_id"] == "${aws_kms_key.alarms_key.arn}"
    key_policy = json.loads(resources(doc, "aws_kms_key")["alarms_key"]["policy"])
    cloudwatch = [s for s in key_policy["Statement"] if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch and set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    alarms = resources(doc, "aws_cloudwatch_metric_alarm")
    for alarm in alarms.values():
        assert alarm["namespace"] == "AWS/RDS"
        assert alarm["dimensions"] == {"DBInstanceIdentifier": "${aws_db_instance.postgres.identifier}"}
        assert alarm["alarm_actions"] == alarm["ok_actions"] == ["${aws_sns_topic.alarm_topic.arn}"]
    metrics = {a["metric_name"] for a in alarms.values()}
    assert {"CPUUtilization", "FreeStorageSpace", "FreeableMemory", "DatabaseConnections", "ReadLatency", "WriteLatency", "DiskQueueDepth"} <= metrics


def test_thresholds_follow_the_instance_size(stack) -> None:
    dev = resources(stack("dev-database"), "aws_cloudwatch_metric_alarm")
    prod = resources(stack("prod-database"), "aws_cloudwatch_metric_alarm")
    # 10% of the allocated storage (dev 20 GiB, prod 100 GiB)
    assert dev["alarm_free_storage_low"]["threshold"] == 0.1 * 20 * 1024**3
    assert prod["alarm_free_storage_low"]["threshold"] == 0.1 * 100 * 1024**3
    # 80% of the default max_connections, LEAST(memory/9531392, 5000): db.t4g.medium 4 GiB, db.r6g.large 16 GiB
    assert dev["alarm_connections_high"]["threshold"] == int(0.8 * (4 * 1024**3 // 9531392))
    assert prod["alarm_connections_high"]["threshold"] == int(0.8 * (16 * 1024**3 // 9531392))
    # burstable classes only: CPU credits
    assert "alarm_cpu_credits_low" in dev and "alarm_cpu_credits_low" not in prod


def test_memory_table_reads_the_instance_class() -> None:
    assert (memory_gib("db.t4g.medium"), memory_gib("db.r6g.large"), memory_gib("db.m7g.2xlarge"), memory_gib("db.x2g.large")) == (4, 16, 32, None)


def test_the_topic_arn_is_an_output(stack) -> None:
    outputs = stack("prod-database")["output"]
    assert any(name.endswith("alarm_topic_arn") for name in outputs)
