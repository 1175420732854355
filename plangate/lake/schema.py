"""The lake's tables: FOCUS column names and types, so users can query the DuckDB file directly.

``costs`` holds one row per billing line item in FOCUS 1.x names (``BilledCost``, ``ChargePeriodStart``,
...), plus a few ``x_`` columns FOCUS allows for provider extras (AWS usage type and operation, the
source file).  ``Tags`` is a ``MAP(VARCHAR, VARCHAR)``: ``SELECT Tags['team'], sum(BilledCost) FROM costs
GROUP BY 1`` works in the DuckDB shell.  ``metrics`` holds named ``timestamp,value`` series.
``ingests`` records what each billing period was last loaded from.
"""

from __future__ import annotations

COSTS, METRICS, INGESTS = "costs", "metrics", "ingests"

#: FOCUS 1.0 columns (and the 1.1 ``ServiceSubcategory`` / ``SkuMeter``) with their lake types.
FOCUS_COLUMNS: dict[str, str] = {
    "AvailabilityZone": "VARCHAR",
    "BilledCost": "DOUBLE",
    "BillingAccountId": "VARCHAR",
    "BillingAccountName": "VARCHAR",
    "BillingCurrency": "VARCHAR",
    "BillingPeriodEnd": "TIMESTAMP",
    "BillingPeriodStart": "TIMESTAMP",
    "ChargeCategory": "VARCHAR",
    "ChargeClass": "VARCHAR",
    "ChargeDescription": "VARCHAR",
    "ChargeFrequency": "VARCHAR",
    "ChargePeriodEnd": "TIMESTAMP",
    "ChargePeriodStart": "TIMESTAMP",
    "CommitmentDiscountCategory": "VARCHAR",
    "CommitmentDiscountId": "VARCHAR",
    "CommitmentDiscountName": "VARCHAR",
    "CommitmentDiscountStatus": "VARCHAR",
    "CommitmentDiscountType": "VARCHAR",
    "ConsumedQuantity": "DOUBLE",
    "ConsumedUnit": "VARCHAR",
    "ContractedCost": "DOUBLE",
    "ContractedUnitPrice": "DOUBLE",
    "EffectiveCost": "DOUBLE",
    "InvoiceIssuerName": "VARCHAR",
    "ListCost": "DOUBLE",
    "ListUnitPrice": "DOUBLE",
    "PricingCategory": "VARCHAR",
    "PricingQuantity": "DOUBLE",
    "PricingUnit": "VARCHAR",
    "ProviderName": "VARCHAR",
    "PublisherName": "VARCHAR",
    "RegionId": "VARCHAR",
    "RegionName": "VARCHAR",
    "ResourceId": "VARCHAR",
    "ResourceName": "VARCHAR",
    "ResourceType": "VARCHAR",
    "ServiceCategory": "VARCHAR",
    "ServiceName": "VARCHAR",
    "ServiceSubcategory": "VARCHAR",
    "SkuId": "VARCHAR",
    "SkuMeter": "VARCHAR",
    "SkuPriceId": "VARCHAR",
    "SubAccountId": "VARCHAR",
    "SubAccountName": "VARCHAR",
}

#: What a billing file must carry for the lake to mean anything (a subset of FOCUS's mandatory list:
#: the money, its currency, the periods, and who charged it for what).
REQUIRED = ("BilledCost", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
            "ChargePeriodEnd", "ProviderName", "ServiceName")

#: Provider extras (FOCUS reserves the ``x_`` prefix for them) and the lake's own bookkeeping.
EXTRA_COLUMNS: dict[str, str] = {
    "x_UsageType": "VARCHAR",  # AWS lineItem/UsageType: "top usage types" of an anomaly
    "x_Operation": "VARCHAR",
    "x_ServiceCode": "VARCHAR",  # AWS lineItem/ProductCode
    "x_SourceFile": "VARCHAR",
    "x_IngestId": "BIGINT",  # which `plangate ingest` run wrote the row (ingests.ingest_id)
}

TAGS_TYPE = "MAP(VARCHAR, VARCHAR)"

COST_TABLE_COLUMNS: dict[str, str] = {**FOCUS_COLUMNS, "Tags": TAGS_TYPE, **EXTRA_COLUMNS}

#: A billing period is replaced as a whole when it is ingested again: these columns name it.
PERIOD_KEY = ("ProviderName", "BillingAccountId", "BillingPeriodStart")

METRIC_COLUMNS: dict[str, str] = {"name": "VARCHAR", "timestamp": "TIMESTAMP", "value": "DOUBLE"}

INGEST_COLUMNS: dict[str, str] = {
    "ingest_id": "BIGINT", "ProviderName": "VARCHAR", "BillingAccountId": "VARCHAR", "BillingPeriodStart": "TIMESTAMP",
    "x_SourceFile": "VARCHAR", "rows": "BIGINT", "BilledCost": "DOUBLE", "ingested_at": "TIMESTAMP",
}

NUMERIC_TYPES = frozenset({"DOUBLE"})
TIME_TYPES = frozenset({"TIMESTAMP"})

#: What a value in the lake may be, checked at ingest (and by the metric-series reader): a number
#: within ±MAX_ABS_VALUE (no line item costs a quadrillion dollars, and sums of such numbers stay
#: finite and exact to the cent far beyond any bill), a time from FIRST_TIME up to (not including)
#: END_TIME (pandas' nanosecond times end in 2262; a date in year 9999 is a typo, not a charge).
MAX_ABS_VALUE = 1e15
FIRST_TIME, END_TIME = "1970-01-01", "2200-01-01"


def create_statements() -> list[str]:
    """DDL that makes an empty lake (idempotent)."""
    def table(name: str, columns: dict[str, str]) -> str:
        cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
        return f"CREATE TABLE IF NOT EXISTS {name} ({cols})"

    return [table(COSTS, COST_TABLE_COLUMNS), table(METRICS, METRIC_COLUMNS), table(INGESTS, INGEST_COLUMNS)]
