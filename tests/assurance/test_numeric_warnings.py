"""Degenerate inputs give our warning in words, naming the column or group, never numpy's RuntimeWarning."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from plangate.cli import main
from plangate.cli.common import numeric_warnings


def _run(capsys, argv: list[str]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a raw one would fail the command, not pass unseen
        assert main(argv) == 0
    err = capsys.readouterr().err
    assert "RuntimeWarning" not in err and "Traceback" not in err
    return err


def test_a_constant_feature_is_named(tmp_path, capsys):
    for name in ("ref.csv", "cur.csv"):
        pd.DataFrame({"flat": [3.5] * 40, "moving": np.arange(40.0)}).to_csv(tmp_path / name, index=False)
    err = _run(capsys, ["drift", "--reference", str(tmp_path / "ref.csv"), "--current", str(tmp_path / "cur.csv"),
                        "-f", "json"])
    assert err == "plangate: warning: drift: feature 'flat' holds one value in both windows: no drift, by convention\n"


def test_groups_without_a_positive_label_are_named(tmp_path, capsys):
    path = tmp_path / "d.csv"
    pd.DataFrame({"y": [0] * 80, "p": [0, 1] * 40, "g": ["a", "b"] * 40}).to_csv(path, index=False)
    err = _run(capsys, ["fairness", str(path), "--y-true", "y", "--y-pred", "p", "--sensitive", "g",
                        "--min-group-size", "10", "--bootstrap", "30", "--positive", "1"])
    assert err.splitlines() == [
        "plangate: warning: fairness: group g=a has no positive label: its true positive rate is undefined and "
        "counted as 0 (as Fairlearn does)",
        "plangate: warning: fairness: group g=b has no positive label: its true positive rate is undefined and "
        "counted as 0 (as Fairlearn does)"]


def test_an_ordinary_input_says_nothing(tmp_path, capsys):
    rng = np.random.default_rng(1)
    path = tmp_path / "d.csv"
    pd.DataFrame({"y": rng.integers(0, 2, 400), "p": rng.integers(0, 2, 400),
                  "g": rng.choice(["a", "b"], 400)}).to_csv(path, index=False)
    assert _run(capsys, ["fairness", str(path), "--y-true", "y", "--y-pred", "p", "--sensitive", "g",
                         "--bootstrap", "30"]) == ""


def test_a_stray_runtime_warning_becomes_one_worded_line(capsys):
    with numeric_warnings():
        for _ in range(3):  # said once
            np.log(np.array([-1.0]))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("plangate: warning: numeric trouble in ")
    assert "invalid value encountered in log" in err and "RuntimeWarning" not in err


def test_other_warnings_pass_through(recwarn):
    with numeric_warnings():
        warnings.warn("kept", DeprecationWarning, stacklevel=1)
    assert [str(w.message) for w in recwarn] == ["kept"]
