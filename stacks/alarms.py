"""CloudWatch alarms of an env's RDS instance, to a KMS-encrypted SNS topic per env.

Metrics and their meaning: Amazon RDS User Guide, "Amazon CloudWatch metrics for Amazon RDS"
(namespace AWS/RDS, dimension DBInstanceIdentifier). Encrypted topics need CloudWatch in the key
policy: Amazon SNS Developer Guide, "Enable compatibility between event sources from AWS
services and encrypted topics". Not here: ReplicaLag, which RDS emits for read replicas and
Multi-AZ DB clusters only, not for the Multi-AZ instance deployments this platform uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

from goldenpath import naming
from goldenpath.model import EnvDatabase
from stacks.base import PlatformStack

GIB = 1024**3
# Memory (GiB) of the RDS instance classes by family and size (RDS User Guide, "DB instance
# classes"): the default max_connections is LEAST(DBInstanceClassMemory/9531392, 5000).
MEMORY_GIB = {
    "t": {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32},
    "m": {"large": 8, "xlarge": 16, "2xlarge": 32, "4xlarge": 64, "8xlarge": 128},
    "r": {"large": 16, "xlarge": 32, "2xlarge": 64, "4xlarge": 128, "8xlarge": 256},
}


@dataclass(frozen=True)
class RdsAlarm:
    name: str
    metric: str
    comparison: str
    threshold: float
    description: str
    periods: int = 3  # consecutive 5-minute periods
    statistic: str = "Average"


def memory_gib(instance_class: str) -> int | None:
    match = re.fullmatch(r"db\.([tmr])\d+[a-z]*\.(\w+)", instance_class)
    return MEMORY_GIB.get(match.group(1), {}).get(match.group(2)) if match else None


def rds_alarms(spec: EnvDatabase) -> list[RdsAlarm]:
    """The alarm set of one instance, thresholds derived from its size."""
    alarms = [
        RdsAlarm("cpu-high", "CPUUtilization", "GreaterThanThreshold", 80, "CPU above 80% for 15 minutes"),
        RdsAlarm("free-storage-low", "FreeStorageSpace", "LessThanThreshold", 0.1 * spec.allocated_storage_gib * GIB,
                 f"free storage below 10% of {spec.allocated_storage_gib} GiB", periods=1, statistic="Minimum"),
        RdsAlarm("freeable-memory-low", "FreeableMemory", "LessThanThreshold", 256 * 1024**2, "freeable memory below 256 MiB for 15 minutes"),
        RdsAlarm("read-latency-high", "ReadLatency", "GreaterThanThreshold", 0.02, "read latency above 20 ms for 15 minutes"),
        RdsAlarm("write-latency-high", "WriteLatency", "GreaterThanThreshold", 0.02, "write latency above 20 ms for 15 minutes"),
        RdsAlarm("disk-queue-deep", "DiskQueueDepth", "GreaterThanThreshold", 20, "more than 20 I/O requests waiting for 15 minutes"),
    ]
    memory = memory_gib(spec.instance_class)
    if memory is not None:
        max_connections = min(memory * GIB // 9531392, 5000)
        alarms.append(RdsAlarm("connections-high", "DatabaseConnections", "GreaterThanThreshold", int(0.8 * max_connections),
                               f"more than 80% of the default max_connections ({max_connections}) in use"))
    if spec.instance_class.startswith("db.t"):
        alarms.append(RdsAlarm("cpu-credits-low", "CPUCreditBalance", "LessThanThreshold", 20, "burstable CPU credits nearly exhausted"))
    return alarms


def add_rds_alarms(scope: PlatformStack, *, instance: DbInstance, spec: EnvDatabase, identifier: str) -> SnsTopic:
    """The topic and alarms, as resources of the database stack (flat addresses: alarm_<name>)."""
    platform, env = scope.platform, scope.env
    assert env is not None
    key = scope.kms_key(
        "alarms_key",
        purpose="alarms",
        description=f"SNS topic of {identifier}'s alarms",
        service_statements=[{
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": platform.account_id}},
        }],
    )
    topic = SnsTopic(scope, "alarm_topic", name=naming.resource(platform, env, "alarms"), kms_master_key_id=key.arn)
    for alarm in rds_alarms(spec):
        CloudwatchMetricAlarm(
            scope,
            f"alarm_{alarm.name.replace('-', '_')}",
            alarm_name=f"{identifier}-{alarm.name}",
            alarm_description=f"{identifier}: {alarm.description}",
            namespace="AWS/RDS",
            metric_name=alarm.metric,
            dimensions={"DBInstanceIdentifier": instance.identifier},
            statistic=alarm.statistic,
            period=300,
            evaluation_periods=alarm.periods,
            threshold=alarm.threshold,
            comparison_operator=alarm.comparison,
            treat_missing_data="missing",
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
        )
    scope.output("alarm_topic_arn", topic.arn, f"SNS topic of {identifier}'s CloudWatch alarms (subscribe on-call here)")
    return topic
