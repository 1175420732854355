"""The FinOps HTML report: self-contained, and drawn when headless Chromium opens it with no network."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from decimal import Decimal

import numpy as np
import pytest
from conftest import DATA, needs_data

from plangate.analytics.anomalies import metric_anomalies, score_metric
from plangate.analytics.records import Forecast, WasteItem
from plangate.analytics.series import read_metric_csv
from plangate.report.finops_html import render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None,
                                    reason="chromium is not installed: run `make .chromium.installed`")
SERIES = DATA / "nab" / "realAWSCloudwatch" / "ec2_cpu_utilization_24ae8d.csv"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]


def _forecast() -> Forecast:
    month = dt.date(2026, 11, 1)
    history = tuple((month + dt.timedelta(days=i), 40.0 * (i + 1)) for i in range(12))
    path = tuple((month + dt.timedelta(days=i), 40.0 * (i + 1) - 3 * (i - 11), 40.0 * (i + 1),
                  40.0 * (i + 1) + 3 * (i - 11)) for i in range(12, 30))
    return Forecast("Project=fraud", month, month + dt.timedelta(days=11), 480.0, 1200.0, 1146.0, 1254.0,
                    budget=1000.0, breach_date=dt.date(2026, 11, 25), breach_probability=0.99,
                    history=history, path=path)


def _page() -> str:
    scores = score_metric(read_metric_csv(SERIES))
    waste = [WasteItem("lambda-memory", "scorer", "3008 MB configured, 310 MB used at most", Decimal("41.20"))]
    return render_html("FinOps report", series=[scores], anomalies=metric_anomalies(scores),
                       forecasts=[_forecast()], waste=waste)


@needs_data
def test_page_is_self_contained():
    page = _page()
    assert "<svg" in page and "<path" in page
    # nothing to fetch: no script or style sources, links, images, fonts or imports
    assert not re.search(r"""(?:src|href)\s*=|@import|url\(|<script|<link|<img|<iframe""", page, re.I)
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}


@needs_data
def test_page_escapes_what_it_shows():
    scores = score_metric(read_metric_csv(SERIES))
    page = render_html("<b>x</b>", series=[scores], anomalies=[])
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def _screenshot(html_path, png_path, tmp_path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png_path}",
           "--window-size=1000,1400", html_path.as_uri()]
    if os.geteuid() == 0 and shutil.which("unshare"):
        cmd = ["unshare", "--net", *cmd]  # no network at all, not only no proxy
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HOME": str(tmp_path)})


@needs_data
@needs_chromium
def test_chromium_draws_the_charts_with_the_network_off(tmp_path):
    from PIL import Image

    html_path, png_path = tmp_path / "report.html", tmp_path / "shot.png"
    html_path.write_text(_page(), encoding="utf-8")
    done = _screenshot(html_path, png_path, tmp_path)
    assert png_path.exists(), done.stderr[-2000:]
    pixels = np.asarray(Image.open(png_path).convert("RGB")).astype(int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    blue_line = (abs(r - 0x09) < 40) & (abs(g - 0x69) < 40) & (b > 0xa0)  # the actual-spend line, #0969da
    band = (abs(r - 0xd8) < 8) & (abs(g - 0xe6) < 8) & (abs(b - 0xf5) < 8)  # the expected band, #d8e6f5
    red = (r > 0xb0) & (g < 0x60) & (b < 0x60)  # anomaly markers and the budget line, #cf222e
    assert blue_line.sum() > 500, "the spend line is not drawn"
    assert band.sum() > 2000, "the expected band is not drawn"
    assert red.sum() > 50, "no anomaly marker or budget line"
    # the blue line spans the chart's width (a drawn series, not a legend swatch)
    columns = np.flatnonzero(blue_line.any(axis=0))
    assert columns.max() - columns.min() > 700


@needs_chromium
def test_blank_page_fails_the_drawn_check(tmp_path):
    """The pixel checks above can fail: a page with no chart has none of the chart colours."""
    from PIL import Image

    html_path, png_path = tmp_path / "blank.html", tmp_path / "blank.png"
    html_path.write_text(render_html("empty"), encoding="utf-8")
    _screenshot(html_path, png_path, tmp_path)
    pixels = np.asarray(Image.open(png_path).convert("RGB")).astype(int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    assert ((abs(r - 0x09) < 40) & (abs(g - 0x69) < 40) & (b > 0xa0)).sum() < 500


def test_an_anomaly_row_is_spelled_once_for_the_text_and_the_html_table():
    from plangate.analytics.anomalies import Anomaly, Contributor
    from plangate.report.finops import ANOMALY_COLUMNS, anomalies_table, anomaly_row

    a = Anomaly(scope={"ServiceName": "Amazon SageMaker"}, start=dt.datetime(2024, 9, 24),
                end=dt.datetime(2024, 9, 30), score=12.34, expected=10.0, actual=25.5, owner="ml-team",
                contributors=(Contributor("resource", "endpoint/<fraud>", 14.0, 1.0),
                              Contributor("usage type", "ml.g5.xlarge hosting", 3.0, 0.5),
                              Contributor("resource", "third", 1.0, 0.0)),
                series="ServiceName=Amazon SageMaker")
    cells = ["ServiceName=Amazon SageMaker", "2024-09-24 00:00", "2024-09-30 00:00", "12.3", "$10.00", "$25.50",
             "$15.50", "+155%", "ml-team", "yes", "endpoint/<fraud> $13.00, ml.g5.xlarge hosting $2.50"]
    assert anomaly_row(a) == cells
    text = anomalies_table([a]).splitlines()
    assert text[0].split() == " ".join(ANOMALY_COLUMNS).split()
    assert text[2].split() == " ".join(cells).split()
    page = render_html("anomalies", anomalies=[a])
    shown = re.findall(r"<td(?: class=num)?>(.*?)</td>", page)
    assert shown == [c.replace("<", "&lt;").replace(">", "&gt;") for c in cells]
