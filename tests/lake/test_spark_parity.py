"""The same anomaly run on DuckDB and on a local Spark session gives the same anomalies.

The lake is the real FOCUS sample with a spike and a new service injected; the detector is the
product's (`plangate.analytics.costs.cost_anomalies`, fitted per scope through `score_by_scope`:
locally on DuckDB, ``applyInPandas`` on Spark).  One Spark session for the module: start-up is slow.
"""

from __future__ import annotations

import csv
import os
import shutil

import pandas as pd
import pytest
from conftest import needs_data
from lake_testing import FOCUS_SAMPLE

from plangate.lake import daily_costs, open_lake, owner_tag, score_by_scope, top_contributors
from plangate.lake.ingest import ingest

JAVA = shutil.which("java") or os.path.exists(os.path.join(os.environ.get("JAVA_HOME", "/nonexistent"), "bin", "java"))
pytestmark = [needs_data, pytest.mark.skipif(not JAVA, reason="Spark needs Java (no `java` on PATH nor JAVA_HOME)")]

BY = ["ServiceName"]  # (two-key and tag scopes are covered by the per-scope frames below)


def injected(path):
    """The real sample plus a one-day spike of an existing service and a service that appears from nothing."""
    with open(FOCUS_SAMPLE, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    template = next(r for r in rows if r["ServiceName"] == "Elastic Load Balancing" and r["Tags"] not in ("", "NULL"))
    extra = []
    spike = dict(template, BilledCost="4.0", ChargePeriodStart="2024-09-20 10:00:00",
                 ChargePeriodEnd="2024-09-20 11:00:00", ResourceId="arn:injected:elb/spike")
    extra.append(spike)
    for day in range(24, 31):
        extra.append(dict(template, BilledCost="1.5", ServiceName="Amazon SageMaker",
                          ChargePeriodStart=f"2024-09-{day} 00:00:00", ChargePeriodEnd=f"2024-09-{day} 01:00:00",
                          ResourceId="arn:injected:sagemaker/endpoint",
                          Tags='{"environment": "prod", "owner": "ml-platform"}'))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + extra)
    return path


@pytest.fixture(scope="module")
def lake_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parity")
    path = folder / "lake.duckdb"
    ingest(path, [injected(folder / "focus_injected.csv")])
    return path


@pytest.fixture(scope="module")
def spark():
    from plangate.lake.spark import local_session

    session = local_session("plangate-parity-test")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lakes(lake_path, spark):
    duck = open_lake(lake_path)
    sparky = open_lake(lake_path, engine="spark", spark=spark)
    yield duck, sparky
    duck.close()


def as_records(anomalies):
    return [{k: (round(v, 9) if isinstance(v, float) else v) for k, v in a.as_dict().items()} for a in anomalies]


def test_same_anomalies_on_duckdb_and_spark(lakes):
    from plangate.analytics.costs import cost_anomalies

    duck, sparky = lakes
    # the detection itself, on both engines (contributors are a lake query per anomaly: compared below
    # for the largest ones, as each is a Spark job and the machine is small)
    on_duck, on_spark = cost_anomalies(duck, BY, contributors=0), cost_anomalies(sparky, BY, contributors=0)
    assert on_duck, "the injected anomalies must be found at all"
    assert as_records(on_duck) == as_records(on_spark)
    found = {(a.scope["ServiceName"], a.start.date().isoformat(), a.end.date().isoformat()) for a in on_duck}
    assert ("Elastic Load Balancing", "2024-09-20", "2024-09-20") in found
    assert ("Amazon SageMaker", "2024-09-24", "2024-09-30") in found
    for a in on_duck[:2]:
        window = (a.scope, a.start.date(), a.end.date())
        assert owner_tag(duck, *window) == owner_tag(sparky, *window)
        for by in ("ResourceId", "x_UsageType"):
            pd.testing.assert_frame_equal(top_contributors(duck, *window, by=by),
                                          top_contributors(sparky, *window, by=by), rtol=1e-9)
    assert owner_tag(duck, *((on_duck[0].scope, on_duck[0].start.date(), on_duck[0].end.date()))) == "ml-platform"


def test_same_per_scope_frames_on_both_engines(lakes):
    from plangate.analytics.costs import SCHEMA, scope_anomalies

    duck, sparky = lakes
    by = ["ServiceName", "tag:environment"]
    a = score_by_scope(duck, by, scope_anomalies, SCHEMA)
    b = score_by_scope(sparky, by, scope_anomalies, SCHEMA)
    assert len(a) >= 2
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)
    pd.testing.assert_frame_equal(daily_costs(duck, by), daily_costs(sparky, by), rtol=1e-9)


@pytest.mark.parametrize("required,insensitive", [
    (("environment", "application"), False),
    (("Environment", "APPLICATION", "business_unit"), True),  # key_case insensitive: Spark's INT array index
])
def test_same_allocation_coverage_on_both_engines(lakes, required, insensitive):
    from plangate.lake.coverage import allocation_coverage

    duck, sparky = lakes
    on_duck = allocation_coverage(duck, required, insensitive=insensitive).as_dict()
    assert 0 < on_duck["periods"][0]["tagged_cost"] < on_duck["periods"][0]["usage_cost"]
    assert allocation_coverage(sparky, required, insensitive=insensitive).as_dict() == on_duck


def test_coverage_command_reads_the_lake_with_spark(lake_path, spark, tmp_path, capsys):
    import json

    from plangate.cli import main

    runs = []
    for engine in ("duckdb", "spark"):
        code = main(["coverage", "--lake", str(lake_path), "--engine", engine, "--format", "json",
                     "--today", "2024-10-15", "-c", str(_policy(tmp_path))])
        runs.append((code, json.loads(capsys.readouterr().out)))
    assert runs[0] == runs[1] and runs[0][0] in (0, 1)


def _policy(tmp_path):
    path = tmp_path / "plangate.yaml"
    path.write_text("rules:\n  cost-allocation-tags:\n    required: [environment]\n", encoding="utf-8")
    return path
