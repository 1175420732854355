"""Inputs and timing shared by the Checkov benchmarks (checkov_overhead.py, scan_vs_checkov.py).

- `checkov_plan(n, path)`: `plan_builder.build_plan(n)` (real corpus resource changes) plus
  the ``planned_values`` Checkov reads: its plan runner scans ``planned_values`` only, so a
  plan without them is an empty plan to Checkov.
- `hcl_tree(dest, stacks)`: the largest multi-module Terraform tree we can assemble from our
  own fixtures (no real third-party tree is in the corpus): ``stacks`` root modules, each a copy
  of ``tests/fixtures/checkov/hcl/default_tags`` (provider default tags, 13 resources) calling
  a shared inference module (the same resources) and queue modules, nested two deep.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from plan_builder import CORPUS, build_plan  # noqa: E402
from processes import installed_env  # noqa: E402

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
PLANGATE = ROOT / ".venv" / "bin" / "plangate"
CHECKS_DIR = ROOT / "hcl_checks"
FIXTURES = ROOT / "tests" / "fixtures" / "checkov"

# The real plans the conformance test uses (AWS resources in the rules' scope).
CORPUS_PLANS = [
    "tfplan/infracost__infracost/cmd/infracost/testdata/example_plan.json",
    "tfplan/terraform-compliance__cli/tests/functional/test-it_must_be_in-pass/plan.out.json",
    "tfplan/terraform-compliance__cli/tests/functional/test_issue-338/plan.out.json",
    "tfplan/bridgecrewio__checkov/tests/terraform/parser/resources/plan_tags_variety/tfplan.json",
    "tfplan/bridgecrewio__checkov/tests/terraform/runner/resources/plan/tfplan.json",
    "tfplan/fugue__regula/rego/tests/examples/aws/inputs/tag_all_resources_infra.json",
    "tfplan/bridgecrewio__checkov/tests/terraform/checks/data/aws/"
    "example_GithubActionsOIDCTrustPolicy/tfplan.json",
]


def require(path: Path, how: str) -> None:
    if not path.exists():
        raise SystemExit(f"{path} is missing: {how}")


def corpus_plans() -> list[Path]:
    found = [CORPUS / p for p in CORPUS_PLANS if (CORPUS / p).exists()]
    if not found:
        raise SystemExit(f"no corpus plans under {CORPUS}")
    return found


def with_planned_values(plan: dict[str, Any]) -> dict[str, Any]:
    """``planned_values`` for a plan that has only ``resource_changes``, one child module
    per top-level module address (Checkov reads each resource's own address)."""
    modules: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rc in plan["resource_changes"]:
        parts = rc["address"].split(".")
        module = ".".join(parts[:2]) if parts[0] == "module" else ""
        modules[module].append({
            "address": rc["address"], "mode": rc.get("mode", "managed"), "type": rc["type"],
            "name": rc["name"], "provider_name": rc.get("provider_name", ""),
            "values": (rc.get("change") or {}).get("after") or {}, "sensitive_values": {},
        })
    root = modules.pop("", [])
    plan["planned_values"] = {"root_module": {"resources": root, "child_modules": [
        {"address": address, "resources": resources} for address, resources in modules.items()
    ]}}
    return plan


def checkov_plan(n: int, path: Path) -> Path:
    path.write_text(json.dumps(with_planned_values(build_plan(n))))
    return path


_PROVIDER_BLOCK = re.compile(r'^provider "aws" \{.*?^\}\n', re.S | re.M)


def hcl_tree(dest: Path, stacks: int) -> Path:
    """Write the tree under ``dest``; returns ``dest``."""
    source = (FIXTURES / "hcl" / "default_tags" / "main.tf").read_text()
    modules = dest / "modules"
    (modules / "queue").mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "hcl" / "modules" / "modules" / "queue" / "main.tf",
                modules / "queue" / "main.tf")
    inference = modules / "inference"
    inference.mkdir(exist_ok=True)
    body = _PROVIDER_BLOCK.sub("", source).replace("  provider = aws.us\n", "")
    (inference / "main.tf").write_text(body)
    (inference / "queues.tf").write_text(
        'module "dead_letters" {\n  source = "../queue"\n  name   = "dead-letters"\n'
        '  tags   = { Owner = "ml-platform", Project = "fraud-scoring" }\n}\n')
    for index in range(stacks):
        stack = dest / "stacks" / f"stack{index:03d}"
        stack.mkdir(parents=True, exist_ok=True)
        (stack / "main.tf").write_text(source)
        calls = ['module "inference" {\n  source = "../../modules/inference"\n}\n']
        for queue in ("requests", "results", "retries"):
            calls.append(f'module "{queue}" {{\n  source = "../../modules/queue"\n'
                         f'  name   = "{queue}-{index}"\n'
                         f'  tags   = {{ Owner = "team-{index}", Project = "p{index}" }}\n}}\n')
        (stack / "modules.tf").write_text("\n".join(calls))
    return dest


def timed(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None
          ) -> tuple[float, int]:
    """Wall time of one run, process start to exit, and its exit code."""
    start = time.perf_counter()
    proc = subprocess.run(list(command), cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env={**installed_env(), **(env or {})})
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}): "
                         f"{proc.stderr.decode()[-2000:]}")
    return wall, proc.returncode


def cpu_timed(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run: CPU time (user + system) of the process and of the
    children it waited for (plangate's process pool for large multi-root trees is shut down before
    it exits; single-framework Checkov runs fork none), far steadier than wall time on a shared machine."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(command), cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=installed_env())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({os.waitstatus_to_exitcode(status)})")
    return wall, usage.ru_utime + usage.ru_stime


def median_time(command: Sequence[str], cwd: Path, runs: int) -> float:
    return statistics.median(timed(command, cwd)[0] for _ in range(runs))


def checkov_command(args: Sequence[str], ours: bool) -> list[str]:
    command = [str(CHECKOV), "--skip-download", "--quiet", "-o", "json", *args]
    return command + (["--external-checks-dir", str(CHECKS_DIR)] if ours else [])
