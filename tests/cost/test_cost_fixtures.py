"""Shared helpers for the cost tests, and the fixtures' own invariants.

`plan_resources` reads a ``terraform show -json`` document into `Resource`s with the few
lines the cost model needs (type, address, ``after`` values, tags, unknowns, action), so the
cost tests do not depend on the Terraform loader; `test_cost_cli.py` runs the real loaders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import CORPUS
from conftest import FIXTURES as ALL_FIXTURES
from conftest import GOLDEN as ALL_GOLDEN

from plangate.model import Resource

FIXTURES = ALL_FIXTURES / "cost"
GOLDEN = ALL_GOLDEN / "cost"
INFRACOST = CORPUS / "other" / "infracost__infracost" / "internal" / "providers" / "terraform" / "aws" / "testdata"
STRATIFY = CORPUS / "pulumi" / "dundalek__stratify" / "test" / "resources" / "pulumi"


_ACTIONS = {("create",): "create", ("update",): "update", ("no-op",): "no-op", ("read",): "read",
            ("delete", "create"): "replace", ("create", "delete"): "replace"}


def _unknown_paths(value: Any, prefix: str = "") -> list[str]:
    if value is True:
        return [prefix]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _unknown_paths(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unknown_paths(v, f"{prefix}.{i}")]
    return []


def plan_resources(path: Path) -> list[Resource]:
    """Managed, non-deleted resource changes of a plan JSON as `Resource`s (test helper)."""
    plan = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for rc in plan.get("resource_changes", []):
        change = rc["change"]
        if rc.get("mode") != "managed" or change["actions"] == ["delete"]:
            continue
        after = change.get("after") or {}
        tags = after.get("tags_all") or after.get("tags") or {}
        out.append(Resource(rc["type"], rc["address"], "tfplan", dict(after), dict(tags),
                            unknown=frozenset(_unknown_paths(change.get("after_unknown") or {})),
                            action=_ACTIONS.get(tuple(change["actions"]), "update")))
    return out


def test_every_fixture_says_who_wrote_it():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert "written by the plangate team" in readme.lower()
    for path in FIXTURES.rglob("*"):
        if path.suffix in (".tf", ".yml", ".yaml", ".csv"):
            head = path.read_text(encoding="utf-8").splitlines()[0]
            assert "plangate team" in head, f"{path} does not say it is ours"
        elif path.suffix == ".json":  # JSON has no comments: the README covers these folders
            assert path.parent.parent.name in ("infracost",) or path.parent.name in readme, path


def test_plan_helper_reads_the_infracost_fixtures():
    resources = plan_resources(FIXTURES / "infracost" / "cloudwatch_log_group_test" / "plan.json")
    assert [r.address for r in resources] == [
        "aws_cloudwatch_log_group.logs", "aws_cloudwatch_log_group.logs_withUsage",
        "aws_cloudwatch_log_group.logs_count_withUsage[0]", "aws_cloudwatch_log_group.logs_count_withUsage[1]",
        "aws_cloudwatch_log_group.logs_count_withUsage[2]"]
    assert "arn" in resources[0].unknown
