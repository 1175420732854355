"""Reading plan values one way (plangate.values) and an error's first line (plangate.errors)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plangate.errors import first_line
from plangate.model import Resource
from plangate.values import block, to_decimal, variant_list


@pytest.mark.parametrize("value,expected", [
    (3, Decimal(3)), (2.5, Decimal("2.5")), (" 12 ", Decimal(12)), ("1e3", Decimal("1E+3")),
    (True, None), ("${var.cap}", None), ("nan", None), ("inf", None), ([3], None), ({"a": 1}, None), (None, None),
])
def test_to_decimal(value, expected):
    assert to_decimal(value) == expected


def test_block_and_variant_list_accept_terraform_and_pulumi_spellings():
    assert [block(v) for v in ([{"a": 1}], {"a": 1}, [], [{"a": 1}, {"a": 2}], "x", None)] == [
        {"a": 1}, {"a": 1}, None, None, None, None]
    terraform = Resource("t", "t.a", "example", {"production_variants": [{"n": 1}, "junk", {"n": 2}]})
    pulumi = Resource("t", "t.b", "example", {"production_variants": {"n": 1}})
    odd = Resource("t", "t.c", "example", {"production_variants": 7})
    assert [variant_list(r, "production_variants") for r in (terraform, pulumi, odd)] == [
        [{"n": 1}, {"n": 2}], [{"n": 1}], []]


@pytest.mark.parametrize("error,default,expected", [
    (ValueError("while parsing a mapping\n  in <unicode string>, line 2"), "", "while parsing a mapping"),
    (ValueError("\n  \n  second line first  \nthird"), "", "second line first"),
    (KeyError(), "", "KeyError"),
    (RuntimeError(""), "error", "error"),
    ("", "cannot parse", "cannot parse"),
    ("syntax error\nat line 3", "cannot parse", "syntax error"),
])
def test_first_line(error, default, expected):
    assert first_line(error, default) == expected
