"""The committed fixture plans are what Terraform makes of the trees today: each is
regenerated offline (terraform_oracle.py) into a temporary folder and compared."""

from __future__ import annotations

import json

import pytest
from terraform_oracle import FIXTURES, cases, normalise, plan, plan_path, roots, unavailable

REASON = unavailable()
ROOTS = [pytest.param(case, root, id=case.name if root == case else f"{case.name}/{root.name}")
         for case in cases() for root in roots(case)]


def test_the_oracle_has_cases():
    assert len(ROOTS) >= 9
    assert (FIXTURES / "terraform.rc").is_file()


@pytest.mark.skipif(REASON is not None, reason=f"Terraform oracle unavailable: {REASON}")
@pytest.mark.parametrize(("case", "root"), ROOTS)
def test_committed_plan_is_what_terraform_plans(case, root):
    committed = json.loads(plan_path(case, root).read_text(encoding="utf-8"))
    assert "timestamp" not in committed, "plans are committed normalised: run `make fixtures`"
    fresh = plan(case, root)
    assert normalise(committed) == fresh, f"{plan_path(case, root).name} is stale: run `make fixtures`"
