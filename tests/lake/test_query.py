"""The lake's query API on DuckDB, checked against pandas over the raw real sample."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import needs_data
from lake_testing import FOCUS_SAMPLE, NAB_SERIES

from plangate.errors import PlangateError
from plangate.lake import (
    MISSING,
    daily_costs,
    date_range,
    metric_names,
    metric_series,
    open_lake,
    owner_tag,
    score_by_scope,
    top_contributors,
)
from plangate.lake.ingest import ingest

pytestmark = needs_data


@pytest.fixture(scope="module")
def lake_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("lake") / "lake.duckdb"
    ingest(path, [FOCUS_SAMPLE, NAB_SERIES])
    return path


@pytest.fixture
def lake(lake_path):
    lake = open_lake(lake_path)
    yield lake
    lake.close()


@pytest.fixture(scope="module")
def raw():
    frame = pd.read_csv(FOCUS_SAMPLE, na_values=["NULL"], keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["ChargePeriodStart"]).dt.normalize()
    frame["tags"] = [json.loads(t) if isinstance(t, str) and t else {} for t in frame["Tags"]]
    frame["environment"] = [t.get("environment", MISSING) for t in frame["tags"]]
    frame["business_unit"] = [t.get("business_unit", MISSING) for t in frame["tags"]]
    frame["BilledCost"] = frame["BilledCost"].fillna(0.0)
    return frame


def test_daily_costs_by_column_and_tag_equal_pandas_over_the_raw_file(lake, raw):
    got = daily_costs(lake, ["ServiceName", "tag:environment"], dense=False)
    want = (raw.groupby(["date", "ServiceName", "environment"], as_index=False)["BilledCost"].sum()
            .rename(columns={"environment": "tag:environment", "BilledCost": "cost"}))
    merged = got.merge(want, on=["date", "ServiceName", "tag:environment"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert merged["cost_x"].to_numpy() == pytest.approx(merged["cost_y"].to_numpy(), rel=1e-9, abs=1e-15)
    assert list(got.columns) == ["date", "ServiceName", "tag:environment", "cost"]
    assert str(got["date"].dtype) == "datetime64[ns]"


def test_dense_daily_costs_give_every_scope_every_day(lake, raw):
    got = daily_costs(lake, ["ServiceName"])
    first, last = raw["date"].min(), raw["date"].max()
    days = (last - first).days + 1
    assert date_range(lake) == (first.date(), last.date())
    assert len(got) == days * raw["ServiceName"].nunique()
    assert got.groupby("ServiceName")["date"].agg(["min", "max", "count"]).eq(
        pd.Series({"min": first, "max": last, "count": days})).all().all()
    assert got["cost"].sum() == pytest.approx(raw["BilledCost"].sum(), rel=1e-12)
    # a day a service was not billed is a zero, not a gap
    sqs = got[got["ServiceName"] == "Amazon Simple Queue Service"]
    billed = set(raw.loc[raw["ServiceName"] == "Amazon Simple Queue Service", "date"])
    assert (sqs.loc[~sqs["date"].isin(billed), "cost"] == 0.0).all()


def test_window_filters_by_charge_day(lake, raw):
    start, end = dt.date(2024, 9, 10), dt.date(2024, 9, 12)
    got = daily_costs(lake, start=start, end=end)
    inside = raw[(raw["date"] >= pd.Timestamp(start)) & (raw["date"] <= pd.Timestamp(end))]
    assert list(got["date"].dt.date) == [start + dt.timedelta(days=i) for i in range(3)]
    assert got["cost"].sum() == pytest.approx(inside["BilledCost"].sum(), rel=1e-12)


def test_top_contributors_and_owner(lake, raw):
    start, end = dt.date(2024, 9, 1), dt.date(2024, 9, 30)
    scope = {"ServiceName": "Elastic Load Balancing"}
    rows = raw[(raw["ServiceName"] == "Elastic Load Balancing") & (raw["date"] <= pd.Timestamp(end))]
    want = rows.groupby("ResourceId")["BilledCost"].sum().sort_values(ascending=False)
    got = top_contributors(lake, scope, start, end, by="ResourceId", n=3)
    assert list(got.columns) == ["ResourceId", "cost"]
    assert got["cost"].tolist() == pytest.approx(want.iloc[:3].tolist(), rel=1e-9)
    assert got["ResourceId"].iloc[0] == want.index[0]
    bu = rows[rows["business_unit"] != MISSING].groupby("business_unit")["BilledCost"].sum()
    assert owner_tag(lake, scope, start, end, keys=("no-such-tag", "business_unit")) == bu.idxmax()
    assert owner_tag(lake, scope, start, end, keys=("no-such-tag",)) is None


def test_metric_series_round_trip(lake):
    assert NAB_SERIES.stem in metric_names(lake)
    got = metric_series(lake, NAB_SERIES.stem)
    want = pd.read_csv(NAB_SERIES, parse_dates=["timestamp"])
    assert list(got.columns) == ["timestamp", "value"]
    assert got["timestamp"].tolist() == want["timestamp"].tolist()
    assert got["value"].to_numpy() == pytest.approx(want["value"].to_numpy())
    with pytest.raises(PlangateError, match="not in the lake"):
        metric_series(lake, "nope")


def fit_summary(series):
    """A scope's dense series summarised: what a per-scope model sees."""
    return pd.DataFrame({"days": [len(series)], "total": [series["cost"].sum()],
                         "peak": [series["date"].iloc[int(series["cost"].to_numpy().argmax())]],
                         "ordered": [bool(series["date"].is_monotonic_increasing)]})


def test_score_by_scope_gives_fit_fn_each_dense_scope(lake, raw):
    schema = {"days": "long", "total": "double", "peak": "timestamp", "ordered": "boolean"}
    got = score_by_scope(lake, ["ProviderName"], fit_summary, schema)
    days = (raw["date"].max() - raw["date"].min()).days + 1
    assert got["ProviderName"].tolist() == sorted(raw["ProviderName"].unique())
    assert (got["days"] == days).all() and got["ordered"].all()
    per = raw.groupby("ProviderName")["BilledCost"].sum()
    assert got["total"].tolist() == pytest.approx(per.loc[got["ProviderName"]].tolist(), rel=1e-9)
    peak = raw.groupby(["ProviderName", "date"])["BilledCost"].sum().groupby(level=0).idxmax()
    assert [p[1] for p in peak.loc[got["ProviderName"]]] == got["peak"].tolist()


def test_bad_requests_are_one_line_errors(lake, tmp_path):
    with pytest.raises(PlangateError, match="not a lake column nor tag"):
        daily_costs(lake, ["NoSuchColumn"])
    with pytest.raises(PlangateError, match="bad schema"):
        score_by_scope(lake, ["ServiceName"], fit_summary, {"days": "int128"})
    with pytest.raises(PlangateError, match="no such lake"):
        open_lake(tmp_path / "missing.duckdb")
    with pytest.raises(PlangateError, match="--engine"):
        open_lake(FOCUS_SAMPLE, engine="trino")


def test_open_by_url(lake_path):
    lake = open_lake(f"duckdb://{lake_path}?read_only=true")
    try:
        assert daily_costs(lake)["cost"].sum() > 0
    finally:
        lake.close()


def test_a_folder_of_parquet_tables_reads_like_the_duckdb_file(lake, lake_path, tmp_path):
    from plangate.lake.spark import export_parquet

    folder = export_parquet(lake_path, tmp_path / "lake")
    assert sorted(p.name for p in folder.iterdir()) == ["costs", "metrics"]
    other = open_lake(folder)
    try:
        by = ["ServiceName", "tag:environment"]
        pd.testing.assert_frame_equal(daily_costs(other, by), daily_costs(lake, by))
        assert metric_names(other) == metric_names(lake)
    finally:
        other.close()
