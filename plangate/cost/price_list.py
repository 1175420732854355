"""AWS Price List bulk offer CSV files -> rows of plangate's price table.

AWS publishes every service's prices as one CSV per offer version
(``https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<OfferCode>/<version>/index.csv``):
five preamble lines (``"FormatVersion"``, ``"Disclaimer"``, ``"Publication Date"``,
``"Version"``, ``"OfferCode"``), a header that starts ``"SKU","OfferTermCode","RateCode"``,
then one row per price dimension.  `convert` keeps the on-demand USD rows of AWS regions and
names each with a table key:

- the keys plangate's pricers read, where the row is one: EC2 Linux shared-tenancy instance
  hours are ``ec2.<instance type>``, SageMaker real-time hosting instance hours are
  ``sagemaker.hosting.<instance type>``;
- every other row of any service: ``aws.<offer code>.<usage type>.<operation>`` (the pair
  that identifies a price dimension in AWS's own bills), so nothing is silently dropped.

Tiered dimensions (``StartingRange`` / ``EndingRange``) become tiers of one key.  The file is
read as a stream: EC2's offer is several GB.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from plangate.cost.prices import COLUMNS, OPTIONAL_COLUMNS
from plangate.errors import InputError
from plangate.types import AWS_REGION

HEADER_START = ("SKU", "OfferTermCode", "RateCode")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")
_UNITS = {"Hrs": "hours", "Hours": "hours"}
OFFER_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offer}/{version}/index.csv"


@dataclass(frozen=True, slots=True)
class Row:
    """One row of plangate's price table."""

    key: str
    region: str
    tier_start: Decimal
    tier_name: str
    unit: str
    usd: Decimal
    source: str
    as_of: str
    note: str


@dataclass
class Result:
    rows: list[Row]
    offer: str
    version: str
    skipped: dict[str, int] = field(default_factory=dict)  # why -> how many


def _plangate_key(offer: str, r: dict[str, str]) -> str | None:
    """The key plangate's pricers read, when the row is one of theirs."""
    unit = r.get("Unit", "")
    if offer == "AmazonEC2" and unit == "Hrs" and r.get("Product Family") == "Compute Instance" and (
            r.get("Operating System") == "Linux" and r.get("Tenancy") == "Shared"
            and r.get("Pre Installed S/W", "NA") == "NA" and r.get("CapacityStatus", "Used") == "Used"
            and r.get("Instance Type")):
        return f"ec2.{r['Instance Type']}"
    if offer == "AmazonSageMaker" and unit == "Hrs" and r.get("Component") == "Hosting" and (
            r.get("Instance Name") or r.get("Instance Type", "").startswith("ml.")):
        return f"sagemaker.hosting.{r.get('Instance Name') or r['Instance Type']}"
    return None


def _generic_key(offer: str, r: dict[str, str]) -> str:
    usage = r.get("usageType") or r.get("Usage Type") or ""
    parts = [offer.lower(), usage, r.get("operation") or r.get("Operation") or ""]
    return "aws." + ".".join(_KEY_UNSAFE.sub(".", p).strip(".") for p in parts if p)


def _preamble(lines: Iterator[tuple[int, list[str]]], file: str) -> tuple[dict[str, str], list[str], int]:
    meta: dict[str, str] = {}
    for line_no, cells in lines:
        if tuple(c.strip() for c in cells[:3]) == HEADER_START:
            return meta, [c.strip() for c in cells], line_no
        if len(cells) >= 2:
            meta[cells[0].strip()] = cells[1].strip()
        if line_no > 20:
            break
    raise InputError(file, 'not an AWS Price List offer CSV: no header line starting "SKU","OfferTermCode","RateCode"')


def _numbered(text: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(text)
    for cells in reader:
        yield reader.line_num, cells


def convert(text: Iterable[str], file: str, source: str | None = None) -> Result:
    """The table rows of an offer CSV (``text``: its lines, e.g. an open file)."""
    lines = _numbered(text)
    try:
        meta, header, _ = _preamble(lines, file)
    except csv.Error as exc:
        raise InputError(file, f"invalid CSV: {exc}") from None
    for column in ("TermType", "Unit", "PricePerUnit", "Currency"):
        if column not in header:
            raise InputError(file, f"offer CSV header has no {column!r} column")
    offer = meta.get("OfferCode", "")
    if not offer:
        raise InputError(file, 'offer CSV preamble has no "OfferCode" line')
    version = meta.get("Version", "")
    published = meta.get("Publication Date", "")[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        shown = meta.get("Publication Date", "")
        raise InputError(file, f"offer CSV preamble: Publication Date {shown!r} is not a date")
    where = source or OFFER_URL.format(offer=offer, version=version or "current")
    result = Result([], offer, version)
    seen: dict[tuple[str, str, Decimal], int] = {}

    def skip(why: str) -> None:
        result.skipped[why] = result.skipped.get(why, 0) + 1

    try:
        for line_no, cells in lines:
            if not cells:
                continue
            if len(cells) != len(header):
                raise InputError(file, f"expected {len(header)} columns, got {len(cells)}", line_no)
            r = dict(zip(header, cells))
            if r["TermType"] != "OnDemand":
                skip("not on-demand")
                continue
            if r["Currency"] != "USD":
                skip("not in USD")
                continue
            region = r.get("Region Code", "")
            if not AWS_REGION.fullmatch(region):
                skip("not an AWS region (Local Zone, Wavelength, global or none)")
                continue
            try:
                usd = Decimal(r["PricePerUnit"])
                start = Decimal(r.get("StartingRange") or "0")
            except InvalidOperation:
                raise InputError(file, f"PricePerUnit {r['PricePerUnit']!r} / StartingRange "
                                       f"{r.get('StartingRange')!r} is not a number", line_no) from None
            if not usd.is_finite() or usd < 0 or not start.is_finite() or start < 0:
                raise InputError(file, f"PricePerUnit {r['PricePerUnit']!r} is not a price", line_no)
            key = _plangate_key(offer, r) or _generic_key(offer, r)
            end = r.get("EndingRange", "")
            tier = "" if start == 0 and end in ("", "Inf") else f"{start.normalize():f} to {end}"
            if (key, region, start) in seen:
                skip("same key, region and tier as an earlier row")
                continue
            seen[(key, region, start)] = line_no
            unit = _UNITS.get(r["Unit"], r["Unit"])
            result.rows.append(Row(key, region, start, tier, unit, usd, where, published,
                                   r.get("PriceDescription", "")))
    except csv.Error as exc:
        raise InputError(file, f"invalid CSV: {exc}") from None
    return result


def _named_tiers(rows: list[Row]) -> list[Row]:
    """A key with several tiers names every tier (the table requires it); one tier: no name."""
    tiers: dict[tuple[str, str], int] = {}
    for row in rows:
        tiers[(row.key, row.region)] = tiers.get((row.key, row.region), 0) + 1
    out = []
    for row in rows:
        many = tiers[(row.key, row.region)] > 1
        name = (row.tier_name or f"from {row.tier_start.normalize():f}") if many else ""
        out.append(Row(row.key, row.region, row.tier_start, name, row.unit, row.usd, row.source, row.as_of, row.note))
    return out


def render(result: Result) -> str:
    """The rows as a price table CSV (the shipped table's columns), sorted by key and region."""
    out = io.StringIO()
    out.write(f"# Imported with `plangate prices import` from the AWS Price List offer {result.offer} "
              f"version {result.version or '?'}: on-demand USD prices.\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + OPTIONAL_COLUMNS)
    for row in sorted(_named_tiers(result.rows), key=lambda r: (r.key, r.region, r.tier_start)):
        writer.writerow([row.key, row.region, f"{row.tier_start.normalize():f}", row.tier_name, row.unit,
                         f"{row.usd.normalize():f}", row.source, row.as_of, "", row.note])
    return out.getvalue()
