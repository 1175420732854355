"""The lake's tables: FOCUS column names and types, so users can query the DuckDB file directly.

``costs`` holds one row per billing line item with every column FOCUS 1.0 to 1.3 defines, under its
FOCUS name (``BilledCost``, ``ChargePeriodStart``, ``SkuMeter``, ``ServiceProviderName``, ...; NULL where
a file's version lacks it), plus a few ``x_`` columns FOCUS allows for provider extras (AWS usage type and
operation, the source file) and ``x_CustomColumns``, a map of every other column a FOCUS file carried
(``SELECT x_CustomColumns['x_Discounts'] FROM costs``).  ``Tags`` is a ``MAP(VARCHAR, VARCHAR)``:
``SELECT Tags['team'], sum(BilledCost) FROM costs GROUP BY 1`` works in the DuckDB shell.  ``metrics``
holds named ``timestamp,value`` series.
``ingests`` records what each billing period was last loaded from.
"""

from __future__ import annotations

COSTS, METRICS, INGESTS = "costs", "metrics", "ingests"

#: Every Cost and Usage column FOCUS 1.0 to 1.3 defines, with its lake type and the version that
#: introduced it (the spec's column IDs; 1.3 deprecates ProviderName / PublisherName in favour of
#: ServiceProviderName / HostProviderName, so a 1.3 file carries both).  JSON-valued columns
#: (SkuPriceDetails, AllocatedMethodDetails, AllocatedTags, ContractApplied) are kept as their JSON
#: text; ``Tags`` alone is a map, because the analytics scope by tag.
FOCUS_SPEC: dict[str, tuple[str, str]] = {
    "AllocatedMethodDetails": ("VARCHAR", "1.3"),
    "AllocatedMethodId": ("VARCHAR", "1.3"),
    "AllocatedResourceId": ("VARCHAR", "1.3"),
    "AllocatedResourceName": ("VARCHAR", "1.3"),
    "AllocatedTags": ("VARCHAR", "1.3"),
    "AvailabilityZone": ("VARCHAR", "1.0"),
    "BilledCost": ("DOUBLE", "1.0"),
    "BillingAccountId": ("VARCHAR", "1.0"),
    "BillingAccountName": ("VARCHAR", "1.0"),
    "BillingAccountType": ("VARCHAR", "1.2"),
    "BillingCurrency": ("VARCHAR", "1.0"),
    "BillingPeriodEnd": ("TIMESTAMP", "1.0"),
    "BillingPeriodStart": ("TIMESTAMP", "1.0"),
    "CapacityReservationId": ("VARCHAR", "1.1"),
    "CapacityReservationStatus": ("VARCHAR", "1.1"),
    "ChargeCategory": ("VARCHAR", "1.0"),
    "ChargeClass": ("VARCHAR", "1.0"),
    "ChargeDescription": ("VARCHAR", "1.0"),
    "ChargeFrequency": ("VARCHAR", "1.0"),
    "ChargePeriodEnd": ("TIMESTAMP", "1.0"),
    "ChargePeriodStart": ("TIMESTAMP", "1.0"),
    "CommitmentDiscountCategory": ("VARCHAR", "1.0"),
    "CommitmentDiscountId": ("VARCHAR", "1.0"),
    "CommitmentDiscountName": ("VARCHAR", "1.0"),
    "CommitmentDiscountQuantity": ("DOUBLE", "1.1"),
    "CommitmentDiscountStatus": ("VARCHAR", "1.0"),
    "CommitmentDiscountType": ("VARCHAR", "1.0"),
    "CommitmentDiscountUnit": ("VARCHAR", "1.1"),
    "ConsumedQuantity": ("DOUBLE", "1.0"),
    "ConsumedUnit": ("VARCHAR", "1.0"),
    "ContractApplied": ("VARCHAR", "1.3"),
    "ContractedCost": ("DOUBLE", "1.0"),
    "ContractedUnitPrice": ("DOUBLE", "1.0"),
    "EffectiveCost": ("DOUBLE", "1.0"),
    "HostProviderName": ("VARCHAR", "1.3"),
    "InvoiceId": ("VARCHAR", "1.2"),
    "InvoiceIssuerName": ("VARCHAR", "1.0"),
    "ListCost": ("DOUBLE", "1.0"),
    "ListUnitPrice": ("DOUBLE", "1.0"),
    "PricingCategory": ("VARCHAR", "1.0"),
    "PricingCurrency": ("VARCHAR", "1.2"),
    "PricingCurrencyContractedUnitPrice": ("DOUBLE", "1.2"),
    "PricingCurrencyEffectiveCost": ("DOUBLE", "1.2"),
    "PricingCurrencyListUnitPrice": ("DOUBLE", "1.2"),
    "PricingQuantity": ("DOUBLE", "1.0"),
    "PricingUnit": ("VARCHAR", "1.0"),
    "ProviderName": ("VARCHAR", "1.0"),
    "PublisherName": ("VARCHAR", "1.0"),
    "RegionId": ("VARCHAR", "1.0"),
    "RegionName": ("VARCHAR", "1.0"),
    "ResourceId": ("VARCHAR", "1.0"),
    "ResourceName": ("VARCHAR", "1.0"),
    "ResourceType": ("VARCHAR", "1.0"),
    "ServiceCategory": ("VARCHAR", "1.0"),
    "ServiceName": ("VARCHAR", "1.0"),
    "ServiceProviderName": ("VARCHAR", "1.3"),
    "ServiceSubcategory": ("VARCHAR", "1.1"),
    "SkuId": ("VARCHAR", "1.0"),
    "SkuMeter": ("VARCHAR", "1.1"),
    "SkuPriceDetails": ("VARCHAR", "1.1"),
    "SkuPriceId": ("VARCHAR", "1.0"),
    "SubAccountId": ("VARCHAR", "1.0"),
    "SubAccountName": ("VARCHAR", "1.0"),
    "SubAccountType": ("VARCHAR", "1.2"),
    "Tags": ("MAP(VARCHAR, VARCHAR)", "1.0"),
}

FOCUS_VERSIONS = ("1.0", "1.1", "1.2", "1.3")


def focus_columns(version: str) -> list[str]:
    """The Cost and Usage columns FOCUS ``version`` defines (1.0 to 1.3), in alphabetical order."""
    if version not in FOCUS_VERSIONS:
        raise ValueError(f"FOCUS {version}: the lake knows {', '.join(FOCUS_VERSIONS)}")
    return [c for c, (_, since) in FOCUS_SPEC.items() if since <= version]


#: The lake's type of each FOCUS column (``Tags`` is added with the map type below).
FOCUS_COLUMNS: dict[str, str] = {c: kind for c, (kind, _) in FOCUS_SPEC.items() if c != "Tags"}

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
    # every other column of a FOCUS file (provider x_ columns, or unprefixed ones the spec does not
    # define), by its name in the file, as text: kept, not dropped
    "x_CustomColumns": "MAP(VARCHAR, VARCHAR)",
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
    """DDL that makes an empty lake, or brings a lake an earlier plangate made up to these columns
    (idempotent: a column added since is added, NULL in the rows already there)."""
    def table(name: str, columns: dict[str, str]) -> list[str]:
        cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
        return [f"CREATE TABLE IF NOT EXISTS {name} ({cols})",
                *(f'ALTER TABLE {name} ADD COLUMN IF NOT EXISTS "{c}" {t}' for c, t in columns.items())]

    return [*table(COSTS, COST_TABLE_COLUMNS), *table(METRICS, METRIC_COLUMNS), *table(INGESTS, INGEST_COLUMNS)]
