"""The monthly ceiling of a workload: one number for the AWS Budget and for plangate's gate.

plangate's monthly-budget rule (PG-BUD-001) holds per-tag-value ceilings, e.g.
``tags: {Project: {fraud-scoring-api: 60}}``.  A component given that policy file creates its
AWS Budget with exactly the ceiling the rule enforces for its cost tag, so the budget finance
is alerted on and the budget a preview is gated on cannot drift apart.
"""

from __future__ import annotations

import math
from pathlib import Path

from plangate import policy
from plangate.rules import RULES
from plangate.rules.budget import monthly_budget


class BudgetError(ValueError):
    """No ceiling can be found, or two sources disagree."""


def policy_ceiling(policy_file: str, tag_key: str, tag_value: str) -> float | None:
    """The monthly ceiling PG-BUD-001 enforces for ``tag_key=tag_value`` in ``policy_file``
    (an exact value, else the ``*`` entry), or None when the policy sets none."""
    loaded = policy.load(Path(policy_file), RULES)
    settings = loaded.config(monthly_budget).settings
    ceilings = settings.tags.get(tag_key, {})
    value = ceilings.get(tag_value, ceilings.get("*"))
    return float(value) if value is not None else None


def monthly_ceiling(tag_key: str, tag_value: str, explicit: float | None,
                    policy_file: str | None) -> float:
    """The workload's monthly budget in USD, from the policy file or the explicit amount.

    Both may be given only when they agree: two different numbers for one budget is the
    drift this module exists to prevent.
    """
    from_policy = policy_ceiling(policy_file, tag_key, tag_value) if policy_file else None
    if policy_file and from_policy is None:
        raise BudgetError(
            f"{policy_file}: monthly-budget sets no ceiling for {tag_key}={tag_value}; add "
            f"tags: {{{tag_key}: {{{tag_value}: <USD>}}}} to the rule's settings")
    if from_policy is not None and explicit is not None and not math.isclose(from_policy, explicit):
        raise BudgetError(
            f"monthly_budget_usd {explicit:g} disagrees with the {tag_key}={tag_value} ceiling "
            f"{from_policy:g} in {policy_file}; give one of them")
    amount = from_policy if from_policy is not None else explicit
    if amount is None:
        raise BudgetError(f"no monthly budget for {tag_key}={tag_value}: give cost.policy_file "
                          "(preferred) or cost.monthly_budget_usd")
    if amount <= 0:
        raise BudgetError(f"the monthly budget for {tag_key}={tag_value} must be positive, got {amount:g}")
    return amount
