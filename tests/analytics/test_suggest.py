"""``plangate suggest``: budgets from forecasts and right-sizing notes, as a diff that applies and
leaves a valid plangate.yaml with its comments."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import numpy as np
import pytest
from analytics_testing import plan_file, report_lines, series_file
from conftest import DATA, needs_data

from plangate import policy
from plangate.analytics.records import Forecast
from plangate.analytics.suggest import budget_suggestions, edit_config, nice_ceiling, unified_diff
from plangate.cli import main
from plangate.rules import RULES

KEPT = "# owned by FinOps; reviewed monthly\non_unknown: warn\nrules:\n  monthly-budget:\n    stack: 10  # Q3 figure\n"


def _forecast(scope: str, high: float) -> Forecast:
    day = dt.date(2026, 11, 1)
    return Forecast(scope, day, day, 1.0, high * 0.9, high * 0.8, high)


def test_nice_ceilings_round_up():
    assert [nice_ceiling(v) for v in (1504.8, 86.21, 0.0123, 1000)] == [1510, 86.3, 0.0123, 1000]
    assert budget_suggestions([_forecast("stack", 1254.0), _forecast("Project=fraud", 400)], 0.2) == {
        "stack": 1510, "Project=fraud": 480}


def _apply(tmp_path, old: str, diff: str) -> str:
    target = tmp_path / "repo"
    target.mkdir(exist_ok=True)
    (target / "plangate.yaml").write_text(old)
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    patch = tmp_path / "change.diff"
    patch.write_text(diff)
    subprocess.run(["git", "apply", "--unsafe-paths", "--directory", "", str(patch)], cwd=target, check=True,
                   capture_output=True)
    return (target / "plangate.yaml").read_text()


def test_the_diff_applies_keeps_comments_and_is_a_valid_policy(tmp_path):
    new = edit_config(KEPT, "plangate.yaml", {"stack": 1510, "Project=fraud": 480})
    diff = unified_diff(KEPT, new, "plangate.yaml")
    assert diff.startswith("--- a/plangate.yaml\n+++ b/plangate.yaml\n")
    assert "-    stack: 10  # Q3 figure" in diff and re.search(r"\n\+    stack: 1510 +# Q3 figure\n", diff)
    applied = _apply(tmp_path, KEPT, diff)
    assert applied == new and applied.startswith("# owned by FinOps; reviewed monthly\n")
    pol = policy.load(tmp_path / "repo" / "plangate.yaml", RULES)
    cfg = pol.config(next(r for r in RULES if r.slug == "monthly-budget")).settings
    assert cfg.stack == 1510 and cfg.tags == {"Project": {"fraud": 480}}


def test_nothing_to_change_is_an_empty_diff():
    same = edit_config(KEPT, "plangate.yaml", {"stack": 10})
    assert unified_diff(KEPT, same, "plangate.yaml") == ""


@needs_data
def test_cli_budgets_from_the_lake_and_right_sizing_notes(tmp_path, capsys, monkeypatch):
    lake = tmp_path / "lake.duckdb"
    assert main(["ingest", str(DATA / "focus" / "focus_1_0_sample_1000.csv"), "--lake", str(lake)]) == 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plangate.yaml").write_text(KEPT)
    logs = tmp_path / "scorer.log"
    logs.write_text("\n".join(report_lines(30_000)) + "\n")
    pc = series_file(tmp_path, "pc.csv", np.full(14 * 24, 0.1))
    capsys.readouterr()
    # as of the month's last day: the bill's 30 days leave no past window of any other length to
    # bound a forecast from the 20th (the stack's would have no upper bound, so no budget)
    assert main(["suggest", "--lake", str(lake), "--as-of", "2024-09-30", "--plan", str(plan_file(tmp_path)),
                 "--lambda-logs", f"scorer={logs}", "--pc-utilization", f"live={pc}", "-o", "change.diff"]) == 0
    diff = (tmp_path / "change.diff").read_text()
    assert "+    stack: " in diff and "# Q3 figure" in diff
    assert "aws_lambda_function.scorer: memory_mb 3008 -> 448 (saves $" in diff
    assert "provisioned_concurrency 50 -> 7" in diff
    applied = _apply(tmp_path, KEPT, diff)
    pol = policy.load(tmp_path / "repo" / "plangate.yaml", RULES)
    stack = pol.config(next(r for r in RULES if r.slug == "monthly-budget")).settings.stack
    assert stack > 10 and "reviewed monthly" in applied


def test_cli_bad_config_is_one_line(tmp_path, capsys):
    bad = tmp_path / "plangate.yaml"
    bad.write_text("rules: [unclosed\n")
    logs = tmp_path / "x.log"
    logs.write_text("")
    assert main(["suggest", "-c", str(bad), "--plan", str(bad), "--lambda-logs", f"f={logs}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "plangate.yaml" in err
    assert main(["suggest", "-c", str(bad)]) == 2
    assert "give --lake" in capsys.readouterr().err
