"""FOCUS files of a given version, built from the lake's column table (``schema.FOCUS_SPEC``, the
spec's Cost and Usage columns): one value per column, typed as the spec types it, written as Parquet
so a reader sees strings, decimals and date-times rather than guessing them from CSV text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from plangate.lake.schema import FOCUS_SPEC, focus_columns

UTC = dt.UTC
TAGS = {"CostCenter": "cc-42", "Owner": "ml", "Environment": "prod", "Project": "scorer"}

#: One usage charge: a Lambda function's GB-seconds for a day, every value consistent with the spec's
#: rules (costs agree with prices × quantities, the charge period inside the billing period).
USAGE: dict[str, Any] = {
    "AvailabilityZone": "us-east-1a", "BilledCost": 12.5, "BillingAccountId": "acct-111122223333",
    "BillingAccountName": "payer", "BillingAccountType": "Billing Account", "BillingCurrency": "USD",
    "BillingPeriodEnd": dt.datetime(2026, 11, 1, tzinfo=UTC),
    "BillingPeriodStart": dt.datetime(2026, 10, 1, tzinfo=UTC),
    "ChargeCategory": "Usage", "ChargeDescription": "Lambda GB-seconds", "ChargeFrequency": "Usage-Based",
    "ChargePeriodEnd": dt.datetime(2026, 10, 2, tzinfo=UTC), "ChargePeriodStart": dt.datetime(2026, 10, 1, tzinfo=UTC),
    "ConsumedQuantity": 750000.0, "ConsumedUnit": "GB-Seconds", "ContractedCost": 12.5,
    "ContractedUnitPrice": 0.00001666666, "EffectiveCost": 12.5, "InvoiceIssuerName": "AWS", "ListCost": 12.5,
    "ListUnitPrice": 0.00001666666, "PricingCategory": "Standard", "PricingCurrency": "USD",
    "PricingCurrencyContractedUnitPrice": 0.00001666666, "PricingCurrencyEffectiveCost": 12.5,
    "PricingCurrencyListUnitPrice": 0.00001666666, "PricingQuantity": 750000.0, "PricingUnit": "GB-Seconds",
    "ProviderName": "AWS", "PublisherName": "AWS", "RegionId": "us-east-1", "RegionName": "US East (N. Virginia)",
    "ResourceId": "arn:aws:lambda:us-east-1:111122223333:function:scorer", "ResourceName": "scorer",
    "ResourceType": "Function", "ServiceCategory": "Compute", "ServiceName": "AWS Lambda",
    "ServiceSubcategory": "Serverless Compute", "SkuId": "SKU123", "SkuMeter": "Lambda-GB-Second",
    "SkuPriceDetails": json.dumps({"x_Architecture": "arm64"}), "SkuPriceId": "SKU123.PRICE",
    "SubAccountId": "acct-444455556666", "SubAccountName": "ml-prod", "SubAccountType": "Account",
    "Tags": json.dumps(TAGS), "HostProviderName": "AWS", "ServiceProviderName": "AWS",
    # the charge ran under a savings plan and in a capacity reservation, so those columns hold values too
    "CapacityReservationId": "arn:aws:ec2:us-east-1:111122223333:capacity-reservation/cr-1",
    "CapacityReservationStatus": "Used", "CommitmentDiscountCategory": "Spend",
    "CommitmentDiscountId": "arn:aws:savingsplans::111122223333:savingsplan/sp-1", "CommitmentDiscountName": "sp-1",
    "CommitmentDiscountQuantity": 12.5, "CommitmentDiscountStatus": "Used", "CommitmentDiscountType": "Compute",
    "CommitmentDiscountUnit": "USD",
}

#: Provider extras (``x_``) and a column no FOCUS version defines: the lake keeps both.
EXTRAS = {"x_Discounts": json.dumps([{"name": "EDP", "amount": -0.5}]), "x_UsageAccountAlias": "ml-prod"}


def focus_rows(version: str, **changes: Any) -> list[dict[str, Any]]:
    """One row with every column of FOCUS ``version`` (NULL where the example has no value) and EXTRAS."""
    row = {c: USAGE.get(c) for c in focus_columns(version)}
    return [{**row, **EXTRAS, **changes}]


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"DOUBLE": pa.float64(), "TIMESTAMP": pa.timestamp("us", tz="UTC")}
    names = list(rows[0])
    schema = pa.schema([(c, arrow.get(FOCUS_SPEC.get(c, ("VARCHAR",))[0], pa.string())) for c in names])
    pq.write_table(pa.table({c: [r[c] for r in rows] for c in names}, schema=schema), path)
    return path
