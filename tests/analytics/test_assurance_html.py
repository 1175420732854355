"""`plangate drift -f html` and `plangate fairness -f html`: self-contained, the JSON report's
numbers, and bars that headless Chromium draws with the network off."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from test_finops_html import _screenshot, needs_chromium

from plangate.cli import main

NO_FETCH = r"""(?:src|href)\s*=|@import|url\(|<script|<link|<img|<iframe"""


@pytest.fixture
def windows(tmp_path):
    rng = np.random.default_rng(7)
    ref, cur = tmp_path / "ref.csv", tmp_path / "cur.csv"
    pd.DataFrame({"shifted": rng.normal(0, 1, 400), "steady": rng.normal(5, 2, 400),
                  "colour": rng.choice(["red", "blue"], 400)}).to_csv(ref, index=False)
    pd.DataFrame({"shifted": rng.normal(1.5, 1, 400), "steady": rng.normal(5, 2, 400),
                  "colour": rng.choice(["red", "blue"], 400)}).to_csv(cur, index=False)
    return ["drift", "--reference", str(ref), "--current", str(cur)]


@pytest.fixture
def decisions(tmp_path):
    rng = np.random.default_rng(3)
    group = rng.choice(["a", "b", "c"], 900)
    label = rng.integers(0, 2, 900)
    chance = np.select([group == "a", group == "b"], [0.6, 0.4], 0.2)
    pred = (rng.random(900) < chance).astype(int)
    path = tmp_path / "d.csv"
    pd.DataFrame({"y": label, "p": pred, "g": group}).to_csv(path, index=False)
    return ["fairness", str(path), "--y-true", "y", "--y-pred", "p", "--sensitive", "g", "--bootstrap", "50"]


def _both(argv, tmp_path, capsys) -> tuple[dict, str]:
    page_path = tmp_path / "report.html"
    assert main([*argv, "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert main([*argv, "-f", "html", "-o", str(page_path)]) == 0
    assert capsys.readouterr().err == ""
    return data, page_path.read_text(encoding="utf-8")


def _self_contained(page: str) -> None:
    assert page.startswith("<!doctype html>") and "<svg" in page and "<rect" in page
    assert not re.search(NO_FETCH, page, re.I)
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}


def test_drift_page_has_the_json_numbers(windows, tmp_path, capsys):
    data, page = _both(windows, tmp_path, capsys)
    _self_contained(page)
    assert [(f["name"], f["drifted"]) for f in data["features"]] == [
        ("shifted", True), ("steady", False), ("colour", False)]
    cells = re.findall(r"<tr><td>([^<]*)</td>.*?</tr>", page)
    assert cells == ["shifted", "steady", "colour"]
    for f in data["features"]:
        row = re.search(rf"<tr><td>{f['name']}</td>(.*?)</tr>", page).group(1)
        assert f"<td class=num>{f['statistic']:.4g}</td>" in row
        assert f"<td class=num>{f['threshold']:g}</td>" in row
        assert f"<td class=num>{f['psi']:.4g}</td>" in row
        assert (">DRIFT<" if f["drifted"] else ">ok<") in row
    assert "dataset: <span class=good>no drift</span> (1 of 3 features drifted, threshold share 0.5)" in page


def test_fairness_page_has_the_json_numbers(decisions, tmp_path, capsys):
    data, page = _both(decisions, tmp_path, capsys)
    _self_contained(page)
    assert len(data["groups"]) == 3
    for g in data["groups"]:
        label = ", ".join(f"{k}={v}" for k, v in g["group"].items())
        row = re.search(rf"<tr><td>{label}</td>(.*?)</tr>", page).group(1)
        for key in ("selection_rate", "true_positive_rate", "false_positive_rate", "base_rate", "disparate_impact"):
            assert f"<td class=num>{g[key]:.4f}</td>" in row, key
        low, high = g["ci"]["selection_rate"]
        assert f"{low:.4f} – {high:.4f}" in row
    for name in ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
                 "equal_opportunity_difference"):
        low, high = data["confidence_intervals"][name]
        assert (f"<tr><td>{name.replace('_', ' ')}</td><td class=num>{data[name]:.4f}</td>"
                f"<td class=num>{low:.4f} – {high:.4f}</td></tr>") in page
    verdict = "passed" if data["four_fifths_rule"]["passed"] else "FAILED"
    assert verdict == "FAILED"
    assert (f"four-fifths rule: <span class=bad>FAILED</span> (disparate impact {data['disparate_impact']:.4f}, "
            "threshold 0.8)") in page


def test_pages_escape_what_they_show(tmp_path, capsys):
    path = tmp_path / "d.csv"
    pd.DataFrame({"y": [0, 1] * 40, "p": [1, 0, 0, 1] * 20, "<b>g</b>": ["<i>a</i>", "b"] * 40}).to_csv(path,
                                                                                                      index=False)
    assert main(["fairness", str(path), "--y-true", "y", "--y-pred", "p", "--sensitive", "<b>g</b>",
                 "--bootstrap", "0", "-f", "html"]) == 0
    page = capsys.readouterr().out
    assert "<i>a</i>" not in page and "<b>g</b>" not in page and "&lt;b&gt;g&lt;/b&gt;=&lt;i&gt;a&lt;/i&gt;" in page


def _colours(png) -> tuple[np.ndarray, np.ndarray]:
    from PIL import Image

    pixels = np.asarray(Image.open(png).convert("RGB")).astype(int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    red = (r > 0xb0) & (g < 0x60) & (b < 0x60)  # #cf222e: a drifted bar
    blue = (abs(r - 0x09) < 40) & (abs(g - 0x69) < 40) & (b > 0xa0)  # #0969da: a bar without drift
    return red, blue


@needs_chromium
def test_chromium_draws_the_bars_with_the_network_off(windows, decisions, tmp_path, capsys):
    for name, argv in (("drift", windows), ("fairness", decisions)):
        html_path, png = tmp_path / f"{name}.html", tmp_path / f"{name}.png"
        assert main([*argv, "-f", "html", "-o", str(html_path)]) == 0
        done = _screenshot(html_path, png, tmp_path)
        assert png.exists(), done.stderr[-2000:]
        red, blue = _colours(png)
        assert blue.sum() > 2000, f"{name}: the blue bars are not drawn"
        if name == "drift":  # the shifted feature's bar is red, and wide
            columns = np.flatnonzero(red.any(axis=0))
            assert red.sum() > 300 and columns.max() - columns.min() > 100
