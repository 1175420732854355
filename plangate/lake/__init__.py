"""The billing lake: FOCUS / AWS CUR billing and metric series in an embedded DuckDB file
(``plangate ingest``), read through one portable query layer (Ibis) on DuckDB or Spark.

The query API analytics build on (stable; see ``plangate.lake.query`` for details)::

    from plangate.lake import open_lake, daily_costs, top_contributors, owner_tag, metric_series, score_by_scope

    lake = open_lake(".plangate/lake.duckdb")            # or engine="spark", or an ibis URL
    daily = daily_costs(lake, ["ServiceName", "tag:team"])  # [date, ServiceName, tag:team, cost], dense days
    top = top_contributors(lake, {"ServiceName": "Amazon S3"}, start, end, by="ResourceId")  # or "x_UsageType"
    owner = owner_tag(lake, {"ServiceName": "Amazon S3"}, start, end)   # "owner"/"team" tag, or None
    series = metric_series(lake, "ec2_cpu_utilization_24ae8d")           # [timestamp, value]
    scored = score_by_scope(lake, ["ServiceName"], fit_fn, {"start": "timestamp", "score": "double"})

``score_by_scope`` runs ``fit_fn`` per scope here on DuckDB and via ``applyInPandas`` on Spark.
Scopes are FOCUS column names or ``tag:<key>``; missing values are the scope ``"(none)"``.
Writing the lake (``plangate.lake.ingest``) is DuckDB's job; reading it is engine-neutral.
"""

from __future__ import annotations

from plangate.lake.query import (
    DEFAULT_LAKE,
    MISSING,
    Lake,
    daily_costs,
    daily_expr,
    date_range,
    metric_names,
    metric_series,
    missing_tags,
    open_lake,
    owner_tag,
    scope_value,
    score_by_scope,
    top_contributors,
)

__all__ = ["DEFAULT_LAKE", "MISSING", "Lake", "daily_costs", "daily_expr", "date_range", "metric_names",
           "metric_series", "missing_tags", "open_lake", "owner_tag", "score_by_scope", "scope_value",
           "top_contributors"]
