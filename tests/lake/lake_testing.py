"""What the lake tests share: a digest of everything a lake holds, and the real samples' paths."""

from __future__ import annotations

from pathlib import Path

from conftest import DATA

FOCUS_SAMPLE = DATA / "focus" / "focus_1_0_sample_1000.csv"
CUR_SAMPLE = DATA / "aws_cur" / "legacy_cur_sample_anonymous.csv"
NAB_SERIES = DATA / "nab" / "realAWSCloudwatch" / "ec2_cpu_utilization_24ae8d.csv"
MSFT_SERIES = DATA / "msft_cloud_monitoring" / "data-ingress-rate" / "ingress-01.csv"


def lake_digest(lake: Path) -> dict[str, tuple[int, str]]:
    """Row count and an order-free digest of every row, per table: equal digests, equal lakes."""
    import duckdb

    con = duckdb.connect(str(lake), read_only=True)
    try:
        return {table: con.execute(
            f"SELECT count(*), coalesce(md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))), '') "
            f"FROM {table} t").fetchone() for table in ("costs", "metrics", "ingests")}
    finally:
        con.close()
