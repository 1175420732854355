"""The table at any width: one row per rule and resource, never an address or path split."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import EXAMPLES

from plangate import engine, loaders, policy
from plangate.report import render
from plangate.report.table import rows
from plangate.rules import RULES


@pytest.fixture(scope="module")
def result():
    pol = policy.load(str(EXAMPLES / "plangate.yaml"), RULES)
    paths = [str(EXAMPLES)]
    return engine.scan(loaders.load_all(paths).resources, pol, paths, dt.date(2026, 11, 28))


def test_one_rules_messages_about_one_resource_share_one_row(result):
    grouped = rows(result)
    keys = [(r.rule_id, r.address, r.outcome, r.location) for r in grouped]
    assert len(keys) == len(set(keys)) < len(result.findings)
    many = [r for r in grouped if len(r.messages) > 1]
    assert many, "the examples have a resource with several messages from one rule"
    for row in many:
        text = render(result, "table", width=160)
        assert all(m.split()[0] in text for m in row.messages)


@pytest.mark.parametrize("width", range(40, 241, 8))
def test_no_address_or_location_is_ever_split(result, width):
    lines = render(result, "table", width=width).splitlines()
    for f in result.findings:
        assert any(f.address in line for line in lines), (width, f.address)
        if f.location:
            assert any(str(f.location) in line for line in lines), (width, f.location)
    for line in lines[:-1]:
        # only a line holding one unbreakable token (an address, a path) may pass the edge
        assert len(line) <= width or len(line.strip().split()) <= 2, (width, line)


def test_layouts_from_wide_to_list(result):
    def headers(width: int) -> list[str]:
        text = render(result, "table", width=width)
        head = next((line for line in text.splitlines() if line.startswith("┃")), "")
        return [cell.strip() for cell in re.split("┃", head)[1:-1]]

    assert headers(260) == ["outcome", "severity", "rule", "resource", "message", "location"]
    assert headers(80) == []  # the list layout
    columns = [len(headers(width)) for width in range(80, 261, 4)]
    assert columns == sorted(columns) and set(columns) == {0, 4, 6}  # wider terminals, wider layouts
    assert ["outcome", "rule", "resource", "message"] in [headers(w) for w in range(80, 261, 4)]
