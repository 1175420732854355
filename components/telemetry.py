"""Watchers both components attach: alarm topic, CloudWatch alarms, AWS Budget, anomaly monitor.

Each function creates children of ``component`` and returns what it made; the component
decides names, metrics and thresholds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi_aws as aws

from components.base import GovernedComponent

PERIOD_SECONDS = 300


def alarm_topic(component: GovernedComponent, topic_name: str, emails: Sequence[str]) -> aws.sns.Topic:
    """An SNS topic with an e-mail subscription per address.

    Not encrypted with the AWS-managed SNS key on purpose: that key's policy does not let
    CloudWatch publish, so alarms would fail silently; notifications carry no payload data.
    """
    topic = component.child(aws.sns.Topic, "alarms", name=topic_name, tags=component.tags())
    for index, address in enumerate(emails):
        component.child(aws.sns.TopicSubscription, f"alarm-email-{index}", topic=topic.arn,
                        protocol="email", endpoint=address)
    return topic


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch alarm on a workload metric."""

    suffix: str  # child / alarm name suffix, e.g. errors
    namespace: str
    metric: str
    threshold: float
    description: str
    statistic: str = "Sum"  # Sum, Average, ... or a percentile such as p99
    comparison: str = "GreaterThanOrEqualToThreshold"


def metric_alarms(component: GovernedComponent, prefix: str, dimensions: Mapping[str, str],
                  specs: Sequence[AlarmSpec], topic: aws.sns.Topic) -> list[aws.cloudwatch.MetricAlarm]:
    """One alarm per spec, named ``<prefix>-<suffix>``, notifying ``topic`` on alarm and OK."""
    alarms = []
    for spec in specs:
        percentile = spec.statistic.startswith("p")
        alarms.append(component.child(
            aws.cloudwatch.MetricAlarm, f"{spec.suffix}-alarm",
            name=f"{prefix}-{spec.suffix}",
            alarm_description=spec.description,
            namespace=spec.namespace,
            metric_name=spec.metric,
            dimensions=dict(dimensions),
            statistic=None if percentile else spec.statistic,
            extended_statistic=spec.statistic if percentile else None,
            period=PERIOD_SECONDS,
            evaluation_periods=1,
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            # No traffic is not an incident; a silent workload is caught by its budget and logs.
            treat_missing_data="notBreaching",
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
            tags=component.tags(),
        ))
    return alarms


def tag_filter(tag_key: str, tag_value: str) -> str:
    """The Budgets API spelling of a cost-allocation tag filter: ``user:Project$fraud``."""
    return f"user:{tag_key}${tag_value}"


def workload_budget(component: GovernedComponent, budget_name: str, amount_usd: float,
                    emails: Sequence[str], alert_percent: float) -> aws.budgets.Budget:
    """A monthly cost budget filtered on the workload's cost tag: alerts at ``alert_percent``
    of actual spend and when the month is forecast to exceed the budget."""
    def notification(kind: str, percent: float) -> dict[str, object]:
        return {"comparison_operator": "GREATER_THAN", "threshold": percent,
                "threshold_type": "PERCENTAGE", "notification_type": kind,
                "subscriber_email_addresses": list(emails)}

    return component.child(
        aws.budgets.Budget, "budget",
        name=budget_name,
        budget_type="COST",
        limit_amount=f"{amount_usd:.2f}",
        limit_unit="USD",
        time_unit="MONTHLY",
        cost_filters=[{"name": "TagKeyValue",
                       "values": [tag_filter(component.cost_tag_key, component.cost_tag_value)]}],
        notifications=[notification("ACTUAL", alert_percent), notification("FORECASTED", 100)],
        tags=component.tags(),
    )


def anomaly_detection(component: GovernedComponent, monitor_name: str, emails: Sequence[str],
                      threshold_usd: float) -> aws.costexplorer.AnomalyMonitor:
    """A Cost Anomaly Detection monitor on the workload's cost tag and a daily e-mail
    subscription for anomalies whose total impact reaches ``threshold_usd``."""
    spec = {"Tags": {"Key": component.cost_tag_key, "Values": [component.cost_tag_value],
                     "MatchOptions": ["EQUALS"]}}
    monitor = component.child(
        aws.costexplorer.AnomalyMonitor, "anomaly-monitor",
        name=monitor_name, monitor_type="CUSTOM", monitor_specification=json.dumps(spec),
        tags=component.tags(),
    )
    component.child(
        aws.costexplorer.AnomalySubscription, "anomaly-subscription",
        name=f"{monitor_name}-daily",
        frequency="DAILY",  # e-mail subscribers cannot be IMMEDIATE (that needs SNS)
        monitor_arn_lists=[monitor.arn],
        subscribers=[{"type": "EMAIL", "address": address} for address in emails],
        threshold_expression={"dimension": {"key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                                            "match_options": ["GREATER_THAN_OR_EQUAL"],
                                            "values": [f"{threshold_usd:g}"]}},
        tags=component.tags(),
    )
    return monitor
