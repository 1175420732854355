"""The policy configuration (``plangate.yaml``): rule settings, enforcement and waivers.

```yaml
on_unknown: warn              # warn | deny: what an undecidable mandatory rule does
rules:
  cost-allocation-tags:       # a rule's slug or id
    enforcement: mandatory    # mandatory | advisory | disabled
    required: [CostCenter, Owner, Environment, Project]
waivers:
  - rule: PG-TAG-001
    resource: "aws_s3_bucket.legacy_*"     # glob over resource addresses
    reason: "bucket predates tagging; replaced in Q1"
    owner: platform-team
    expires: 2027-03-31
```

The same per-rule mapping is what ``pulumi preview --policy-pack-config`` takes, keyed by
slug, so one file shape serves both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from plangate import settings as settings_mod
from plangate.errors import ConfigError, InputError
from plangate.model import Enforcement, Resource
from plangate.rules.base import Rule
from plangate.waiver import Waiver

DEFAULT_FILE = "plangate.yaml"
_TOP_KEYS = {"on_unknown", "rules", "waivers", "assurance"}
_WAIVER_KEYS = {"rule", "resource", "reason", "owner", "expires"}


@dataclass(frozen=True)
class RuleConfig:
    enforcement: Enforcement
    settings: Any


@dataclass(frozen=True)
class Policy:
    rules: Mapping[str, RuleConfig]  # by rule id
    waivers: tuple[Waiver, ...] = ()
    on_unknown: Literal["warn", "deny"] = "warn"
    source: str = "(defaults)"
    catalogue: tuple[Rule, ...] = field(default=(), repr=False)
    assurance: Any = None  # plangate.rules.thresholds.AssurancePolicy: what `plangate assure` gates on

    def config(self, rule: Rule) -> RuleConfig:
        return self.rules[rule.id]

    def enabled(self) -> list[Rule]:
        return [r for r in self.catalogue if self.rules[r.id].enforcement is not Enforcement.DISABLED]


def _rule_index(catalogue: Iterable[Rule]) -> dict[str, Rule]:
    index: dict[str, Rule] = {}
    for r in catalogue:
        index[r.id] = r
        index[r.slug] = r
    return index


def build(data: Mapping[str, Any] | None, catalogue: Iterable[Rule], source: str) -> Policy:
    """A `Policy` from parsed configuration data; every problem raises `ConfigError`."""
    catalogue = tuple(catalogue)
    data = data or {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    extra = sorted(set(data) - _TOP_KEYS)
    if extra:
        raise ConfigError(f"{source}: unknown key {extra[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")
    on_unknown = data.get("on_unknown", "warn")
    if on_unknown not in ("warn", "deny"):
        raise ConfigError(f"{source}: on_unknown: expected warn or deny, got {on_unknown!r}")
    index = _rule_index(catalogue)
    overrides = data.get("rules") or {}
    if not isinstance(overrides, Mapping):
        raise ConfigError(f"{source}: rules: expected a mapping of rule slug or id to settings")
    for key, given in overrides.items():
        if key not in index:
            raise ConfigError(f"{source}: rules: no rule {key!r} (see `plangate rules`)")
        if given is not None and not isinstance(given, Mapping):
            raise ConfigError(f"{source}: rules.{key}: expected a mapping of enforcement and settings, "
                              f"got {settings_mod.shown(given)}")
    configs = {}
    for r in catalogue:
        given = {**(overrides.get(r.id) or {}), **(overrides.get(r.slug) or {})}
        configs[r.id] = rule_config(r, given, f"{source}: rules.{r.slug}")
    waivers = tuple(_waiver(w, i, index, source) for i, w in enumerate(data.get("waivers") or ()))
    return Policy(configs, waivers, on_unknown, source, catalogue, _assurance(data.get("assurance"), source))


def _assurance(data: Any, source: str) -> Any:
    from plangate.rules.thresholds import parse_assurance

    try:
        return parse_assurance(data, f"{source}: assurance")
    except settings_mod.SettingsError as exc:
        raise ConfigError(str(exc)) from None


def rule_config(r: Rule, given: Mapping[str, Any], where: str) -> RuleConfig:
    """Enforcement and settings for one rule from a flat mapping (``enforcement`` + settings)."""
    if not isinstance(given, Mapping):
        raise ConfigError(f"{where}: expected a mapping, got {given!r}")
    given = dict(given)
    level = given.pop("enforcement", given.pop("enforcementLevel", r.enforcement.value))
    try:
        enforcement = Enforcement(level)
    except ValueError:
        raise ConfigError(
            f"{where}.enforcement: expected mandatory, advisory or disabled, got {level!r}"
        ) from None
    if r.locked and enforcement is not Enforcement.MANDATORY:
        raise ConfigError(f"{where}.enforcement: {r.id} is always mandatory and cannot be lowered")
    try:
        parsed = settings_mod.parse(r.settings_type, given, where)
    except settings_mod.SettingsError as exc:
        raise ConfigError(str(exc)) from None
    return RuleConfig(enforcement, parsed)


def _waiver(raw: Any, i: int, index: Mapping[str, Rule], source: str) -> Waiver:
    where = f"{source}: waivers[{i}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping with {', '.join(sorted(_WAIVER_KEYS))}")
    missing = sorted(_WAIVER_KEYS - set(raw))
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)} (every waiver needs all five)")
    extra = sorted(set(raw) - _WAIVER_KEYS)
    if extra:
        raise ConfigError(f"{where}: unknown key {extra[0]!r}")
    if raw["rule"] not in index:
        raise ConfigError(f"{where}.rule: no rule {raw['rule']!r}")
    if index[raw["rule"]].locked:
        raise ConfigError(f"{where}.rule: {raw['rule']} cannot be waived")
    for key in ("resource", "reason", "owner"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ConfigError(f"{where}.{key}: expected a non-empty string")
    expires = raw["expires"]
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError:
            raise ConfigError(f"{where}.expires: expected a date YYYY-MM-DD, got {expires!r}") from None
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    if not isinstance(expires, dt.date):
        raise ConfigError(f"{where}.expires: expected a date YYYY-MM-DD, got {expires!r}")
    return Waiver(index[raw["rule"]].id, raw["resource"], raw["reason"], raw["owner"], expires, i)


def load(path: str | os.PathLike[str] | None, catalogue: Iterable[Rule]) -> Policy:
    """Read ``path`` (or ``./plangate.yaml`` when it exists; else defaults)."""
    if path is None:
        if not Path(DEFAULT_FILE).is_file():
            return build(None, catalogue, "(defaults)")
        path = DEFAULT_FILE
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read: {exc}") from None
    from plangate.loaders.source import parse_yaml

    try:  # the guarded reader every input uses: too deep, too long a number, a bad date
        data = parse_yaml(text, str(p))
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    return build(data, catalogue, str(p))


def baseline_paths(policy: Policy) -> list[str]:
    """The baseline plans the enabled rules compare against (their ``baseline`` settings)."""
    paths = (getattr(policy.rules[r.id].settings, "baseline", "") for r in policy.enabled())
    return sorted({p for p in paths if p})


def load_baselines(policy: Policy) -> dict[str, tuple[Resource, ...]]:
    """Read every baseline plan the policy names, once, for the engine's stack context:
    the rules themselves do no I/O."""
    from plangate import loaders

    return {path: tuple(loaders.load(path)) for path in baseline_paths(policy)}


def defaults(catalogue: Iterable[Rule]) -> Policy:
    return build(None, catalogue, "(defaults)")


def replace_settings(policy: Policy, rule: Rule, **changes: Any) -> Policy:
    """A copy of ``policy`` with some settings of one rule changed (for tests and examples)."""
    cfg = policy.rules[rule.id]
    new = RuleConfig(cfg.enforcement, dataclasses.replace(cfg.settings, **changes))
    return dataclasses.replace(policy, rules={**policy.rules, rule.id: new})
