"""HCL verdicts converge on ``terraform plan``'s: for every fixture tree under
tests/fixtures/hcl_plan/, ``plangate scan TREE`` and ``plangate scan TREE.plan.json`` give the
same outcomes per (address, rule) over the same addresses, and ``plangate cost`` the same
monthly total.

The plans were made by Terraform itself (see the folder's README.md and terraform_oracle.py).
The real root modules of ../shared/corpus/hcl-real/ (public repositories, planned offline by
Terraform; see its SOURCES.md) are cases too: ``<repo>/<root>`` with ``<repo>/<root with / as
__>.plan.json`` beside it.
A tree with several root modules is compared with its plans scanned one by one: each root is
its own stack.  Where only the plan can know a value, INHERENT names the (case, address,
rule) and the test asserts the HCL side says unknown there, never pass.

A module folder no scanned root calls has no counterpart in any plan: HCL reports it once
(PG-GOV-002, address ``(module folder)``), which the comparison sets aside and
`test_an_uncalled_module_folder_is_reported_once_never_as_a_root` checks.

A case marked xfail differs today; its reason names the defect.  The marks are strict, so
the case that starts to agree fails until its mark is removed.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from terraform_oracle import FIXTURES, cases, plan_path, roots

from plangate import loaders
from plangate.cli import main

POLICY = FIXTURES / "plangate.yaml"
USAGE = FIXTURES / "usage.yml"
TODAY = "2026-12-01"

# (case, address, rule id) -> why only the plan can decide it.  HCL must answer "unknown".
_REGION = "function_name is built from data.aws_region.current.name, which Terraform reads at plan time"
_DATA_TAG = "the Environment tag is derived from a data source through a local, which Terraform reads at plan time"
_MODULE_TAG = "the Environment tag is a downloaded module's variable, set from a data source by its caller"
_MODULE_NAME = "function_name is a downloaded module's local built from that variable"
INHERENT: dict[tuple[str, str, str], str] = {
    ("plan_only_values", "aws_lambda_function.embed", "PG-TEL-002"): _REGION,
    ("plan_only_values", "aws_lambda_function.embed", "PG-TEL-005"): _REGION,
    ("unknown_flows", "aws_s3_bucket.conditional", "PG-TAG-001"): _DATA_TAG,
    ("unknown_flows", "aws_s3_bucket.interpolated", "PG-TAG-001"): _DATA_TAG,
    ("unknown_flows", "aws_s3_bucket.merged", "PG-TAG-001"): _DATA_TAG,
    **{("downloaded_module", f"module.service.{address}", "PG-TAG-001"): _MODULE_TAG for address in (
        "aws_lambda_function.proxy", "aws_s3_bucket.artifacts[0]", "aws_s3_bucket.artifacts[1]")},
    ("downloaded_module", "module.service.aws_lambda_function.proxy", "PG-TEL-002"): _MODULE_NAME,
    ("downloaded_module", "module.service.aws_lambda_function.proxy", "PG-TEL-005"): _MODULE_NAME,
    ("working_directory", "aws_sqs_queue.this", "PG-TAG-001"):
        "the Environment tag is built from path.cwd, the directory Terraform is started in",
}

# case -> the defect that makes HCL differ from the plan today (verdicts, then cost); none at present.
XFAIL: dict[str, str] = {}
XFAIL_COST: dict[str, str] = {}  # expressions, plan_only_values: HCL's cost reads the provider region too

Verdicts = dict[tuple[str, str], Counter[str]]


REAL = FIXTURES.parents[2].parent / "shared" / "corpus" / "hcl-real"


class _Case(type(Path())):  # a real root: named by its repository and path, planned beside its repository
    plans: list[Path]


def _real_cases() -> list[Path]:
    out = []
    for plan in sorted(REAL.glob("*/*.plan.json")) if REAL.is_dir() else []:
        case = _Case(plan.parent / plan.name.removesuffix(".plan.json").replace("__", "/"))
        case.plans = [plan]
        out.append(case)
    return out


def _all_cases() -> list[Path]:
    return [*cases(), *_real_cases()]


def _case_params(xfail: dict[str, str]) -> list:
    out = []
    for case in _all_cases():
        marks = [pytest.mark.xfail(strict=True, reason=xfail[case.name])] if case.name in xfail else []
        name = case.relative_to(REAL).as_posix() if isinstance(case, _Case) else case.name
        out.append(pytest.param(case, id=name, marks=marks))
    return out


def _plans(case: Path) -> list[Path]:
    if isinstance(case, _Case):
        return case.plans
    return [plan_path(case, root) for root in roots(case)]


def _run(argv: list[str], out: Path) -> dict:
    code = main([*argv, "-f", "json", "-o", str(out)])
    assert code in (0, 1), f"plangate {' '.join(argv)} exited {code}"
    return json.loads(out.read_text(encoding="utf-8"))


def _verdicts(report: dict) -> Verdicts:
    out: Verdicts = {}
    for f in report["findings"]:
        out.setdefault((f["address"], f["rule_id"]), Counter())[f["outcome"]] += 1
    return out


def _scan(path: Path, tmp_path: Path) -> Verdicts:
    return _verdicts(_run(["scan", str(path), "-c", str(POLICY), "--today", TODAY],
                          tmp_path / f"{path.name}.scan.json"))


def _monthly(path: Path, tmp_path: Path) -> str:
    report = _run(["cost", str(path), "-c", str(POLICY), "--usage-file", str(USAGE)],
                  tmp_path / f"{path.name}.cost.json")
    return report["totals"]["monthly_cost"]


UNCALLED = "(module folder)"


def _addresses(paths: list[Path]) -> list[str]:
    return sorted(r.address for r in loaders.load_all(paths).resources if r.address != UNCALLED)


def _shown(verdicts: Verdicts) -> list[str]:
    return sorted(f"{rule} {address}: {dict(outcomes)}" for (address, rule), outcomes in verdicts.items())


def test_every_case_has_its_plans():
    for case in cases():
        for plan in _plans(case):
            assert plan.is_file(), f"{plan} is missing: run `make fixtures`"


def test_inherent_differences_name_real_cases():
    names = {c.name for c in cases()}
    assert all(case in names for case, _, _ in INHERENT)
    assert all(case in names for case in (*XFAIL, *XFAIL_COST))


@pytest.mark.parametrize("case", _case_params(XFAIL))
def test_hcl_gives_the_plans_verdicts(case: Path, tmp_path: Path):
    plans = _plans(case)
    assert _addresses([case]) == _addresses(plans), "HCL and plan list different resources"

    from_plan: Verdicts = {}
    for plan in plans:  # each root is its own stack
        for key, outcomes in _scan(plan, tmp_path).items():
            from_plan.setdefault(key, Counter()).update(outcomes)
    from_hcl = {k: v for k, v in _scan(case, tmp_path).items() if k[0] != UNCALLED}

    for (name, address, rule), why in INHERENT.items():
        if name != case.name:
            continue
        hcl = from_hcl.pop((address, rule), Counter())
        assert hcl and set(hcl) == {"unknown"}, f"{rule} {address}: HCL must say unknown ({why}), got {dict(hcl)}"
        from_plan.pop((address, rule), None)
    assert _shown(from_hcl) == _shown(from_plan)


@pytest.mark.parametrize("case", _case_params(XFAIL_COST))
def test_hcl_costs_what_the_plan_costs(case: Path, tmp_path: Path):
    plans = _plans(case)
    plan_total = sum((Decimal(_monthly(p, tmp_path)) for p in plans), Decimal(0))
    assert Decimal(_monthly(case, tmp_path)) == plan_total


def test_an_uncalled_module_folder_is_reported_once_never_as_a_root(tmp_path: Path):
    case = FIXTURES / "uncalled_module"
    folder = case / "modules" / "api_gateway"
    assert _addresses([case]) == _addresses(_plans(case)) == ["aws_sqs_queue.requests"]
    stand_ins = [(address, rule, dict(outcomes)) for (address, rule), outcomes in _scan(case, tmp_path).items()
                 if address == UNCALLED]
    assert stand_ins == [(UNCALLED, "PG-GOV-002", {"unknown": 1})]
    report = _run(["scan", str(case), "-c", str(POLICY), "--today", TODAY], tmp_path / "uncalled.json")
    (message,) = [f["message"] for f in report["findings"] if f["address"] == UNCALLED]
    assert message == (f"module api_gateway ({folder}) is not expanded from HCL: module folder called by no "
                       "scanned root: not checked")
    # named by itself, the folder is scanned as the module it is (its variable unset: unknown)
    assert sorted(r.address for r in loaders.load_all([folder]).resources) == [
        "aws_apigatewayv2_api.this", "aws_cloudwatch_log_group.access"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in cases()])
def test_hcl_declares_the_plans_provider_configurations(case: Path):
    """Each provider configuration with its alias and region, as the plan holds them (Terraform's
    built-in ``terraform`` provider has no configuration block: set aside)."""
    def configs(paths: list[Path]) -> list[tuple[str, str, str, str]]:
        return sorted((p.name, p.alias, p.region, p.module) for p in loaders.load_all(paths).providers
                      if p.name != "terraform")

    assert configs([case]) == configs(_plans(case))
