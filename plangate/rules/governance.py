"""Rules about the policy itself, such as waivers that have run out."""

from __future__ import annotations

from typing import Iterator

from plangate.model import Enforcement, Resource, Severity
from plangate.rules.base import Frameworks, rule


@rule(
    id="PG-GOV-001",
    slug="expired-waiver",
    title="Waivers are renewed or removed when they expire",
    severity=Severity.MEDIUM,
    category="governance",
    applies_to=(),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "Fix the resources the waiver covered, or renew the waiver with a new expiry date and "
        "a reason the owner signs off again."
    ),
    frameworks=Frameworks(nist_ai_rmf="GOVERN 1.5"),
)
def expired_waiver(res: Resource, cfg: object) -> Iterator[str]:
    """A waiver in plangate.yaml whose expiry date has passed is itself a finding: exceptions
    are reviewed, never permanent. (The engine evaluates waivers, not resources.)"""
    return iter(())
