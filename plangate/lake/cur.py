"""AWS Cost and Usage Report (CUR 2.0 ``line_item_unblended_cost`` and legacy ``lineItem/UnblendedCost``
columns) mapped onto FOCUS 1.0 names, as DuckDB SQL expressions over the report's own columns.

Legacy headers are normalised to CUR 2.0 names first (``lineItem/UsageStartDate`` ->
``line_item_usage_start_date``), so one mapping serves both.  The mapping follows the FinOps
Foundation's focus_converters (BilledCost from the unblended cost, ListCost from the public on-demand
cost, ServiceCategory from their product-code table in ``plangate/data/aws_service_category.csv``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from functools import cache
from importlib import resources

LEGACY_PREFIXES = {"lineItem": "line_item", "bill": "bill", "product": "product", "pricing": "pricing",
                   "reservation": "reservation", "savingsPlan": "savings_plan", "identity": "identity",
                   "discount": "discount", "splitLineItem": "split_line_item", "costCategory": "cost_category"}
LEGACY_TAG_PREFIX = "resourceTags/"
CUR2_TAGS = "resource_tags"
COST_COLUMN = "line_item_unblended_cost"

#: lineItem/LineItemType -> FOCUS ChargeCategory (types not listed are Adjustment).
CHARGE_CATEGORY = {
    "Usage": "Usage", "DiscountedUsage": "Usage", "SavingsPlanCoveredUsage": "Usage",
    "Tax": "Tax",
    "Credit": "Credit", "Refund": "Credit", "SavingsPlanNegation": "Credit", "EdpDiscount": "Credit",
    "BundledDiscount": "Credit", "PrivateRateDiscount": "Credit", "Discount": "Credit",
    "Fee": "Purchase", "RIFee": "Purchase", "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
}

#: FOCUS column -> CUR 2.0 column it is copied from (cast to the lake's type).
DIRECT = {
    "AvailabilityZone": "line_item_availability_zone",
    "BilledCost": "line_item_unblended_cost",
    "BillingAccountId": "bill_payer_account_id",
    "BillingCurrency": "line_item_currency_code",
    "BillingPeriodStart": "bill_billing_period_start_date",
    "BillingPeriodEnd": "bill_billing_period_end_date",
    "ChargeDescription": "line_item_line_item_description",
    "ChargePeriodStart": "line_item_usage_start_date",
    "ChargePeriodEnd": "line_item_usage_end_date",
    "ConsumedQuantity": "line_item_usage_amount",
    "InvoiceIssuerName": "bill_invoicing_entity",
    "ListCost": "pricing_public_on_demand_cost",
    "ListUnitPrice": "pricing_public_on_demand_rate",
    "PricingUnit": "pricing_unit",
    "PublisherName": "bill_billing_entity",
    "RegionId": "product_region_code",
    "RegionName": "product_location",
    "ResourceId": "line_item_resource_id",
    "ServiceName": "product_product_name",
    "SkuId": "product_sku",
    "SubAccountId": "line_item_usage_account_id",
    "x_UsageType": "line_item_usage_type",
    "x_Operation": "line_item_operation",
    "x_ServiceCode": "line_item_product_code",
}


#: What a CUR must carry (CUR 2.0 name -> legacy name): the money, its billing period, its day.
REQUIRED = {"line_item_unblended_cost": "lineItem/UnblendedCost",
            "bill_billing_period_start_date": "bill/BillingPeriodStartDate",
            "line_item_usage_start_date": "lineItem/UsageStartDate",
            "bill_payer_account_id": "bill/PayerAccountId"}


def missing_required(columns: list[str]) -> str | None:
    """The first mandatory column the report lacks, spelled as the report would spell it."""
    legacy = is_legacy(columns)
    present = {cur2_name(c) for c in columns} if legacy else set(columns)
    for cur2, old in REQUIRED.items():
        if cur2 not in present:
            return old if legacy else cur2
    return None


def is_legacy(columns: list[str]) -> bool:
    return any(c.startswith("lineItem/") for c in columns)


def is_cur(columns: list[str]) -> bool:
    return is_legacy(columns) or COST_COLUMN in columns


def cur2_name(legacy: str) -> str | None:
    """``lineItem/UnblendedCost`` -> ``line_item_unblended_cost``; None for a tag or unknown column."""
    prefix, _, rest = legacy.partition("/")
    if prefix not in LEGACY_PREFIXES or not rest:
        return None
    return f"{LEGACY_PREFIXES[prefix]}_{_snake(rest)}"


def _snake(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name).lower()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def service_categories() -> dict[str, str]:
    """AWS product code -> FOCUS ServiceCategory (the FinOps Foundation's table)."""
    text = resources.files("plangate").joinpath("data/aws_service_category.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["product_code"]: r["ServiceCategory"] for r in rows}


def _case(column: str, mapping: dict[str, str], default: str) -> str:
    arms = " ".join(f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in sorted(mapping.items()))
    return f"CASE {column} {arms} ELSE {_literal(default)} END"


def focus_expressions(columns: list[str], source_types: dict[str, str]) -> tuple[dict[str, str], Callable[[str], str]]:
    """SQL (over the raw file's columns) for each FOCUS column the CUR gives, and the resolver from a
    CUR 2.0 name to the raw column it reads (for naming the file's column in error messages)."""
    legacy = is_legacy(columns)
    raw = {(cur2_name(c) if legacy else c): c for c in columns}
    raw.pop(None, None)

    def col(name: str) -> str:
        return _quote(raw[name]) if name in raw else "NULL"

    def origin(name: str) -> str:
        return raw.get(name, name)

    exprs = {focus: col(cur) for focus, cur in DIRECT.items() if cur in raw}
    exprs["ProviderName"] = "'AWS'"
    if "product_product_name" not in raw:  # CUR 2.0 keeps the product name inside the `product` map
        exprs["ServiceName"] = (f"coalesce(CAST(product['product_name'] AS VARCHAR), {col('line_item_product_code')})"
                                if source_types.get("product", "").startswith("MAP")
                                else col("line_item_product_code"))
    exprs["ChargeCategory"] = _case(col("line_item_line_item_type"), CHARGE_CATEGORY, "Adjustment")
    exprs["ChargeClass"] = f"CASE WHEN {col('bill_bill_type')} = 'Refund' THEN 'Correction' END"
    exprs["ServiceCategory"] = _case(col("line_item_product_code"), service_categories(), "Other")
    exprs["PricingQuantity"] = col("line_item_usage_amount")
    effective = [f"WHEN {col('line_item_line_item_type')} = 'SavingsPlanCoveredUsage' THEN "
                 f"TRY_CAST({col('savings_plan_savings_plan_effective_cost')} AS DOUBLE)"
                 if "savings_plan_savings_plan_effective_cost" in raw else "",
                 f"WHEN {col('line_item_line_item_type')} = 'DiscountedUsage' THEN "
                 f"TRY_CAST({col('reservation_effective_cost')} AS DOUBLE)"
                 if "reservation_effective_cost" in raw else ""]
    arms = " ".join(a for a in effective if a)
    base = col(COST_COLUMN)
    exprs["EffectiveCost"] = f"CASE {arms} ELSE CAST({base} AS DOUBLE) END" if arms else base
    exprs["Tags"] = _tags(columns, legacy, source_types)
    return exprs, origin


def _tags(columns: list[str], legacy: bool, source_types: dict[str, str]) -> str:
    if legacy:
        tag_cols = [c for c in columns if c.startswith(LEGACY_TAG_PREFIX)]
        if not tag_cols:
            return "NULL"
        entries = ", ".join(
            f"{{'k': {_literal(_tag_key(c[len(LEGACY_TAG_PREFIX):], 'user:'))}, 'v': CAST({_quote(c)} AS VARCHAR)}}"
            for c in tag_cols)
        return f"map_from_entries(list_filter([{entries}], {NON_EMPTY}))"
    if CUR2_TAGS not in columns:
        return "NULL"
    kind = source_types.get(CUR2_TAGS, "VARCHAR")
    value = (f"CAST({CUR2_TAGS} AS MAP(VARCHAR, VARCHAR))" if kind.startswith("MAP")
             else f"CAST(CAST(NULLIF({CUR2_TAGS}, '') AS JSON) AS MAP(VARCHAR, VARCHAR))")
    # CUR 2.0 writes user tags as user_<key>: the lake keys them by <key>, as the console shows them
    entries = (f"list_transform(map_entries({value}), lambda e: {{'k': "
               f"CASE WHEN starts_with(e.key, 'user_') THEN e.key[6:] ELSE e.key END, 'v': e.value}})")
    return f"map_from_entries(list_filter({entries}, {NON_EMPTY}))"


NON_EMPTY = "lambda e: e.v IS NOT NULL AND e.v <> ''"  # an empty tag cell is no tag


def _tag_key(key: str, user_prefix: str) -> str:
    return key[len(user_prefix):] if key.startswith(user_prefix) else key
