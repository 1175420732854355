"""Fairness metrics on the real COMPAS, German credit and Adult files, against Fairlearn itself."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, PEERS_PYTHON, ROOT, needs_data, needs_peers

from plangate.assurance import fairness
from plangate.cli import main

FAIR = DATA / "fairness"
COMPAS = FAIR / "compas-scores-two-years.csv"
PEER = ROOT / "benchmarks" / "peer_fairlearn_metrics.py"
ADULT_COLUMNS = ["age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
                 "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country",
                 "income"]
GERMAN_COLUMNS = ["status", "duration", "credit_history", "purpose", "amount", "savings", "employment",
                  "installment_rate", "personal_status", "debtors", "residence", "property", "age",
                  "installment_plans", "housing", "credits", "job", "dependents", "telephone", "foreign", "credit"]
PERSONAL = ("name", "first", "last", "dob")
TOLERANCE = 1e-9


def fairlearn(path, *args) -> dict:
    out = subprocess.run([str(PEERS_PYTHON), str(PEER), str(path), *map(str, args)],
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout)


def ours(capsys, path, *args) -> dict:
    assert main(["fairness", str(path), *map(str, args), "--format", "json", "--bootstrap", "200"]) == 0
    return json.loads(capsys.readouterr().out)


def _key(group: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in group.items()))


def assert_equal_to_fairlearn(mine: dict, peer: dict) -> None:
    for name in fairness.METRICS:
        assert mine[name] == pytest.approx(peer[name], abs=TOLERANCE), name
    theirs = {_key(g["group"]): g for g in peer["groups"] if g["size"] > 0}
    assert {_key(g["group"]) for g in mine["groups"]} == set(theirs)
    for g in mine["groups"]:
        t = theirs[_key(g["group"])]
        assert g["size"] == t["size"]
        for m in ("selection_rate", "true_positive_rate", "false_positive_rate"):
            assert g[m] == pytest.approx(t[m], abs=TOLERANCE), (g["group"], m)


def _train_and_predict(frame: pd.DataFrame, features: list[str], label: np.ndarray) -> np.ndarray:
    """A real model's decisions: a logistic regression on the numeric attributes."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(frame[features].to_numpy(float), label)
    return model.predict(frame[features].to_numpy(float))


@pytest.fixture(scope="module")
def adult_csv(tmp_path_factory):
    df = pd.read_csv(FAIR / "adult.data", header=None, names=ADULT_COLUMNS, skipinitialspace=True, na_values="?")
    df["high_income"] = (df["income"] == ">50K").astype(int)
    numeric = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    df["decision"] = _train_and_predict(df, numeric, df["high_income"].to_numpy())
    path = tmp_path_factory.mktemp("adult") / "adult_scored.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def german_csv(tmp_path_factory):
    df = pd.read_csv(FAIR / "german.data", sep=" ", header=None, names=GERMAN_COLUMNS)
    maps = json.loads((FAIR / "german_values_maps.json").read_text())
    assert "personal_status" in maps or maps  # the map file names the codes; A92 / A95 are women
    df["sex"] = np.where(df["personal_status"].isin(["A92", "A95"]), "female", "male")
    df["age_group"] = np.where(df["age"] >= 25, "25+", "under 25")
    df["good"] = (df["credit"] == 1).astype(int)
    numeric = ["duration", "amount", "installment_rate", "residence", "age", "credits", "dependents"]
    df["decision"] = _train_and_predict(df, numeric, df["good"].to_numpy())
    path = tmp_path_factory.mktemp("german") / "german_scored.csv"
    df.to_csv(path, index=False)
    return path


@needs_data
@needs_peers
@pytest.mark.parametrize("sensitive", [["race"], ["sex"], ["race", "sex"]])
def test_compas_equals_fairlearn(capsys, sensitive):
    """ProPublica's reading: a decile score of 5 or more is a medium / high risk decision."""
    flags = [a for s in sensitive for a in ("--sensitive", s)]
    args = ["--y-true", "two_year_recid", "--y-pred", "decile_score", "--y-pred-threshold", 5, *flags]
    every_group = ours(capsys, COMPAS, *args, "--min-group-size", 1)
    assert_equal_to_fairlearn(every_group, fairlearn(COMPAS, *args))
    guarded = ours(capsys, COMPAS, *args)
    assert_equal_to_fairlearn(guarded, fairlearn(COMPAS, *args, "--min-group-size", 30))


@needs_data
@needs_peers
@pytest.mark.parametrize("sensitive", [["sex"], ["race"], ["sex", "race"]])
def test_adult_equals_fairlearn(capsys, adult_csv, sensitive):
    flags = [a for s in sensitive for a in ("--sensitive", s)]
    args = ["--y-true", "high_income", "--y-pred", "decision", *flags]
    assert_equal_to_fairlearn(ours(capsys, adult_csv, *args, "--min-group-size", 1), fairlearn(adult_csv, *args))
    assert_equal_to_fairlearn(ours(capsys, adult_csv, *args), fairlearn(adult_csv, *args, "--min-group-size", 30))


@needs_data
@needs_peers
@pytest.mark.parametrize("sensitive", [["sex"], ["age_group"], ["sex", "age_group"]])
def test_german_credit_equals_fairlearn(capsys, german_csv, sensitive):
    flags = [a for s in sensitive for a in ("--sensitive", s)]
    args = ["--y-true", "good", "--y-pred", "decision", *flags]
    assert_equal_to_fairlearn(ours(capsys, german_csv, *args, "--min-group-size", 1), fairlearn(german_csv, *args))


@needs_data
def test_text_labels_take_a_positive_value(capsys, adult_csv):
    by_label = ours(capsys, adult_csv, "--y-true", "income", "--positive", ">50K", "--y-pred", "decision",
                    "--sensitive", "sex")
    by_code = ours(capsys, adult_csv, "--y-true", "high_income", "--y-pred", "decision", "--sensitive", "sex")
    for name in fairness.METRICS:
        assert by_label[name] == pytest.approx(by_code[name], abs=TOLERANCE)


@needs_data
def test_compas_personal_columns_are_never_printed(capsys, tmp_path):
    people = pd.read_csv(COMPAS, usecols=list(PERSONAL))
    out = tmp_path / "report.json"
    for fmt in ("json", "table"):
        assert main(["fairness", str(COMPAS), "--y-true", "two_year_recid", "--y-pred", "decile_score",
                     "--y-pred-threshold", "5", "--sensitive", "race", "--sensitive", "sex", "--format", fmt,
                     "-o", str(out)]) == 0
        text = out.read_text() + capsys.readouterr().out
        assert not any(name in text for name in people["name"].head(500))
        assert not any(dob in text for dob in people["dob"].head(500))
    # Asking for a personal column as a group is refused, even with no minimum group size.
    for column in ("name", "dob", "last"):
        for guard in ("30", "1"):
            assert main(["fairness", str(COMPAS), "--y-true", "two_year_recid", "--y-pred", "decile_score",
                         "--y-pred-threshold", "5", "--sensitive", column, "--min-group-size", guard]) == 2
            captured = capsys.readouterr()
            assert "identifies people" in captured.err or "fewer than two groups" in captured.err
            shown = captured.out + captured.err
            assert not any(v in shown for v in people[column].astype(str).head(500))


@needs_data
def test_small_groups_are_left_out_and_counted(capsys):
    report = ours(capsys, COMPAS, "--y-true", "two_year_recid", "--y-pred", "decile_score",
                  "--y-pred-threshold", 5, "--sensitive", "race")
    names = {g["group"]["race"] for g in report["groups"]}
    assert "Native American" not in names and "Asian" in names  # 18 and 32 rows
    assert report["suppressed_groups"] == 1 and report["suppressed_rows"] == 18
    assert report["four_fifths_rule"] == {"threshold": 0.8, "passed": False}
    lo, hi = report["confidence_intervals"]["demographic_parity_difference"]
    assert lo <= report["demographic_parity_difference"] <= hi


def test_bootstrap_by_multinomial_cells_matches_row_resampling():
    """Resampling cells is resampling rows: the same interval, up to Monte-Carlo error."""
    rng = np.random.default_rng(5)
    n = 4000
    group = rng.integers(0, 3, n)
    label = (rng.random(n) < 0.4).astype(int)
    pred = (rng.random(n) < 0.3 + 0.1 * group).astype(int)
    data = fairness.cells(label, pred, [group], [["a", "b", "c"]], ["g"])
    report = fairness.assess(data, fairness.FairnessOptions(min_group_size=1, bootstrap=4000, seed=1))
    lo, hi = report["confidence_intervals"]["demographic_parity_difference"]
    rows = rng.integers(0, n, (2000, n))
    sel = np.stack([(pred[rows] * (group[rows] == k)).sum(1) / (group[rows] == k).sum(1) for k in range(3)], 1)
    spread = sel.max(1) - sel.min(1)
    ref_lo, ref_hi = np.quantile(spread, [0.025, 0.975])
    assert lo == pytest.approx(ref_lo, abs=0.01) and hi == pytest.approx(ref_hi, abs=0.01)


def test_rates_follow_fairlearns_zero_division():
    counts = np.array([[5, 5, 0, 0], [3, 1, 2, 4]])  # group 0 has no actual positives
    r = fairness.rates(counts)
    assert r["true_positive_rate"][0] == 0.0 and r["selection_rate"][0] == 0.5


@pytest.mark.parametrize("args,says", [
    (["--y-true", "y", "--y-pred", "p", "--sensitive", "g"], "expected 0/1 values"),
    (["--y-true", "g", "--y-pred", "p", "--sensitive", "g"], "also the label"),
    (["--y-true", "y", "--y-pred", "p", "--sensitive", "nope"], "no column 'nope'"),
    (["--y-true", "y", "--y-pred", "p", "--sensitive", "g", "--y-pred-threshold", "0.5", "--min-group-size", "50"],
     "fewer than two groups"),
])
def test_bad_fairness_input_is_one_line_exit_2(tmp_path, capsys, args, says):
    path = tmp_path / "d.csv"
    pd.DataFrame({"y": [0, 1, 0, 1] * 10, "p": [0.1, 0.9, 0.4, 0.7] * 10, "g": ["a", "b"] * 20}).to_csv(path,
                                                                                                       index=False)
    assert main(["fairness", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and "Traceback" not in err


def test_a_positive_value_in_neither_column_is_refused_not_all_zero_rates(tmp_path, capsys):
    rng = np.random.default_rng(11)
    path = tmp_path / "d.csv"
    pd.DataFrame({"label": rng.choice(["Y", "N"], 400), "pred": ["N"] * 400,
                  "g": rng.choice(["a", "b"], 400)}).to_csv(path, index=False)
    argv = ["fairness", str(path), "--y-true", "label", "--y-pred", "pred", "--sensitive", "g", "--bootstrap", "20"]
    assert main([*argv, "--positive", "yes"]) == 2
    assert capsys.readouterr().err == (f"plangate: error: {path}: y_true and y_pred: no value equals --positive "
                                       "'yes', so there is nothing to compare (check --positive / --pred-positive / "
                                       "--y-pred-threshold)\n")
    # "Y" is a label: a model that selects nobody is a real answer (equal opportunity: both TPRs 0)
    assert main([*argv, "--positive", "Y", "-f", "json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert captured.err == "" and [g["selection_rate"] for g in report["groups"]] == [0.0, 0.0]
    assert report["demographic_parity_ratio"] is None and report["four_fifths_rule"]["passed"] is False
