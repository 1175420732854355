"""Bad billing files: one line on stderr naming the file and the column, exit 2, and the lake just
as it was.  The bad files are the real samples with one thing broken."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import needs_data
from lake_testing import CUR_SAMPLE, FOCUS_SAMPLE, NAB_SERIES, lake_digest

from plangate.cli import main
from plangate.lake.ingest import ingest

pytestmark = needs_data


def mutated(source, path, *, drop=None, change=None, rows=None):
    """Write ``source`` to ``path`` with a column dropped, or ``change(row_index, row)`` applied."""
    with open(source, newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    fields = [f for f in table[0] if f != drop]
    table = table[:rows] if rows is not None else table
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for i, row in enumerate(table):
        if change:
            change(i, row)
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def set_at(index, column, value):
    def change(i, row):
        if i == index:
            row[column] = value
    return change


def set_all(column, value):
    def change(i, row):
        row[column] = value
    return change


@pytest.fixture
def lake(tmp_path):
    path = tmp_path / "lake.duckdb"
    ingest(path, [CUR_SAMPLE, NAB_SERIES])
    return path


CASES = [
    # (id, source, how to break it, text the one line must hold)
    ("missing-mandatory-column", FOCUS_SAMPLE, {"drop": "ServiceName"}, "missing mandatory FOCUS column 'ServiceName'"),
    ("missing-cost-column", FOCUS_SAMPLE, {"drop": "BillingPeriodStart"}, "'BillingPeriodStart'"),
    ("text-where-cost-belongs", FOCUS_SAMPLE, {"change": set_all("BilledCost", "n/a")},
     "column 'BilledCost', line 2: 'n/a' is not a number"),
    ("one-bad-cost-late", FOCUS_SAMPLE, {"change": set_at(700, "BilledCost", "12,5")},
     "column 'BilledCost', line 702: '12,5' is not a number"),
    ("wrong-type-timestamp", FOCUS_SAMPLE, {"change": set_at(10, "ChargePeriodStart", "yesterday")},
     "column 'ChargePeriodStart', line 12: 'yesterday' is not a timestamp"),
    ("infinite-cost", FOCUS_SAMPLE, {"change": set_at(3, "BilledCost", "inf")}, "column 'BilledCost'"),
    ("huge-cost", FOCUS_SAMPLE, {"change": set_at(3, "BilledCost", "1e400")}, "column 'BilledCost'"),
    ("tags-not-json", FOCUS_SAMPLE, {"change": set_at(5, "Tags", "team=ml")}, "column 'Tags', line 7"),
    ("header-only", FOCUS_SAMPLE, {"rows": 0}, "no rows"),
    ("cur-text-cost", CUR_SAMPLE, {"change": set_at(0, "lineItem/UnblendedCost", "free")},
     "column 'lineItem/UnblendedCost', line 2: 'free' is not a number"),
    ("cur-missing-cost", CUR_SAMPLE, {"drop": "lineItem/UnblendedCost"},
     "missing mandatory CUR column 'lineItem/UnblendedCost'"),
    ("cur-bad-date", CUR_SAMPLE, {"change": set_at(4, "lineItem/UsageStartDate", "2023-13-45")},
     "column 'lineItem/UsageStartDate', line 6"),
    ("metric-bad-value", NAB_SERIES, {"change": set_at(2, "value", "high")}, "column 'value', line 4"),
    ("metric-bad-time", NAB_SERIES, {"change": set_at(0, "timestamp", "noon")}, "column 'timestamp', line 2"),
    # finite but out of range: accepted once, then anomalies / forecast crashed on them
    ("date-in-year-9999", FOCUS_SAMPLE, {"change": set_at(30, "ChargePeriodStart", "9999-12-31 00:00:00")},
     "column 'ChargePeriodStart', line 32: '9999-12-31 00:00:00' is not a time from 1970-01-01 up to 2200-01-01"),
    ("cost-1e308", FOCUS_SAMPLE, {"change": set_at(30, "BilledCost", "1e308")},
     "column 'BilledCost', line 32: '1e308' is not a finite number within ±1e+15"),
    ("huge-negative-list-cost", FOCUS_SAMPLE, {"change": set_at(8, "ListCost", "-2e300")},
     "column 'ListCost', line 10: '-2e300' is not a finite number within ±1e+15"),
    ("billing-period-before-1970", FOCUS_SAMPLE, {"change": set_at(1, "BillingPeriodEnd", "1900-01-01 00:00:00")},
     "column 'BillingPeriodEnd', line 3: '1900-01-01 00:00:00' is not a time from 1970-01-01 up to 2200-01-01"),
    ("cur-date-9999", CUR_SAMPLE, {"change": set_at(4, "lineItem/UsageStartDate", "9999-12-31T00:00:00Z")},
     "column 'lineItem/UsageStartDate', line 6: '9999-12-31T00:00:00Z' is not a time"),
    ("cur-cost-1e308", CUR_SAMPLE, {"change": set_at(4, "lineItem/UnblendedCost", "1e308")},
     "column 'lineItem/UnblendedCost', line 6: '1e308' is not a finite number"),
    ("metric-huge-value", NAB_SERIES, {"change": set_at(2, "value", "1e300")},
     "column 'value', line 4: '1e300' is not a finite number within ±1e+15"),
    ("metric-year-9999", NAB_SERIES, {"change": set_at(3, "timestamp", "9999-12-31 00:00:00")},
     "column 'timestamp', line 5: '9999-12-31 00:00:00' is not a time from 1970-01-01 up to 2200-01-01"),
]


@pytest.mark.parametrize("source,how,says", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_file_one_line_exit_2_lake_unchanged(lake, tmp_path, capsys, source, how, says):
    bad = mutated(source, tmp_path / f"bad{source.suffix}", **how)
    before = lake_digest(lake)
    assert main(["ingest", str(CUR_SAMPLE), str(bad), "--lake", str(lake)]) == 2  # a good file first, too
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"plangate: error: {bad}: "), lines[0]
    assert says in lines[0]
    assert captured.out == ""
    assert lake_digest(lake) == before


@pytest.mark.parametrize("content,says", [
    (b"", "empty file"),
    (b"\x00\x01\x02garbage\xff\xfe\n\x00", "not"),
    (b"name,amount\nfoo,1\n", "not a FOCUS, AWS CUR or timestamp,value file"),
    (b"billedcost,x\n1,2\n", "case-sensitive"),
], ids=["empty", "binary", "unknown-columns", "wrong-case"])
def test_unreadable_or_unknown_files(lake, tmp_path, capsys, content, says):
    bad = tmp_path / "bill.csv"
    bad.write_bytes(content)
    before = lake_digest(lake)
    assert main(["ingest", str(bad), "--lake", str(lake)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and f"{bad}: " in err[0] and says in err[0], err
    assert lake_digest(lake) == before


def test_missing_file_and_directory(lake, tmp_path, capsys):
    for target, says in ((tmp_path / "nope.csv", "cannot read"), (tmp_path, "is a directory")):
        assert main(["ingest", str(target), "--lake", str(lake)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and str(target) in err[0] and says in err[0]


def test_a_failed_first_ingest_leaves_no_lake(tmp_path, capsys):
    bad = mutated(FOCUS_SAMPLE, tmp_path / "bad.csv", drop="BilledCost")
    lake = tmp_path / "new" / "lake.duckdb"
    assert main(["ingest", str(bad), "--lake", str(lake)]) == 2
    assert not lake.exists()
    assert "bad.csv" in capsys.readouterr().err


def test_a_lake_that_is_not_a_regular_file(tmp_path, capsys):
    import os

    fifo = tmp_path / "lake.fifo"
    os.mkfifo(fifo)
    assert main(["ingest", str(CUR_SAMPLE), "--lake", str(fifo)]) == 2
    assert "regular DuckDB file" in capsys.readouterr().err
    assert fifo.exists()
    not_a_lake = tmp_path / "notes.txt"
    not_a_lake.write_text("hello\n")
    assert main(["ingest", str(CUR_SAMPLE), "--lake", str(not_a_lake)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "cannot open the lake" in err[0]
    assert not_a_lake.read_text() == "hello\n"


def test_parquet_with_tags_that_are_not_json(lake, tmp_path, capsys):
    import duckdb

    text = mutated(FOCUS_SAMPLE, tmp_path / "focus.csv", change=set_at(41, "Tags", "{team: ml"))
    parquet = tmp_path / "focus.parquet"
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{text}', all_varchar = true, nullstr = 'NULL')) "
                             f"TO '{parquet}' (FORMAT parquet)")
    before = lake_digest(lake)
    assert main(["ingest", str(parquet), "--lake", str(lake)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"plangate: error: {parquet}: column 'Tags', row 42: '{{team: ml' is not a JSON object of tags"
    assert lake_digest(lake) == before


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_column_named_twice_is_bad_input(lake, tmp_path, capsys, suffix):
    """DuckDB would read the second BilledCost as BilledCost_1 and the lake would take the first: refused."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(FOCUS_SAMPLE, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    doubled = table.append_column(pa.field("BilledCost", table.schema.field("BilledCost").type),
                                  table.column("BilledCost"))
    bad = tmp_path / f"doubled{suffix}"
    if suffix == ".csv":
        pacsv.write_csv(doubled, bad)
    else:
        pq.write_table(doubled, bad)
    before = lake_digest(lake)
    assert main(["ingest", str(bad), "--lake", str(lake)]) == 2
    assert capsys.readouterr().err == f"plangate: error: {bad}: column 'BilledCost' appears twice in the header\n"
    assert lake_digest(lake) == before


def test_a_column_named_twice_in_another_case_is_bad_input(lake, tmp_path, capsys):
    text = FOCUS_SAMPLE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "cased.csv"
    bad.write_text("\n".join([text[0] + ",SERVICENAME", *(line + ",x" for line in text[1:])]) + "\n")
    assert main(["ingest", str(bad), "--lake", str(lake)]) == 2
    assert capsys.readouterr().err == (f"plangate: error: {bad}: column 'SERVICENAME' appears twice in the header "
                                       "(as 'ServiceName')\n")
