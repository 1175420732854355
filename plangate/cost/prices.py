"""The price table: data, not code.  Loading, validating and looking prices up.

``plangate/data/prices.csv`` holds one row per (key, region, tier) with the USD price per
unit, the page it came from and the date it was recorded.  A tiered price (Lambda duration,
API Gateway requests) is several rows of one key and region whose ``tier_start`` says where
each tier begins, in the price's unit.  Lines starting with ``#`` are comments.

A different table (say, one refreshed from the AWS Price List API, or with negotiated
rates) is given with ``plangate cost --prices FILE`` or the budget rules' ``prices``
setting; it must have the same columns.  Every problem is a `ConfigError` naming the file,
the line, the column and what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from plangate.cost.files import checked_stat
from plangate.errors import ConfigError
from plangate.types import AWS_REGION

HOURS_PER_MONTH = Decimal(730)  # AWS's (and Infracost's) month
COLUMNS = ("key", "region", "tier_start", "tier_name", "unit", "usd", "source", "as_of")
OPTIONAL_COLUMNS = ("checked_by", "note")
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "prices.csv"
DEFAULT_LABEL = "plangate/data/prices.csv"  # how the shipped table is named in reports

_KEY = re.compile(r"[a-z0-9][A-Za-z0-9_.\-]*")


@dataclass(frozen=True, slots=True)
class Tier:
    start: Decimal  # where the tier begins, in the price's unit
    name: str  # "first 6B", "over 15B"; "" when the price has one tier
    usd: Decimal  # per unit


@dataclass(frozen=True, slots=True)
class Price:
    key: str
    region: str
    unit: str
    tiers: tuple[Tier, ...]  # sorted by start; the first starts at 0
    source: str
    as_of: dt.date

    @property
    def first(self) -> Decimal:
        return self.tiers[0].usd


@dataclass(frozen=True)
class PriceTable:
    prices: Mapping[tuple[str, str], Price]
    source: str  # the file it was read from

    def get(self, key: str, region: str) -> Price | None:
        return self.prices.get((key, region))

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({region for _, region in self.prices}))

    @property
    def as_of(self) -> tuple[dt.date, dt.date]:
        """The oldest and newest recording dates in the table."""
        dates = [p.as_of for p in self.prices.values()]
        return min(dates), max(dates)


def _decimal(text: str, where: str, column: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ConfigError(f"{where}: column {column}: expected a number, got {text!r}") from None
    if not value.is_finite() or value < 0:
        raise ConfigError(f"{where}: column {column}: expected a number >= 0, got {text!r}")
    return value


def parse(text: str, source: str) -> PriceTable:
    """A `PriceTable` from CSV text; ``source`` names the file in error messages."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise ConfigError(f"{source}: the price table is empty (expected a header: {','.join(COLUMNS)})")
    header_line, header = lines[0]
    names = [h.strip() for h in next(csv.reader([header]))]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ConfigError(f"{source}:{header_line}: header: missing column {missing[0]!r} "
                          f"(expected {','.join(COLUMNS)})")
    unknown = [c for c in names if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    if unknown:
        raise ConfigError(f"{source}:{header_line}: header: unknown column {unknown[0]!r}")
    rows: dict[tuple[str, str], list[tuple[int, Tier, str, str, dt.date]]] = {}
    body = io.StringIO("\n".join(line for _, line in lines[1:]))
    for (line_no, _), cells in zip(lines[1:], csv.reader(body)):
        where = f"{source}:{line_no}"
        if len(cells) != len(names):
            raise ConfigError(f"{where}: expected {len(names)} columns, got {len(cells)}")
        row = {name: cell.strip() for name, cell in zip(names, cells)}
        key, region = row["key"], row["region"]
        if not _KEY.fullmatch(key):
            raise ConfigError(f"{where}: column key: expected dotted words like lambda.requests, got {key!r}")
        if not AWS_REGION.fullmatch(region):
            raise ConfigError(f"{where}: column region: expected an AWS region like us-east-1, got {region!r}")
        for column in ("unit", "source", "as_of"):
            if not row[column]:
                raise ConfigError(f"{where}: column {column}: empty (every price needs a unit, a source and a date)")
        try:
            as_of = dt.date.fromisoformat(row["as_of"])
        except ValueError:
            raise ConfigError(f"{where}: column as_of: expected a date YYYY-MM-DD, got {row['as_of']!r}") from None
        tier = Tier(_decimal(row["tier_start"] or "0", where, "tier_start"), row["tier_name"],
                    _decimal(row["usd"], where, "usd"))
        rows.setdefault((key, region), []).append((line_no, tier, row["unit"], row["source"], as_of))
    return PriceTable({k: _price(k, v, source) for k, v in rows.items()}, source)


def _price(key: tuple[str, str], rows: list[tuple[int, Tier, str, str, dt.date]], source: str) -> Price:
    rows = sorted(rows, key=lambda r: r[1].start)
    first_line = rows[0][0]
    if rows[0][1].start != 0:
        raise ConfigError(f"{source}:{first_line}: column tier_start: the first tier of {key[0]} "
                          f"in {key[1]} must start at 0, got {rows[0][1].start}")
    for (a_line, a, a_unit, *_), (b_line, b, b_unit, *_) in zip(rows, rows[1:]):
        if a.start == b.start:
            raise ConfigError(f"{source}:{b_line}: duplicate price for {key[0]} in {key[1]} "
                              f"at tier_start {b.start} (also on line {a_line})")
        if a_unit != b_unit:
            raise ConfigError(f"{source}:{b_line}: column unit: {b_unit!r} differs from {a_unit!r} "
                              f"on line {a_line} for the same key and region")
    if len(rows) > 1 and any(not r[1].name for r in rows):
        line = next(r[0] for r in rows if not r[1].name)
        raise ConfigError(f"{source}:{line}: column tier_name: a tiered price names every tier")
    return Price(key[0], key[1], rows[0][2], tuple(r[1] for r in rows), rows[0][3],
                 max(r[4] for r in rows))


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int, size: int, label: str) -> PriceTable:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the price table: {exc}") from None
    return PriceTable(parse(text, path).prices, label)


def load(path: str | os.PathLike[str] | None = None) -> PriceTable:
    """The price table at ``path`` (default: the one shipped with plangate), read once."""
    p = Path(path) if path else DEFAULT_PATH
    stat = checked_stat(p, "price table", "a price table CSV file")
    # Reports name the shipped table the same way on every machine.
    label = DEFAULT_LABEL if p.resolve() == DEFAULT_PATH else str(p)
    return _load_cached(str(p), stat.st_mtime_ns, stat.st_size, label)
