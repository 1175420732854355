"""What closes the gate and what a report shows: the CI knobs of ``plangate scan``.

Pure functions over a `ScanResult` and a `Policy`; the CLI parses the options and calls them.

- `select_rules`: ``--rule`` / ``--skip-rule`` (ids or slugs) as a policy with the other rules
  disabled.  A locked rule (a prohibited practice) cannot be skipped and always runs.
- `without_baseline`: ``--baseline REPORT.json`` drops the findings a previous JSON report
  already had, by fingerprint (rule, address, input kind: `plangate.report.fingerprinter`);
  a report written before fingerprints existed matches by (rule id, address), as Checkov's
  ``--baseline`` matches check and resource.
- `gated`: ``--fail-on SEVERITY`` (only violations at least that severe close the gate),
  ``--soft-fail`` (report, never exit 1) and ``--quiet`` (show violations and warnings only);
  the summary and every format's exit code follow, so the report never disagrees with $?.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plangate.engine import EXIT_OK, EXIT_VIOLATIONS, ScanResult
from plangate.errors import InputError, PlangateError
from plangate.model import Enforcement, Finding, Outcome, Severity
from plangate.policy import Policy, RuleConfig
from plangate.rules.base import Rule

_RANK = {severity: rank for rank, severity in enumerate(Severity)}  # critical is 0


def _names(values: Iterable[str]) -> list[str]:
    """Repeatable options that also take comma lists (``--rule A,B --rule C``)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _resolve(names: Sequence[str], catalogue: Sequence[Rule], option: str) -> set[str]:
    index = {key: r.id for r in catalogue for key in (r.id, r.id.lower(), r.slug)}
    unknown = [n for n in names if n not in index]
    if unknown:
        raise PlangateError(f"{option}: no rule {unknown[0]!r} (see `plangate rules`)")
    return {index[n] for n in names}


def select_rules(policy: Policy, only: Iterable[str] = (), skip: Iterable[str] = ()) -> Policy:
    """``policy`` with only the ``only`` rules (all when empty) and none of ``skip`` enabled."""
    only_names, skip_names = _names(only), _names(skip)
    if not only_names and not skip_names:
        return policy
    catalogue = policy.catalogue
    chosen = _resolve(only_names, catalogue, "--rule") if only_names else {r.id for r in catalogue}
    skipped = _resolve(skip_names, catalogue, "--skip-rule")
    both = sorted(chosen & skipped) if only_names else []
    if both:  # the run would check nothing but locked rules, and pass
        raise PlangateError(f"--rule and --skip-rule both name {', '.join(both)}: say which")
    for r in catalogue:
        if r.locked and r.id in skipped:
            raise PlangateError(f"--skip-rule: {r.id} {r.slug} is locked (a prohibited practice) and always runs")
    configs = dict(policy.rules)
    for r in catalogue:
        if r.locked:
            continue
        if r.id not in chosen or r.id in skipped:
            configs[r.id] = RuleConfig(Enforcement.DISABLED, configs[r.id].settings)
    return dataclasses.replace(policy, rules=configs)


@dataclass(frozen=True)
class Baseline:
    """What a previous report had: fingerprints, and (rule id, address) of entries without one."""

    fingerprints: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()

    def has(self, f: Finding, fingerprint: str) -> bool:
        return fingerprint in self.fingerprints or (f.rule_id, f.address) in self.pairs


def baseline_keys(path: str) -> Baseline:
    """The identities of every finding in a previous ``plangate scan -f json`` report."""
    from plangate.loaders.source import read_json

    data = read_json(Path(path))
    if not isinstance(data, dict) or data.get("tool") != "plangate":
        raise InputError(path, "not a plangate JSON report (expected `plangate scan -f json` output)")
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise InputError(path, "not a plangate JSON report: no findings list")
    fingerprints: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for i, f in enumerate(findings):
        if not (isinstance(f, dict) and isinstance(f.get("rule_id"), str) and isinstance(f.get("address"), str)):
            raise InputError(path, f"findings[{i}]: expected rule_id and address strings")
        fingerprint = f.get("fingerprint")
        if fingerprint is None:  # a report from before fingerprints
            pairs.add((f["rule_id"], f["address"]))
        elif isinstance(fingerprint, str):
            fingerprints.add(fingerprint.split(":", 1)[0])  # the identity, without its occurrence
        else:
            raise InputError(path, f"findings[{i}]: fingerprint must be a string")
    return Baseline(frozenset(fingerprints), frozenset(pairs))


def without_baseline(result: ScanResult, findings: Iterable[Finding], baseline: Baseline) -> list[Finding]:
    from plangate.report import fingerprinter

    fingerprint = fingerprinter(result)
    return [f for f in findings if not baseline.has(f, fingerprint(f))]


@dataclass
class GatedResult(ScanResult):
    """A `ScanResult` whose exit code honours ``--fail-on`` and ``--soft-fail``."""

    fail_on: Severity | None = None
    soft_fail: bool = False
    #: What the summary counts: every finding after the baseline, also those --quiet hides.
    counted: list[Finding] = dataclasses.field(default_factory=list)

    def gating(self, f: Finding) -> bool:
        if f.outcome is not Outcome.VIOLATION:
            return False
        return self.fail_on is None or _RANK[f.severity] <= _RANK[self.fail_on]

    @property
    def exit_code(self) -> int:
        if self.soft_fail:
            return EXIT_OK
        return EXIT_VIOLATIONS if any(self.gating(f) for f in self.findings) else EXIT_OK


_SHOWN_WHEN_QUIET = (Outcome.VIOLATION, Outcome.WARNING)


def gated(result: ScanResult, *, fail_on: Severity | None = None, soft_fail: bool = False,
          quiet: bool = False, baseline: Baseline | None = None) -> GatedResult:
    """``result`` with the baseline's findings removed, failures only when ``quiet``, and the
    exit code the options ask for."""
    counted = list(result.findings)
    if baseline is not None:
        counted = without_baseline(result, counted, baseline)
    shown = [f for f in counted if f.outcome in _SHOWN_WHEN_QUIET] if quiet else counted
    return GatedResult(result.resources, shown, result.rules, result.inputs, result.policy, result.load,
                       fail_on=fail_on, soft_fail=soft_fail, counted=counted)
