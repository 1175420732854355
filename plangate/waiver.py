"""A waiver: one rule excused on the resources a glob names, by an owner, until a date.

A value type below the policy file, the rules and the engine, which all hold waivers
(`plangate.policy` parses them, `plangate.rules.context` hands them to stack rules,
`plangate.engine` applies them), so none of those imports another for it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from typing import Protocol


class Named(Protocol):
    """What a waiver needs of a rule: its id and slug (`plangate.rules.base.Rule` has both)."""

    @property
    def id(self) -> str: ...

    @property
    def slug(self) -> str: ...


@dataclass(frozen=True)
class Waiver:
    rule: str  # rule id or slug
    resource: str  # glob over resource addresses
    reason: str
    owner: str
    expires: dt.date
    index: int = 0  # position in the file, for messages

    def names(self, rule: Named) -> bool:
        return self.rule in (rule.id, rule.slug)

    def covers(self, rule: Named, address: str) -> bool:
        return self.names(rule) and fnmatch.fnmatchcase(address, self.resource)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires
