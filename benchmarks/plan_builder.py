"""Build large Terraform plans from real corpus plans, for benchmarks.

Resources are taken from the real plans in ``../shared/corpus/tfplan`` (every managed
``resource_change`` that is not a delete), copied into numbered child modules until the plan
holds ``n`` resources, so sizes, nesting and value shapes are those of real plans.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_changes() -> list[dict[str, Any]]:
    """Every loadable managed, non-delete resource change in the corpus's AWS plans."""
    changes = []
    for path in sorted((CORPUS / "tfplan").rglob("*.json")):
        try:
            plan = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            continue  # the corpus's invalid-on-purpose files
        for rc in plan.get("resource_changes") or []:
            if (rc.get("mode") == "managed" and rc.get("type", "").startswith("aws_")
                    and rc.get("change", {}).get("actions") != ["delete"]):
                changes.append(rc)
    if not changes:
        raise SystemExit(f"no corpus plans found under {CORPUS}")
    return changes


def build_plan(n: int) -> dict[str, Any]:
    """A plan JSON document with ``n`` resource changes drawn from real plans."""
    source = corpus_changes()
    out = []
    for i in range(n):
        rc = copy.deepcopy(source[i % len(source)])
        module = f"module.copy{i // len(source)}"
        rc["address"] = f"{module}.{rc['address']}"
        rc["module_address"] = module if "module_address" not in rc else f"{module}.{rc['module_address']}"
        out.append(rc)
    # Checkov reads planned_values, plangate resource_changes: a real plan has both.
    planned = [{"address": rc["address"], "mode": "managed", "type": rc["type"], "name": rc["name"],
                "provider_name": rc.get("provider_name", "registry.terraform.io/hashicorp/aws"),
                "values": rc["change"].get("after") or {}} for rc in out]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": out,
        "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {
            "default_tags": [{"tags": {"constant_value": {"CostCenter": "cc-1", "Owner": "bench"}}}]}}}},
    }


def write_plan(n: int, path: Path) -> Path:
    path.write_text(json.dumps(build_plan(n)))
    return path
