"""Evaluate rules over resources in one pass, apply enforcement and waivers → findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from plangate.errors import PlangateError
from plangate.model import Enforcement, Finding, Load, Outcome, Resource, Unknown
from plangate.policy import Policy
from plangate.rules.base import Rule
from plangate.rules.context import StackContext
from plangate.waiver import Waiver

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2


@dataclass
class ScanResult:
    resources: list[Resource]
    findings: list[Finding]
    rules: list[Rule]  # the enabled rules, in catalogue order
    inputs: list[str]
    policy: Policy
    load: Load = field(default_factory=Load)  # the provenance of what was read (engines, providers)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.VIOLATION]

    @property
    def exit_code(self) -> int:
        return EXIT_VIOLATIONS if self.violations else EXIT_OK


def _outcome(answer: str | Unknown, enforcement: Enforcement, policy: Policy) -> Outcome:
    if isinstance(answer, Unknown):
        if policy.on_unknown == "deny" and enforcement is Enforcement.MANDATORY:
            return Outcome.VIOLATION
        return Outcome.UNKNOWN
    return Outcome.VIOLATION if enforcement is Enforcement.MANDATORY else Outcome.WARNING


class _ActiveWaivers:
    """The unexpired waivers, each rule's own looked up once: a finding is tested against the
    waivers naming its rule only (a scan with hundreds of inline skips stays linear)."""

    def __init__(self, waivers: Sequence[Waiver], today: dt.date) -> None:
        self._active = [w for w in waivers if not w.expired(today)]
        self._by_rule: dict[str, list[Waiver]] = {}

    def for_rule(self, rule: Rule) -> list[Waiver]:
        found = self._by_rule.get(rule.id)
        if found is None:  # in file order: the first waiver that covers a finding applies
            found = self._by_rule[rule.id] = [w for w in self._active if w.names(rule)]
        return found


def _finding(rule: Rule, res: Resource, answer: str | Unknown, policy: Policy,
             waivers: _ActiveWaivers) -> Finding:
    enforcement = policy.config(rule).enforcement
    outcome = _outcome(answer, enforcement, policy)
    message = answer.message if isinstance(answer, Unknown) else answer
    if isinstance(answer, Unknown) and outcome is Outcome.VIOLATION:
        message = f"unknown at plan time (on_unknown: deny): {message}"
    reason = ""
    if outcome is not Outcome.UNKNOWN and not rule.locked:
        for w in waivers.for_rule(rule):
            if w.covers(rule, res.address):
                until = "" if w.expires == dt.date.max else f", until {w.expires}"
                outcome, reason = Outcome.WAIVED, f"{w.reason} (owner {w.owner}{until})"
                break
    return Finding(rule.id, rule.slug, rule.severity, outcome, res.address, res.type,
                   message, res.location, reason)


def evaluate(resources: Sequence[Resource], policy: Policy, today: dt.date | None = None,
             baselines: Mapping[str, Sequence[Resource]] | None = None) -> list[Finding]:
    """Every finding for ``resources`` under ``policy``, resource rules first, in input order.
    ``baselines`` are the plans the policy's rules compare against (`policy.load_baselines`)."""
    today = today or dt.date.today()
    rules = policy.enabled()
    resource_rules = [r for r in rules if r.check is not None]
    by_type: dict[str, list[Rule]] = {}
    waivers = _ActiveWaivers(policy.waivers, today)
    findings: list[Finding] = []
    for res in resources:
        applicable = by_type.get(res.type)
        if applicable is None:
            applicable = by_type[res.type] = [r for r in resource_rules if r.applies(res.type)]
        for r in applicable:
            try:
                answers = list(r.check(res, policy.rules[r.id].settings))
            except PlangateError:  # a file a rule's settings name (usage, prices) is the user's
                raise
            except Exception as exc:
                raise RuleFailed(r, res.address, exc) from exc
            for answer in answers:
                findings.append(_finding(r, res, answer, policy, waivers))
    for index, stack in enumerate(_stacks(resources)):
        # each root module is its own stack; the policy's waivers are judged once per scan
        ctx = StackContext(stack, policy.waivers if index == 0 else (), today, policy.source,
                           baselines=baselines or {})
        findings.extend(_stack_findings(ctx, rules, policy, waivers))
    return findings


def _stacks(resources: Sequence[Resource]) -> list[Sequence[Resource]]:
    """The resource set split by `Resource.stack` (first-seen order); one stack when unsplit."""
    if all(r.stack == resources[0].stack for r in resources):
        return [resources]
    groups: dict[str, list[Resource]] = {}
    for r in resources:
        groups.setdefault(r.stack, []).append(r)
    return list(groups.values())


def _stack_findings(ctx: StackContext, rules: Sequence[Rule], policy: Policy,
                    waivers: _ActiveWaivers) -> list[Finding]:
    findings: list[Finding] = []
    for r in rules:
        if r.check_stack is not None:
            try:
                pairs = list(r.check_stack(ctx, policy.rules[r.id].settings))
            except PlangateError:
                raise
            except Exception as exc:
                raise RuleFailed(r, "the resource set", exc) from exc
            for res, answer in pairs:
                findings.append(_finding(r, res, answer, policy, waivers))
    return findings


class RuleFailed(Exception):
    """A rule raised while judging a resource: a bug in the rule (exit 3), not the user's input.

    Loaders validate what they read and raise `InputError` there; a rule that still trips on a
    value's shape is a rule to fix, so the message names the rule and what it was judging.
    Not a `PlangateError`, so the CLI reports it as an internal error.
    """

    def __init__(self, rule: Rule, subject: str, exc: Exception):
        self.rule_id, self.subject = rule.id, subject
        super().__init__(f"rule {rule.id} {rule.slug} failed on {subject}: {type(exc).__name__}: {exc}")


def scan(resources: list[Resource], policy: Policy, inputs: list[str],
         today: dt.date | None = None, load: Load | None = None,
         baselines: Mapping[str, Sequence[Resource]] | None = None) -> ScanResult:
    """Findings for ``resources``; ``load`` is what a loader read them from, for the reports."""
    return ScanResult(resources, evaluate(resources, policy, today, baselines), policy.enabled(), inputs, policy,
                      load if load is not None else Load(resources, inputs=tuple(inputs)))
