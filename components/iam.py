"""Least-privilege execution roles: one trusted service, one inline policy of named grants.

No AWS-managed policy is attached: the managed basic-execution policy lets a function create
any log group in the account, where the governed role may write only to its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components.base import GovernedComponent

Statement = dict[str, Any]


def allow(sid: str, actions: Sequence[str], resources: pulumi.Input[Any],
          condition: dict[str, Any] | None = None) -> Statement:
    statement: Statement = {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def execution_role(component: GovernedComponent, role_name: str, service: str,
                   statements: Sequence[Statement]) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """A role ``service`` may assume only on behalf of this account, and its inline policy."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            # Confused-deputy guard: the service may assume the role only for this account.
            "Condition": {"StringEquals": {"aws:SourceAccount": component.aws.account_id}},
        }],
    }
    role = component.child(aws.iam.Role, "role", name=role_name,
                           assume_role_policy=pulumi.Output.json_dumps(trust), tags=component.tags())
    policy = component.child(
        aws.iam.RolePolicy, "role-policy", role=role.id, name="least-privilege",
        policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)}),
    )
    return role, policy
