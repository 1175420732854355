"""Allocation coverage: the share of usage spend whose resources carry every cost-allocation tag.

The FinOps Foundation's first allocation KPI, and the after-deploy proof that the plan-time tag gate
(PG-TAG-001) works: of the ``EffectiveCost`` of the charges whose ``ChargeCategory`` is ``Usage``, how
much carries a non-empty value for every required key — per billing period (and billing currency:
amounts in two currencies are never added), per provider, service and sub account, with the
largest untagged spend by resource.  Written over Ibis as the lake's readers are: the same figures on
DuckDB and on Spark (`tests/lake/test_spark_parity.py`).

>>> cov = allocation_coverage(open_lake(".plangate/lake.duckdb"), ("CostCenter", "Owner"))  # doctest: +SKIP
>>> cov.periods[0].share                                                                    # doctest: +SKIP
0.8125
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plangate.errors import InputError, PlangateError
from plangate.lake.query import MISSING, Lake

if TYPE_CHECKING:
    import ibis.expr.types as ir

USAGE = "Usage"
COST = "EffectiveCost"
#: The breakdowns the report gives, by the name it shows: the FOCUS column each groups by.
DIMENSIONS = {"provider": "ProviderName", "service": "ServiceName", "account": "SubAccountId"}


@dataclass(frozen=True)
class CoverageRow:
    """Usage spend of one scope and the part of it that carries every required tag."""

    period: str  # BillingPeriodStart, as YYYY-MM-DD
    currency: str
    value: str | None  # the dimension's value (None for a whole period)
    usage_cost: float
    tagged_cost: float

    @property
    def share(self) -> float | None:
        """tagged / usage; None when the scope had no usage spend (a share of nothing is no share)."""
        return self.tagged_cost / self.usage_cost if self.usage_cost > 0 else None


@dataclass(frozen=True)
class Untagged:
    """A resource's usage spend that lacks a required tag, and which keys it lacks."""

    period: str
    currency: str
    resource: str
    service: str
    account: str
    cost: float
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    required: tuple[str, ...]
    periods: tuple[CoverageRow, ...]
    by: dict[str, tuple[CoverageRow, ...]] = field(default_factory=dict)  # DIMENSIONS key -> rows
    untagged: tuple[Untagged, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        def row(r: CoverageRow) -> dict[str, Any]:
            return {"period": r.period, "currency": r.currency, **({"value": r.value} if r.value is not None else {}),
                    "usage_cost": r.usage_cost, "tagged_cost": r.tagged_cost, "share": r.share}

        return {"required": list(self.required), "periods": [row(r) for r in self.periods],
                "by": {k: [row(r) for r in rows] for k, rows in self.by.items()},
                "untagged": [{"period": u.period, "currency": u.currency, "resource": u.resource,
                              "service": u.service, "account": u.account, "cost": u.cost,
                              "missing": list(u.missing)} for u in self.untagged]}


def has_tag(table: ir.Table, key: str, *, insensitive: bool = False) -> ir.BooleanValue:
    """True where the charge's ``Tags`` hold ``key`` with a non-blank value (PG-TAG-001's test:
    ``key_case: insensitive`` matches the key in any case)."""
    import ibis

    if insensitive:
        keys = table.Tags.keys().map(lambda k: k.lower())
        at = keys.index(key.lower())
        # int32: Spark indexes arrays by INT, and Ibis counts positions in int64
        value = ibis.ifelse(at >= 0, table.Tags.values()[at.cast("int32")], ibis.null("string"))
    else:
        value = table.Tags.get(key)
    return (value.fill_null("").strip() != "").fill_null(False)


def allocation_coverage(lake: Lake, required: Sequence[str], *, insensitive: bool = False,
                        top: int = 10) -> Coverage:
    """Coverage of the lake's usage spend by the ``required`` tag keys (see the module docstring);
    ``top`` untagged resources per billing period and currency, largest first."""
    if not required:
        raise PlangateError("coverage: no required tag keys (PG-TAG-001's `required` setting is empty)")
    t = lake.costs()
    usage = t.filter(t.ChargeCategory == USAGE)
    _check_costs(lake, usage)
    flags = [has_tag(usage, k, insensitive=insensitive) for k in required]
    usage = usage.mutate(pg_period=usage.BillingPeriodStart.date().cast("string"),
                         pg_currency=usage.BillingCurrency.fill_null(MISSING),
                         pg_tagged=functools.reduce(operator.and_, flags),
                         **{f"pg_has_{i}": f for i, f in enumerate(flags)})
    periods = _rows(lake, usage, None)
    if not periods:
        raise PlangateError(f"{lake.source}: no usage charges (ChargeCategory = {USAGE}): nothing to measure")
    by = {name: _rows(lake, usage, column) for name, column in DIMENSIONS.items()}
    return Coverage(tuple(required), periods, by, _untagged(lake, usage, tuple(required), top))


def _check_costs(lake: Lake, usage: ir.Table) -> None:
    """A usage charge without an EffectiveCost cannot be counted either way: refuse, naming its file."""
    missing = usage.filter(usage[COST].isnull())
    row = lake.con.execute(missing.aggregate(n=missing.count(), source=missing.x_SourceFile.min()))
    count = int(row["n"].iloc[0])
    if count:
        raise InputError(str(row["source"].iloc[0]), f"column {COST!r}: {count} usage charges have no value "
                                                     "(allocation coverage is measured on EffectiveCost)")


def _rows(lake: Lake, usage: ir.Table, column: str | None) -> tuple[CoverageRow, ...]:
    keys = [usage.pg_period, usage.pg_currency]
    if column is not None:
        keys.append(usage[column].cast("string").fill_null(MISSING).name("pg_value"))
    frame = lake.con.execute(usage.group_by(keys).aggregate(
        usage_cost=usage[COST].sum(), tagged_cost=usage[COST].sum(where=usage.pg_tagged).fill_null(0.0)))
    rows = [CoverageRow(str(r.pg_period), str(r.pg_currency), str(r.pg_value) if column is not None else None,
                        float(r.usage_cost), float(r.tagged_cost)) for r in frame.itertuples(index=False)]
    return tuple(sorted(rows, key=lambda r: (r.period, r.currency, -r.usage_cost, r.value or "")))


def _untagged(lake: Lake, usage: ir.Table, required: tuple[str, ...], top: int) -> tuple[Untagged, ...]:
    import ibis

    bare = usage.filter(~usage.pg_tagged)
    keys = [bare.pg_period, bare.pg_currency,
            *(bare[c].cast("string").fill_null(MISSING).name(c) for c in ("ResourceId", "ServiceName", "SubAccountId"))]
    grouped = bare.group_by(keys).aggregate(
        cost=bare[COST].sum(), **{f"pg_lacks_{i}": (~bare[f"pg_has_{i}"]).any() for i in range(len(required))})
    rank = ibis.row_number().over(group_by=[grouped.pg_period, grouped.pg_currency],
                                  order_by=[ibis.desc(grouped.cost), grouped.ResourceId])
    ranked = grouped.mutate(pg_rank=rank)
    frame = lake.con.execute(ranked.filter(ranked.pg_rank < top))
    out = [Untagged(str(r["pg_period"]), str(r["pg_currency"]), str(r["ResourceId"]), str(r["ServiceName"]),
                    str(r["SubAccountId"]), float(r["cost"]),
                    tuple(k for i, k in enumerate(required) if bool(r[f"pg_lacks_{i}"])))
           for r in frame.to_dict("records")]
    return tuple(sorted(out, key=lambda u: (u.period, u.currency, -u.cost, u.resource)))
