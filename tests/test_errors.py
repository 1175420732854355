"""Errors reach the user as one line, whatever characters the input put in them."""

from __future__ import annotations

import pytest

from plangate.cli import main


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\r", "\x1b[2J"])
def test_an_error_naming_user_text_is_one_line(tmp_path, capsys, separator):
    series = tmp_path / "m.csv"
    series.write_text(f"time{separator}stamp,value\n2026-01-01T00:00:00,1\n", encoding="utf-8")
    assert main(["anomalies", "--metric", str(series)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("plangate: error: ") and "\x1b" not in err, repr(err)
    assert "missing column 'timestamp'" in err
