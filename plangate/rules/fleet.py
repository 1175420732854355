"""PG-FLEET-001, declared here so the catalogue, docs/rules.md and SARIF know it.

Its findings come from a model fitted on a fleet of resources (`plangate.analytics.outliers`,
``plangate scan --baseline-fleet FLEET``), not from a function of one resource: the rule has no
check of its own and the engine never runs it.  Always advisory: a deviation is a question to
ask, not a gate.
"""

from __future__ import annotations

from plangate.model import Enforcement, Severity
from plangate.rules.base import Rule

fleet_outlier = Rule(
    id="PG-FLEET-001",
    slug="fleet-outlier",
    title="A resource's settings look like the rest of the fleet's",
    severity=Severity.LOW,
    category="governance",
    description=("With --baseline-fleet, each resource type the fleet has at least 8 of is modelled: numeric "
                 "settings most of the fleet sets by an isolation forest (the setting furthest from the fleet's "
                 "median is named), categorical settings by how rare a value is where the fleet agrees on a "
                 "usual one. Secrets, values unknown until apply, names, identifiers and tags are never read."),
    remediation="Check the setting against the fleet's usual value; keep it when the difference is intended.",
    applies_to=frozenset(),
    enforcement=Enforcement.ADVISORY,
)
