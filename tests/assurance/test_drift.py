"""Drift on NannyML's California housing windows, judged against Evidently on the same data."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, PEERS_PYTHON, ROOT, needs_data, needs_peers
from scipy import stats

from plangate.assurance import stattests
from plangate.assurance.drift import DriftOptions, detect
from plangate.assurance.tables import read_window
from plangate.cli import main

SHIFT = DATA / "drift_shift"
REFERENCE = SHIFT / "california_housing_reference.csv"
ANALYSIS = SHIFT / "california_housing_analysis.csv"
FEATURES = ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude"]
PREDICTIONS = ["y_pred_proba", "y_pred"]
PEER = ROOT / "benchmarks" / "peer_evidently_drift.py"


def evidently(reference, current, columns) -> dict:
    out = subprocess.run([str(PEERS_PYTHON), str(PEER), str(reference), str(current), "--columns", ",".join(columns)],
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout)


def plangate_json(capsys, *argv) -> dict:
    assert main(["drift", *map(str, argv), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def by_name(features) -> dict:
    return {f["name"]: f for f in features}


def assert_same_verdicts(ours: dict, peer: dict) -> None:
    mine, theirs = by_name(ours["features"]), by_name(peer["features"])
    assert mine.keys() == theirs.keys()
    for name, f in mine.items():
        t = theirs[name]
        assert (f["type"], f["test"], f["threshold"], f["drifted"]) == (t["type"], t["test"], t["threshold"],
                                                                        t["drifted"]), name
        assert f["statistic"] == pytest.approx(t["statistic"], rel=1e-9, abs=1e-12), name
    assert ours["dataset_drift"] == peer["dataset_drift"]


@needs_data
def test_the_real_shift_is_flagged(capsys):
    out = plangate_json(capsys, "--reference", REFERENCE, "--current", ANALYSIS,
                        "--exclude", "id,timestamp,clf_target", "--prediction", ",".join(PREDICTIONS))
    features = by_name(out["features"])
    assert list(features) == FEATURES
    # The windows split the rows geographically (SOURCES.md): location shifts most.
    assert features["Latitude"]["drifted"] and features["Longitude"]["drifted"]
    assert features["Latitude"]["statistic"] > 1 and features["Longitude"]["statistic"] > 1
    assert not features["AveBedrms"]["drifted"] and not features["Population"]["drifted"]
    assert all(f["test"] == "wasserstein" and f["threshold"] == 0.1 for f in out["features"])
    assert out["dataset_drift"] is True and out["number_of_drifted_features"] == 5
    assert out["prediction_drift"] is True
    assert by_name(out["predictions"])["y_pred"]["test"] == "jensenshannon"


@needs_data
@needs_peers
def test_verdicts_equal_evidentlys_on_the_shifted_windows(capsys):
    columns = FEATURES + PREDICTIONS
    ours = plangate_json(capsys, "--reference", REFERENCE, "--current", ANALYSIS, "--features", ",".join(columns))
    assert_same_verdicts(ours, evidently(REFERENCE, ANALYSIS, columns))


@needs_data
@needs_peers
def test_two_random_halves_of_the_reference_do_not_drift(tmp_path, capsys):
    ref = pd.read_csv(REFERENCE)
    order = np.random.default_rng(20240601).permutation(len(ref))
    half = len(ref) // 2
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    ref.iloc[order[:half]].to_csv(a, index=False)
    ref.iloc[order[half:]].to_csv(b, index=False)
    columns = FEATURES + PREDICTIONS
    ours = plangate_json(capsys, "--reference", a, "--current", b, "--features", ",".join(columns))
    assert not any(f["drifted"] for f in ours["features"])
    assert ours["dataset_drift"] is False
    assert_same_verdicts(ours, evidently(a, b, columns))


@needs_data
@needs_peers
def test_small_windows_take_ks_chisquare_and_z_as_evidently_does(tmp_path, capsys):
    """References of at most 1000 rows: KS for numbers, chi-square for 3+ categories, z for two."""
    ref, cur = pd.read_csv(REFERENCE).iloc[:800], pd.read_csv(ANALYSIS).iloc[:600]
    for frame in (ref, cur):
        frame["age_band"] = pd.cut(frame["HouseAge"], [0, 15, 30, 45, 60], labels=["new", "mid", "old", "oldest"]
                                   ).astype(str)
        frame["rooms"] = np.clip(frame["AveRooms"].round().astype(int), 3, 6)  # 4 integer values: categorical
    columns = ["MedInc", "Latitude", "HouseAge", "age_band", "rooms", "y_pred"]
    a, b = tmp_path / "ref.csv", tmp_path / "cur.csv"
    ref[columns].to_csv(a, index=False)
    cur[columns].to_csv(b, index=False)
    ours = plangate_json(capsys, "--reference", a, "--current", b)
    tests = {f["name"]: f["test"] for f in ours["features"]}
    assert tests == {"MedInc": "ks", "Latitude": "ks", "HouseAge": "ks", "age_band": "chisquare",
                     "rooms": "chisquare", "y_pred": "z"}
    assert_same_verdicts(ours, evidently(a, b, columns))


@needs_data
@needs_peers
def test_few_valued_numbers_in_large_windows_take_jensen_shannon(tmp_path, capsys):
    ref, cur = pd.read_csv(REFERENCE), pd.read_csv(ANALYSIS)
    for frame in (ref, cur):
        frame["lat_band"] = (frame["Latitude"] // 2).astype(float)  # 5 or fewer float values
    columns = ["lat_band", "AveOccup"]
    a, b = tmp_path / "ref.csv", tmp_path / "cur.csv"
    ref[columns].to_csv(a, index=False)
    cur[columns].to_csv(b, index=False)
    ours = plangate_json(capsys, "--reference", a, "--current", b)
    assert by_name(ours["features"])["lat_band"]["test"] == "jensenshannon"
    assert_same_verdicts(ours, evidently(a, b, columns))


@pytest.mark.parametrize("n,m,ties", [(1000, 1000, False), (1500, 1500, True), (3000, 1700, False), (2500, 999, True),
                                      (1, 7, True)])
def test_wasserstein_equals_scipys(n, m, ties):
    rng = np.random.default_rng(n + m)
    u, v = rng.normal(0, 1, n), rng.gamma(2.0, 1.0, m)
    if ties:
        u, v = np.round(u, 1), np.round(v, 1)
    got = stattests.wasserstein_sorted(np.sort(u), np.sort(v))
    assert got == pytest.approx(stats.wasserstein_distance(u, v), rel=1e-12, abs=1e-15)


def test_bins_read_off_sorted_values_equal_numpys_histogram():
    rng = np.random.default_rng(7)
    values = np.round(rng.normal(0, 3, 5000), 2)
    edges = np.histogram_bin_edges(values, bins="sturges")
    assert (stattests._binned(np.sort(values), edges) == np.histogram(values, edges)[0]).all()


def test_options_choose_the_test_and_threshold():
    import pyarrow as pa

    rng = np.random.default_rng(3)
    ref = {"x": pa.chunked_array([rng.normal(0, 1, 3000)])}
    cur = {"x": pa.chunked_array([rng.normal(0.05, 1, 3000)])}
    default = detect(ref, cur).features[0]
    assert (default.test, default.threshold, default.drifted) == ("wasserstein", 0.1, False)
    strict = detect(ref, cur, options=DriftOptions(method="ks", threshold=0.5)).features[0]
    assert strict.test == "ks" and strict.threshold == 0.5
    assert strict.statistic == pytest.approx(stats.ks_2samp(ref["x"].to_numpy(), cur["x"].to_numpy()).pvalue)
    assert strict.drifted == (strict.statistic <= 0.5)
    psi = detect(ref, cur, options=DriftOptions(per_feature_method={"x": "psi"})).features[0]
    assert psi.test == "psi" and psi.statistic == pytest.approx(default.psi)


def test_ks_on_a_categorical_feature_is_refused():
    import pyarrow as pa

    from plangate.errors import PlangateError

    ref = {"c": pa.chunked_array([pa.array(["a", "b"] * 10)])}
    with pytest.raises(PlangateError, match="needs a numerical feature"):
        detect(ref, ref, options=DriftOptions(method="ks"))


def test_parquet_windows_read_only_the_columns_asked_for(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "w.parquet"
    pq.write_table(pa.table({"a": np.arange(10.0), "b": np.arange(10), "secret": ["x"] * 10}), path)
    window = read_window(str(path), ["a", "b"])
    assert list(window.columns) == ["a", "b"] and window.rows == 10


@pytest.mark.parametrize("content,says", [
    (None, "no such file"),
    ("", "not a readable CSV table"),
    ("a,b\n", "holds no rows"),
    ("a,b\n1,2\n3,4,5\n", "not a readable CSV table"),
])
def test_bad_windows_are_one_line_exit_2(tmp_path, capsys, content, says):
    bad = tmp_path / "bad.csv"
    if content is not None:
        bad.write_text(content)
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,2\n")
    assert main(["drift", "--reference", str(good), "--current", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and says in err and "Traceback" not in err


def test_a_row_that_breaks_the_csv_is_not_echoed(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,score\nalice,1\nbob smith,2,1999-01-01\n")
    assert main(["drift", "--reference", str(bad), "--current", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bob" not in err and "1999" not in err


def test_a_missing_column_is_named(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,2\n")
    assert main(["drift", "--reference", str(good), "--current", str(good), "--features", "a,zz"]) == 2
    assert "no column 'zz'" in capsys.readouterr().err


def test_fail_on_drift_sets_exit_1(tmp_path):
    rng = np.random.default_rng(1)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame({"x": rng.normal(0, 1, 2000)}).to_csv(a, index=False)
    pd.DataFrame({"x": rng.normal(3, 1, 2000)}).to_csv(b, index=False)
    assert main(["drift", "--reference", str(a), "--current", str(b), "-o", str(tmp_path / "r.txt")]) == 0
    assert main(["drift", "--reference", str(a), "--current", str(b), "--fail-on-drift", "-o",
                 str(tmp_path / "r.txt")]) == 1
    assert "DRIFT" in (tmp_path / "r.txt").read_text()


@needs_data
def test_a_csv_window_spilled_to_parquet_gives_the_same_report(monkeypatch, capsys):
    """Windows larger than SPILL_BYTES are streamed to Parquet and read a column at a time."""
    from plangate.assurance import tables

    argv = ["--reference", REFERENCE, "--current", ANALYSIS, "--exclude", "id,timestamp,clf_target"]
    whole = plangate_json(capsys, *argv)
    monkeypatch.setattr(tables, "SPILL_BYTES", 0)
    monkeypatch.setattr(tables, "_BLOCK", 1 << 16)  # many blocks
    window = read_window(str(ANALYSIS))
    assert isinstance(window.columns, tables.ParquetColumns) and window.rows == 8232
    assert plangate_json(capsys, *argv) == whole


def test_a_parquet_window_reads_a_column_only_when_it_is_tested(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from plangate.assurance import tables

    path = tmp_path / "w.parquet"
    pq.write_table(pa.table({"a": np.arange(2000.0), "b": np.arange(2000.0)}), path)
    reads = []
    real = pq.ParquetFile.read
    monkeypatch.setattr(pq.ParquetFile, "read", lambda self, columns=None, **kw: reads.append(columns)
                        or real(self, columns=columns, **kw))
    window = tables.read_window(str(path))
    assert reads == [] and window.rows == 2000 and "b" in window.columns
    detect(window.columns, window.columns, features=["a"])
    assert reads == [["a"], ["a"]]


def test_a_csv_whose_types_change_after_the_first_block_says_so(tmp_path, monkeypatch, capsys):
    from plangate.assurance import tables

    monkeypatch.setattr(tables, "SPILL_BYTES", 0)
    monkeypatch.setattr(tables, "_BLOCK", 1 << 12)
    path = tmp_path / "w.csv"
    path.write_text("x\n" + "1\n" * 5000 + "oops\n")
    assert main(["drift", "--reference", str(path), "--current", str(path)]) == 2
    err = capsys.readouterr().err
    assert "convert the window to Parquet" in err and "oops" not in err


def test_untestable_columns_are_skipped_with_the_reason(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    rows = 40
    pd.DataFrame({"x": np.arange(rows, dtype=float), "note": [f"free text {i}" for i in range(rows)],
                  "empty": [np.nan] * rows}).to_csv(a, index=False)
    pd.DataFrame({"x": np.arange(rows, dtype=float) + 0.5, "note": [f"other {i}" for i in range(rows)],
                  "empty": [1.0] * rows}).to_csv(b, index=False)
    out = plangate_json(capsys, "--reference", a, "--current", b)
    assert [f["name"] for f in out["features"]] == ["x"]
    assert {s["name"]: s["reason"] for s in out["skipped"]} == {
        "note": "free text (more than half the values are distinct)",
        "empty": "no values in the reference window"}
    assert main(["drift", "--reference", str(a), "--current", str(b), "--features", "note,empty"]) == 2
    assert "no column could be tested" in capsys.readouterr().err


@pytest.mark.parametrize("n,m,scale", [(5000, 3000, 1.0), (1000, 1, 1e-9), (20, 30, 1e12), (2, 2, 0.0)])
def test_sturges_edges_from_the_sorted_ends_equal_numpys(n, m, scale):
    rng = np.random.default_rng(n)
    u, v = np.sort(rng.normal(0, 1, n) * scale + 3), np.sort(rng.gamma(2, 1, m) * scale + 3)
    expected = np.histogram_bin_edges(np.concatenate([u, v]), bins="sturges")
    assert np.array_equal(stattests.sturges_edges(u, v), expected)


# -- the adversarial trial's wrong answers (issue 21) -------------------------------------------------

def _windows(tmp_path, ref: dict, cur: dict):
    a, b = tmp_path / "ref.csv", tmp_path / "cur.csv"
    pd.DataFrame(ref).to_csv(a, index=False)
    pd.DataFrame(cur).to_csv(b, index=False)
    return a, b


def test_a_reference_of_1e308_drifts_instead_of_overflowing_to_ok(tmp_path, capsys):
    rng = np.random.default_rng(5)
    a, b = _windows(tmp_path, {"x": np.full(2000, 1e308), "y": rng.normal(0, 1, 2000)},
                    {"x": rng.normal(0, 1, 2000), "y": rng.normal(0, 1, 2000)})
    assert main(["drift", "--reference", str(a), "--current", str(b), "--fail-on-drift", "-f", "json"]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""  # no numpy overflow warning either
    x = by_name(json.loads(captured.out)["features"])["x"]
    assert (x["test"], x["drifted"]) == ("wasserstein", True) and x["statistic"] > 100


def test_huge_values_are_tested_as_their_scaled_down_selves():
    import pyarrow as pa

    rng = np.random.default_rng(6)
    ref, cur = rng.normal(0, 1, 3000), rng.normal(0.3, 1, 3000)
    plain = detect({"x": pa.chunked_array([ref])}, {"x": pa.chunked_array([cur])}).features[0]
    huge = detect({"x": pa.chunked_array([ref * 2.0**1000])}, {"x": pa.chunked_array([cur * 2.0**1000])}).features[0]
    assert (huge.test, huge.drifted) == (plain.test, plain.drifted)
    assert huge.statistic == pytest.approx(plain.statistic, rel=1e-12)
    assert huge.psi == pytest.approx(plain.psi, rel=1e-12)


def test_a_one_row_reference_is_not_no_drift(tmp_path, capsys):
    rng = np.random.default_rng(7)
    a, b = _windows(tmp_path, {"x": [5.0]}, {"x": rng.normal(0, 1, 500)})
    assert main(["drift", "--reference", str(a), "--current", str(b), "--fail-on-drift"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"plangate: error: {b}: no column could be tested (x: only 1 value in the reference "
                            "window (a test needs 10))\n")


def test_a_shifted_numeric_column_with_one_typo_is_refused_not_skipped(tmp_path, capsys):
    rng = np.random.default_rng(8)
    shifted = [str(v) for v in rng.normal(5, 1, 500)]
    shifted[3] = "oops"
    a, b = _windows(tmp_path, {"x": rng.normal(0, 1, 500)}, {"x": shifted})
    for ref, cur, bad in ((a, b, b), (b, a, b)):  # the typo in either window
        assert main(["drift", "--reference", str(ref), "--current", str(cur), "--fail-on-drift"]) == 2
        assert capsys.readouterr().err == (f"plangate: error: {bad}: column 'x', row 4: not a number, while the "
                                           "column's other values are (fix the value, or leave the column out "
                                           "with --exclude)\n")


def test_text_with_a_few_numbers_is_still_text():
    import pyarrow as pa

    from plangate.assurance.drift import numeric_typo

    assert numeric_typo(pa.chunked_array([["a", "b", "7"] * 10])) is None
    assert numeric_typo(pa.chunked_array([["1.5", "2", None, "x"] + ["3"] * 200])) == 3
    assert numeric_typo(pa.chunked_array([np.arange(5.0)])) is None


def test_assure_refuses_a_drift_report_that_tested_nothing(tmp_path, capsys):
    report = tmp_path / "drift.json"
    report.write_text(json.dumps({"features": [], "predictions": [], "share_of_drifted_features": 0.0,
                                  "dataset_drift": False, "skipped": []}))
    assert main(["assure", "--model-id", "m", "--risk-tier", "high", "--drift", str(report)]) == 2
    assert capsys.readouterr().err == (f"plangate: error: {report}: the drift report tested no feature and no "
                                       "prediction\n")
