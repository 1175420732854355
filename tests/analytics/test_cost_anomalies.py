"""Cost anomalies on real billing rows: the FinOps Foundation's FOCUS 1.0 sample (1,000 anonymised
real line items, September 2024; ../shared/data/focus, CC BY 4.0), untouched and with a spike,
a level shift and a new service injected as extra line items."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import DATA, needs_data

from plangate.analytics.anomalies import AlertPolicy
from plangate.analytics.costs import cost_anomalies

FOCUS_SAMPLE = DATA / "focus" / "focus_1_0_sample_1000.csv"
MONTHLY_TOTAL = 20.520226728989996  # the sample's BilledCost sum (see SOURCES.md: ≈ $20.52)
# High impact: an anomaly worth a quarter of the sample's whole monthly bill, and double what was expected.
HIGH_IMPACT = AlertPolicy(min_impact=MONTHLY_TOTAL / 4, min_impact_pct=100.0)

SPIKE_DAY, SPIKE_USD = dt.date(2024, 9, 16), 15.0
SHIFT_FROM, SHIFT_USD = dt.date(2024, 9, 20), 2.0  # per day, to the end of the month
NEW_FROM, NEW_USD = dt.date(2024, 9, 24), 1.5  # per day, a service never billed before


def _rows():
    with FOCUS_SAMPLE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def _charge(template: dict, day: dt.date, cost: float, **changes) -> dict:
    row = dict(template)
    start = dt.datetime(day.year, day.month, day.day, 10)
    cost_text = f"{cost:.5f}"
    row.update(ChargePeriodStart=f"{start:%Y-%m-%d %H:%M:%S}",
               ChargePeriodEnd=f"{start + dt.timedelta(hours=1):%Y-%m-%d %H:%M:%S}",
               BilledCost=cost_text, EffectiveCost=cost_text, ListCost=cost_text, ContractedCost=cost_text,
               **changes)
    return row


def _write(path: Path, fields, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _lake(tmp_path: Path, csv_path: Path):
    from plangate.lake import open_lake
    from plangate.lake.ingest import ingest

    target = tmp_path / "lake.duckdb"
    ingest(target, [csv_path])
    return open_lake(target)


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    fields, rows = _rows()
    ec2 = next(r for r in rows if r["ServiceName"] == "Amazon Elastic Compute Cloud")
    elb = next(r for r in rows if r["ServiceName"] == "Elastic Load Balancing")
    extra = [_charge(ec2, SPIKE_DAY, SPIKE_USD, ResourceId="i-0injectedspike", Tags=json.dumps({"owner": "batch"}))]
    day = SHIFT_FROM
    while day <= dt.date(2024, 9, 30):
        extra.append(_charge(elb, day, SHIFT_USD, ResourceId="arn:aws:elb:injected/shift",
                             Tags=json.dumps({"owner": "web-team"})))
        day += dt.timedelta(days=1)
    day = NEW_FROM
    while day <= dt.date(2024, 9, 30):
        extra.append(_charge(ec2, day, NEW_USD, ServiceName="Amazon SageMaker",
                             ServiceCategory="AI and Machine Learning",
                             ResourceId="arn:aws:sagemaker:us-east-1:1:endpoint/injected",
                             ChargeDescription="ml.g5.xlarge hosting", Tags=json.dumps({"owner": "ml-team"})))
        day += dt.timedelta(days=1)
    tmp = tmp_path_factory.mktemp("injected")
    lake = _lake(tmp, _write(tmp / "focus_injected.csv", fields, rows + extra))
    yield cost_anomalies(lake, ["ServiceName"], policy=HIGH_IMPACT)
    lake.close()


def _only(anomalies, service):
    found = [a for a in anomalies if a.scope == {"ServiceName": service} and a.alert]
    assert len(found) == 1, [a.as_dict() for a in anomalies if a.scope == {"ServiceName": service}]
    return found[0]


@needs_data
def test_untouched_sample_has_no_high_impact_anomaly(tmp_path):
    lake = _lake(tmp_path, FOCUS_SAMPLE)
    try:
        for by in (["ServiceName"], ["RegionId"], ["ServiceName", "RegionId"]):
            found = cost_anomalies(lake, by, policy=HIGH_IMPACT, contributors=0)
            assert found, "the detector sees the sample's small day-to-day changes"
            assert [a.as_dict() for a in found if a.alert] == []
    finally:
        lake.close()


@needs_data
def test_spike_found_on_its_day_with_its_impact(injected):
    a = _only(injected, "Amazon Elastic Compute Cloud")
    assert (a.start.date(), a.end.date()) == (SPIKE_DAY, SPIKE_DAY)
    assert a.impact == pytest.approx(SPIKE_USD, abs=1.0)
    assert a.actual - a.impact == pytest.approx(a.expected)
    assert a.contributors[0].name == "i-0injectedspike" and a.contributors[0].kind == "resource"
    assert a.owner == "batch"


@needs_data
def test_level_shift_found_from_its_first_day(injected):
    a = _only(injected, "Elastic Load Balancing")
    assert a.start.date() == SHIFT_FROM
    days = (a.end.date() - a.start.date()).days + 1
    assert days >= 3
    assert a.impact == pytest.approx(SHIFT_USD * days, rel=0.15)
    assert a.owner == "web-team"
    assert a.contributors[0].name == "arn:aws:elb:injected/shift"


@needs_data
def test_new_service_found_on_day_one(injected):
    a = _only(injected, "Amazon SageMaker")
    assert a.start.date() == NEW_FROM and a.end.date() == dt.date(2024, 9, 30)
    assert a.expected == pytest.approx(0.0, abs=1e-9) and a.impact_pct is None
    assert a.impact == pytest.approx(NEW_USD * 7)
    assert a.owner == "ml-team"
    kinds = {c.kind: c.name for c in a.contributors}
    assert kinds == {"resource": "arn:aws:sagemaker:us-east-1:1:endpoint/injected",
                     "usage type": "ml.g5.xlarge hosting"}


@needs_data
def test_nothing_else_alerts_in_the_injected_sample(injected):
    alerting = sorted(a.scope["ServiceName"] for a in injected if a.alert)
    assert alerting == ["Amazon Elastic Compute Cloud", "Amazon SageMaker", "Elastic Load Balancing"]


@needs_data
def test_tag_scopes_keep_their_names(tmp_path):
    """A scope named ``tag:<key>`` survives from the lake's frame into the anomaly (itertuples
    renamed such columns and the lookup failed)."""
    lake = _lake(tmp_path, FOCUS_SAMPLE)
    try:
        found = cost_anomalies(lake, ["tag:environment"], policy=HIGH_IMPACT, contributors=0)
    finally:
        lake.close()
    assert found and all(set(a.scope) == {"tag:environment"} for a in found)
