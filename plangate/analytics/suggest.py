"""Policy changes proposed back into Git: a unified diff of ``plangate.yaml`` for a human to review.

* Budgets from forecasts: each forecast scope gets a monthly-budget ceiling of its forecast's
  80 % upper bound plus ``headroom``, rounded up to three significant figures (``stack`` for
  all spend, ``tags: {Key: {value: …}}`` for a tag value).  Existing ceilings are changed only
  when the suggestion differs.
* Right-sizing from waste: plangate.yaml has no per-function memory setting, so memory and
  provisioned-concurrency suggestions are written as review comments on the budget rule, with
  the resource, the change and the monthly saving the cost model priced.

The file is edited with ruamel.yaml's round trip, so the comments and order a team keeps in
it survive and the diff shows only what changed.
"""

from __future__ import annotations

import difflib
import io
import math
from collections.abc import Sequence

from plangate.analytics.records import Forecast, WasteItem
from plangate.errors import ConfigError, first_line

RULE = "monthly-budget"


def nice_ceiling(value: float) -> float:
    """``value`` rounded up to three significant figures (1504.8 -> 1510, 86.21 -> 86.3)."""
    if not math.isfinite(value):
        raise ConfigError(f"a suggested budget of {value} is not a finite number")
    if value <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(value)) - 2)
    return round(math.ceil(value / step - 1e-9) * step, 10)


def budget_suggestions(forecasts: Sequence[Forecast], headroom: float = 0.2) -> dict[str, float]:
    """Scope -> suggested monthly ceiling (the forecast's 80 % upper bound plus headroom); a scope
    whose forecast has no upper bound (too little history) gets none."""
    return {f.scope: nice_ceiling(f.high * (1 + headroom)) for f in forecasts if f.bounded and f.high > 0}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def edit_config(text: str, source: str, budgets: dict[str, float], waste: Sequence[WasteItem] = ()) -> str:
    """``text`` (a plangate.yaml, or '' for none) with the suggested budgets and right-sizing notes."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    try:
        data = yaml.load(text) if text.strip() else None
    except YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {first_line(exc)}") from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    rules = data.setdefault("rules", CommentedMap())
    if rules is None:
        rules = data["rules"] = CommentedMap()
    if RULE not in rules or rules[RULE] is None:
        rules[RULE] = CommentedMap()
    rule = rules[RULE]
    if not isinstance(rule, dict):
        raise ConfigError(f"{source}: rules.{RULE}: expected a mapping of settings")
    for scope, ceiling in sorted(budgets.items()):
        if scope == "stack":
            if rule.get("stack") != ceiling:
                rule["stack"] = _number(ceiling)
            continue
        key, _, value = scope.partition("=")
        tags = rule.setdefault("tags", CommentedMap())
        per_key = tags.setdefault(key, CommentedMap())
        if per_key.get(value) != ceiling:
            per_key[value] = _number(ceiling)
    notes = [_note(w) for w in sorted(waste, key=lambda w: (-w.monthly_savings, w.resource))
             if w.kind in ("lambda-memory", "unused-provisioned-concurrency")]
    if notes:
        header = "plangate suggest: right-size (no plangate.yaml setting holds these; change the code):"
        rules.yaml_set_comment_before_after_key(RULE, before="\n".join([header, *notes]), indent=2)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _note(w: WasteItem) -> str:
    change = ", ".join(f"{k} {w.current.get(k)} -> {v}" for k, v in w.suggested.items())
    return f"  {w.resource}: {change} (saves ${w.monthly_savings:,.2f}/month)"


def unified_diff(old: str, new: str, path: str) -> str:
    """A diff ``git apply`` / ``patch -p1`` take: ``a/<path>`` to ``b/<path>`` ('' when unchanged)."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=f"a/{path}" if old else "/dev/null", tofile=f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
