"""A usage file is read with the guards of every reader: numbers Python will not convert, YAML
nested past the stack, values YAML cannot build and quantities past the bound are one line of bad
input naming the file — never an internal error."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES

from plangate.cli import main
from plangate.cost import usage
from plangate.errors import PlangateError

PLAN = EXAMPLES / "terraform-plan" / "plan.json"
HEAD = "version: 0.1\nresource_usage:\n  aws_lambda_function.scorer:\n"


@pytest.mark.parametrize("body,says", [
    (HEAD + "    monthly_requests: " + "9" * 5000 + "\n",
     "invalid YAML: a number with more digits than plangate reads (4300 at most)"),
    (HEAD + "    monthly_requests: '" + "9" * 5000 + "'\n",
     "resource_usage.aws_lambda_function.scorer.monthly_requests: '" + "9" * 38 + "… is more than plangate "
     "prices (at most 1E+18)"),
    (HEAD + "    monthly_requests: 1e400\n",  # a string to YAML 1.1, a number to the usage reader
     "resource_usage.aws_lambda_function.scorer.monthly_requests: '1e400' is more than plangate prices "
     "(at most 1E+18)"),
    (HEAD + "    monthly_requests: 1.0e+400\n",  # a float to YAML 1.1 (dot and signed exponent): infinity
     "resource_usage.aws_lambda_function.scorer.monthly_requests: expected a number >= 0, got inf"),
    (HEAD + "    monthly_requests: .nan\n",
     "resource_usage.aws_lambda_function.scorer.monthly_requests: expected a number >= 0, got nan"),
    (HEAD + "    monthly_requests: 2026-13-45\n", "invalid YAML value: month must be in 1..12"),
    ("version: 0.1\nresource_usage: " + "[" * 100_000 + "]" * 100_000 + "\n",
     "usage.yml:2:1016: invalid YAML: exceeded maximum nesting depth"),  # libyaml stops at 1,000 levels
])
def test_bad_usage_numbers_are_one_line_exit_2(tmp_path, capsys, body, says):
    path = tmp_path / "usage.yml"
    path.write_text(body)
    with pytest.raises(PlangateError) as caught:
        usage.load(path)
    assert str(path) in str(caught.value) and says in str(caught.value)
    assert main(["cost", str(PLAN), "--usage-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" not in err and says in err, err


def test_a_large_quantity_below_the_bound_is_read():
    values = usage.check_values({"monthly_requests": "1e18"}, "aws_lambda_function", "x", lambda key: "here")
    assert values == {"monthly_requests": usage.Decimal("1e18")}
