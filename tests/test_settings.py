"""Typed settings read numbers as a user writes them: ``5e3`` (a string to YAML 1.1) is 5000;
NaN, infinities, negatives, 5,000-digit integers and numbers past the bound are bad input
naming the key."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import EXAMPLES

from plangate import policy
from plangate.cli import main
from plangate.errors import ConfigError
from plangate.rules import BY_ID, RULES
from plangate.settings import SettingsError, parse, setting


@dataclasses.dataclass(frozen=True)
class Numbers:
    ceiling: float = setting(0.0, "money")
    count: int = setting(0, "a count")


@pytest.mark.parametrize("given,expected", [
    ({"ceiling": 5000}, Numbers(5000.0, 0)),
    ({"ceiling": 2.5, "count": 3}, Numbers(2.5, 3)),
    ({"ceiling": "5e3"}, Numbers(5000.0, 0)),
    ({"ceiling": " 1_000.5 "}, Numbers(1000.5, 0)),
    ({"count": "5e3"}, Numbers(0.0, 5000)),
    ({"count": 7.0}, Numbers(0.0, 7)),
    ({"count": "12"}, Numbers(0.0, 12)),
])
def test_numbers_as_users_write_them(given, expected):
    assert parse(Numbers, given, "x") == expected


@pytest.mark.parametrize("given,says", [
    ({"ceiling": float("nan")}, "x.ceiling: expected a finite number, got nan"),
    ({"ceiling": ".nan"}, "x.ceiling: expected a number, got '.nan'"),
    ({"ceiling": "NaN"}, "x.ceiling: expected a finite number, got 'NaN'"),
    ({"ceiling": float("inf")}, "x.ceiling: expected a finite number, got inf"),
    ({"ceiling": "-Infinity"}, "x.ceiling: expected a finite number, got '-Infinity'"),
    ({"ceiling": -1}, "x.ceiling: expected a number >= 0, got -1"),
    ({"ceiling": "-5e3"}, "x.ceiling: expected a number >= 0, got '-5e3'"),
    ({"ceiling": 10**5000}, "x.ceiling: an integer of about 5000 digits is larger than plangate reads "
                             "(at most 1e+15)"),
    ({"ceiling": "1e400"}, "x.ceiling: '1e400' is larger than plangate reads (at most 1e+15)"),
    ({"ceiling": True}, "x.ceiling: expected a number, got True"),
    ({"ceiling": "abc"}, "x.ceiling: expected a number, got 'abc'"),
    ({"ceiling": [1]}, "x.ceiling: expected a number, got [1]"),
    ({"count": 2.5}, "x.count: expected a whole number, got 2.5"),
    ({"count": "2.5"}, "x.count: expected a whole number, got '2.5'"),
    ({"count": "x" * 100}, "x.count: expected a whole number, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"),
])
def test_bad_numbers_name_the_key(given, says):
    with pytest.raises(SettingsError) as caught:
        parse(Numbers, given, "x")
    assert str(caught.value) == says


def _policy(tmp_path, text: str):
    path = tmp_path / "plangate.yaml"
    path.write_text(text)
    return path


def test_a_yaml_1_1_exponent_is_a_budget(tmp_path):
    loaded = policy.load(_policy(tmp_path, "rules:\n  monthly-budget:\n    stack: 5e3\n"), RULES)
    assert loaded.config(BY_ID["PG-BUD-001"]).settings.stack == 5000.0


@pytest.mark.parametrize("value,says", [
    (".nan", "rules.monthly-budget.stack: expected a finite number, got nan"),
    (".inf", "rules.monthly-budget.stack: expected a finite number, got inf"),
    ("-100", "rules.monthly-budget.stack: expected a number >= 0, got -100"),
    ("7" * 5000, "invalid YAML: a number with more digits than plangate reads (4300 at most)"),
])
def test_a_bad_budget_is_bad_input(tmp_path, capsys, value, says):
    path = _policy(tmp_path, f"rules:\n  monthly-budget:\n    stack: {value}\n")
    with pytest.raises(ConfigError, match=r"^" + str(path).replace(".", r"\.")):
        policy.load(path, RULES)
    code = main(["scan", str(EXAMPLES / "terraform-plan" / "plan.json"), "-c", str(path)])
    err = capsys.readouterr().err
    assert (code, err.count("\n")) == (2, 1) and str(path) in err and says in err, err


def test_a_rule_given_a_scalar_instead_of_settings_is_bad_input(tmp_path):
    path = _policy(tmp_path, "rules:\n  inference-log-retention:\n    m\n")
    with pytest.raises(ConfigError) as caught:
        policy.load(path, RULES)
    assert str(caught.value) == (f"{path}: rules.inference-log-retention: expected a mapping of enforcement and "
                                 "settings, got 'm'")
