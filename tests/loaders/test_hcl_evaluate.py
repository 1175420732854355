"""The HCL evaluator (tfparse) and the defects plangate corrects or detects, one test each.

Fixture trees: tests/fixtures/hcl_plan/ (written by the plangate team, with the plans Terraform
made for them) and small trees written into a temporary folder by the tests themselves.

``python tests/loaders/test_hcl_evaluate.py --taggable`` regenerates
plangate/data/aws_taggable_types.txt from the AWS provider in the offline mirror.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from plangate.errors import InputError
from plangate.loaders import hcl, load
from plangate.loaders.hcl import blocks, evaluate, syntax
from plangate.model import Instances, Resource

pytest.importorskip("tfparse", reason="tfparse (the HCL evaluator) is not installed")

PLANS = FIXTURES / "hcl_plan"
TAGGABLE = ROOT / "plangate" / "data" / "aws_taggable_types.txt"


def _write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return directory


def _by_address(resources: list[Resource]) -> dict[str, Resource]:
    return {r.address: r for r in resources}


def _plan_addresses(plan: Path) -> list[str]:
    data = json.loads(plan.read_text())
    return sorted(c["address"] for c in data["resource_changes"] if c["mode"] == "managed")


def test_addresses_are_the_plans_through_nested_modules_count_and_for_each() -> None:
    resources = load(PLANS / "nested_modules")
    assert sorted(r.address for r in resources) == _plan_addresses(PLANS / "nested_modules.plan.json")
    by = _by_address(resources)
    fn = by['module.tier["gold"].aws_lambda_function.this']
    assert (fn.module, fn.properties["memory_size"], fn.instances) == ('module.tier["gold"]', 3008, Instances())
    assert fn.properties["tracing_config"] == [{"mode": "Active"}]  # blocks as a plan holds them
    logs = by["module.scorer.module.logs.aws_cloudwatch_log_group.this"]
    assert logs.properties["retention_in_days"] == 30  # the caller's argument, two levels down
    assert by["module.explainer.module.logs.aws_cloudwatch_log_group.this"].properties["retention_in_days"] is None


def test_tfvars_and_auto_tfvars_are_loaded_and_win_over_defaults() -> None:
    by = _by_address(load(PLANS / "counts"))
    # replicas = 2 and retention_days = 14 in terraform.tfvars; enable_warmer and environment in prod.auto.tfvars
    assert {"aws_lambda_function.ranker[0]", "aws_lambda_function.ranker[1]"} <= by.keys()
    assert by["aws_cloudwatch_log_group.shard[2]"].properties["retention_in_days"] == 14
    assert "aws_lambda_provisioned_concurrency_config.warm[0]" in by
    assert by["aws_sqs_queue.events[\"click\"]"].tags["Environment"] == "prod"
    assert not any(a.startswith("aws_lambda_function.shadow") for a in by)  # count = false ? 1 : 0
    assert blocks.tfvars_files(PLANS / "counts") == ["terraform.tfvars", "prod.auto.tfvars"]


def test_fake_uuids_for_apply_time_values_are_unknown(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": """
        resource "aws_iam_role" "r" {
          name = "r"
        }
        resource "terraform_data" "suffix" {
          input = "x"
        }
        resource "aws_lambda_function" "f" {
          function_name = "f-${terraform_data.suffix.id}"
          role          = aws_iam_role.r.arn
          description   = "build 0e8a8f8c-3c39-4bd4-9e7b-3f3b9c5a1d2e"
        }
        """})
    fn = _by_address(load(tmp_path))["aws_lambda_function.f"]
    assert {"function_name", "role"} <= fn.unknown
    # a UUID written in the source is a real value, not a stand-in
    assert fn.properties["description"] == "build 0e8a8f8c-3c39-4bd4-9e7b-3f3b9c5a1d2e"


def test_a_module_call_dropped_after_a_random_input_is_reported_never_passed(tmp_path: Path) -> None:
    _write(tmp_path, {
        "main.tf": """
            resource "random_id" "s" {
              byte_length = 4
            }
            module "a" {
              source = "./modules/m"
              name   = "x-${random_id.s.hex}"
            }
            module "b" {
              source = "./modules/m"
              name   = "b"
            }
            """,
        "modules/m/main.tf": """
            variable "name" {}
            resource "aws_sqs_queue" "q" {
              name = var.name
            }
            """})
    by = _by_address(load(tmp_path))
    assert "name" in by["module.a.aws_sqs_queue.q"].unknown
    if "module.b.aws_sqs_queue.q" not in by:  # tfparse 0.6.22 drops it
        call = by["module.b"]
        assert call.type == hcl.MODULE_CALL and "its resources were not checked" in call.notes[0]


def test_a_missing_local_module_folder_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": 'module "gone" {\n  source = "./modules/gone"\n}\n'})
    (call,) = load(tmp_path)
    assert (call.type, call.address, call.properties) == (
        hcl.MODULE_CALL, "module.gone", {"name": "gone", "source": "./modules/gone"})


def test_default_tags_follow_aliases_and_providers_maps_for_taggable_types() -> None:
    by = _by_address(load(PLANS / "provider_tags"))
    assert by["module.us.aws_lambda_function.translate"].tags["Owner"] == "lang-ml"
    eu = by["module.eu.aws_lambda_function.translate"]  # providers = { aws = aws.eu }
    assert (eu.tags["CostCenter"], "Owner" in eu.tags) == ("cc-5151", False)
    assert by["aws_cloudwatch_log_group.eu_audit"].tags == {
        "CostCenter": "cc-5151", "Environment": "prod", "Project": "translation-eu", "Owner": "lang-ml"}
    assert by["aws_sqs_queue.batch"].tags["Environment"] == ""  # a default overridden with ""
    assert by["module.eu.aws_apigatewayv2_route.health"].tags == {}  # no tags_all: defaults do not apply


def test_count_and_for_each_over_apply_time_values_are_instances_unknown(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": """
        resource "aws_sqs_queue" "other" {
          name = "o"
        }
        resource "aws_sqs_queue" "n" {
          count = length(aws_sqs_queue.other.arn) > 3 ? 2 : 1
          name  = "n"
        }
        resource "aws_sqs_queue" "fe" {
          for_each = toset([aws_sqs_queue.other.arn])
          name     = "fe"
        }
        variable "replicas" {}
        resource "aws_sqs_queue" "v" {
          count = var.replicas
          name  = "v"
        }
        resource "aws_sqs_queue" "known" {
          count = length(aws_sqs_queue.other.name) > 0 ? 2 : 0
          name  = "k"
        }
        """})
    by = _by_address(load(tmp_path))
    assert by["aws_sqs_queue.n"].instances == Instances("count", None)
    assert by["aws_sqs_queue.fe"].instances == Instances("for_each", None)
    assert by["aws_sqs_queue.v"].instances == Instances("count", None)
    assert {"aws_sqs_queue.known[0]", "aws_sqs_queue.known[1]"} <= by.keys()  # a known attribute decides
    assert not any("[" in a for a in by if a.startswith(("aws_sqs_queue.n", "aws_sqs_queue.fe")))


def test_a_branch_chosen_by_a_module_output_known_at_plan_time_makes_the_instances_terraform_plans(
        tmp_path: Path) -> None:
    # tfparse expands for_each before it reads module outputs (and leaves a local reading one
    # unresolved when the call passes a null): the branch its own output value chooses is taken,
    # never one standing for all, unless the output reads what only the plan knows
    _write(tmp_path, {"main.tf": """
        variable "off" {
          default = null
        }
        module "on" {
          source  = "./label"
          enabled = var.off
        }
        module "off" {
          source  = "./label"
          enabled = false
        }
        module "region" {
          source  = "./label"
          enabled = data.aws_region.current.name == "us-east-1"
        }
        data "aws_region" "current" {}
        locals {
          on = module.on.enabled
        }
        resource "aws_sqs_queue" "shard" {
          for_each = local.on ? toset(["a", "b"]) : toset([])
          name     = "shard-${each.key}"
        }
        resource "aws_sqs_queue" "control" {
          count = local.on ? 1 : 0
          name  = "control"
        }
        resource "aws_sqs_queue" "none" {
          for_each = module.off.enabled ? toset(["a"]) : toset([])
          name     = "none"
        }
        resource "aws_sqs_queue" "regional" {
          for_each = module.region.enabled ? toset(["a"]) : toset([])
          name     = "regional"
        }
        module "topic" {
          source      = "./topic"
          subscribers = { ops = "ops@example.com", "on-call" = "oncall@example.com" }
        }
        """, "topic/main.tf": """
        variable "subscribers" {}
        module "this" {
          source = "../label"
        }
        locals {
          enabled = module.this.enabled
        }
        resource "aws_sns_topic_subscription" "this" {
          for_each = local.enabled ? var.subscribers : {}
          endpoint = each.value
        }
        """, "label/main.tf": """
        variable "enabled" {
          default = null
        }
        output "enabled" {
          value = var.enabled == null ? true : var.enabled
        }
        """})
    by = _by_address(load(tmp_path))
    subscription = "module.topic.aws_sns_topic_subscription.this"
    assert {a for a in by if a.startswith(subscription)} == {  # the caller's map, its keys written out
        f'{subscription}["ops"]', f'{subscription}["on-call"]'}
    assert {a for a in by if a.startswith("aws_sqs_queue.")} == {
        'aws_sqs_queue.shard["a"]', 'aws_sqs_queue.shard["b"]', "aws_sqs_queue.control[0]", "aws_sqs_queue.regional"}
    assert by['aws_sqs_queue.shard["a"]'].instances.known and "name" in by['aws_sqs_queue.shard["a"]'].unknown
    assert by["aws_sqs_queue.regional"].instances == Instances("for_each", None)


def test_a_module_count_over_apply_time_values_makes_its_resources_instances_unknown(tmp_path: Path) -> None:
    _write(tmp_path, {
        "main.tf": """
            resource "aws_sqs_queue" "other" {
              name = "o"
            }
            module "a" {
              source = "./modules/m"
              count  = length(aws_sqs_queue.other.arn) > 3 ? 2 : 1
            }
            module "b" {
              source = "./modules/m"
              count  = 2
            }
            """,
        "modules/m/main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'})
    by = _by_address(load(tmp_path))
    assert sorted(by) == ["aws_sqs_queue.other", "module.a.aws_sqs_queue.q", "module.b[0].aws_sqs_queue.q",
                          "module.b[1].aws_sqs_queue.q"]
    assert by["module.a.aws_sqs_queue.q"].instances == Instances("count", None)


def test_unknown_instance_counts_are_unknown_in_cost(tmp_path: Path) -> None:
    from plangate.cost import estimate, prices, usage

    _write(tmp_path, {"main.tf": """
        variable "replicas" {}
        resource "aws_sqs_queue" "q" {
          count = var.replicas
          name  = "q"
        }
        """})
    per_queue = usage.parse("version: 0.1\nresource_usage:\n  aws_sqs_queue.q[*]:\n    monthly_requests: 2000000\n",
                            "u.yml")
    (rc,) = estimate.estimate(load(tmp_path), per_queue, prices.load(), "us-east-1").resources
    assert rc.unknown_reasons == ("instance count (count) unknown: priced for one instance",)


def test_a_budget_says_unknown_for_instances_unknown(tmp_path: Path) -> None:
    from plangate.cli import main

    _write(tmp_path / "infra", {"main.tf": """
        variable "replicas" {}
        resource "aws_sqs_queue" "q" {
          count = var.replicas
          name  = "q"
          tags  = { Project = "fraud" }
        }
        """})
    (tmp_path / "usage.yml").write_text("version: 0.1\nresource_usage:\n  aws_sqs_queue.q[*]:\n"
                                        "    monthly_requests: 2000000\n")
    (tmp_path / "plangate.yaml").write_text(
        f"rules:\n  monthly-budget:\n    usage_file: {tmp_path / 'usage.yml'}\n"
        "    tags:\n      Project:\n        fraud: 100\n")
    out = tmp_path / "r.json"
    main(["scan", str(tmp_path / "infra"), "-c", str(tmp_path / "plangate.yaml"), "-f", "json", "-o", str(out)])
    (budget,) = [f for f in json.loads(out.read_text())["findings"] if f["rule_id"] == "PG-BUD-001"]
    assert budget["outcome"] == "unknown" and "instance count (count) unknown" in budget["message"]


def test_override_files_are_merged_and_tf_json_is_read() -> None:
    by = _by_address(load(PLANS / "overrides"))
    fn = by["aws_lambda_function.stt"]
    assert fn.properties["reserved_concurrent_executions"] == 10
    assert fn.properties["tracing_config"] == [{"mode": "Active"}]
    assert fn.properties["memory_size"] == 3008 and fn.properties["function_name"] == "speech-to-text"
    logs = by["aws_cloudwatch_log_group.stt"]
    assert (logs.properties["name"], logs.properties["retention_in_days"]) == ("/aws/lambda/speech-to-text", 90)
    assert by["aws_api_gateway_method.transcribe"].properties["authorization"] == "AWS_IAM"
    alarm = by["aws_cloudwatch_metric_alarm.stt_errors"]  # from alarms.tf.json
    assert alarm.properties["dimensions"] == {"FunctionName": "speech-to-text"}
    assert not any(a.startswith("data.") for a in by)  # data sources are read, not deployed
    assert sorted(by) == _plan_addresses(PLANS / "overrides.plan.json")


@pytest.mark.parametrize("started_in", [".", "working_directory"])
def test_values_built_from_path_cwd_are_unknown_wherever_plangate_runs(monkeypatch, started_in: str) -> None:
    """tfparse takes path.cwd (and abspath's base) from the scanning process's directory; Terraform from
    where it was started: only the plan knows it, whichever directory the scan runs in."""
    monkeypatch.chdir(PLANS / started_in)
    (queue,) = load(PLANS / "working_directory")
    assert (queue.properties.get("name"), queue.tags, queue.unknown) == (
        None, {"Owner": "platform", "Project": "examples", "CostCenter": "cc-0001"},
        frozenset({"name", "tags.Name", "tags.Environment"}))


def test_values_read_from_data_sources_are_unknown_not_invented() -> None:
    (fn,) = [r for r in load(PLANS / "plan_only_values") if r.address == "aws_lambda_function.embed"]
    assert "function_name" in fn.unknown and "function_name" not in fn.properties  # not "embed-current-region"


def test_values_derived_from_data_sources_are_unknown_wherever_they_flow() -> None:
    got = _by_address(load(PLANS / "unknown_flows"))
    known = {"CostCenter": "cc-4410", "Owner": "ml-platform", "Project": "fraud"}
    # item 1: through a local and a conditional (tfparse's invented region chose "dev")
    assert (got["aws_s3_bucket.conditional"].tags, got["aws_s3_bucket.conditional"].unknown) == (
        known, frozenset({"tags.Environment"}))
    # item 2: an interpolation inside a local object: present and unknown, never missing
    assert (got["aws_s3_bucket.interpolated"].tags, got["aws_s3_bucket.interpolated"].unknown) == (
        known, frozenset({"tags.Environment"}))
    # through lookup() into an interpolated name, and merge() of a local
    assert {"bucket", "tags"} <= got["aws_s3_bucket.merged"].unknown
    assert "bucket" not in got["aws_s3_bucket.merged"].properties


def test_one_apply_time_environment_value_makes_the_whole_map_unknown_as_the_plan_does() -> None:
    fn = _by_address(load(PLANS / "unknown_flows"))["aws_lambda_function.proxy"]
    assert "environment.0.variables" in fn.unknown and fn.properties["environment"] == [{}]
    assert not any(p.startswith("environment.0.variables.") for p in fn.unknown)


def test_sensitive_values_are_redacted(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": """
        variable "token" {
          type      = string
          sensitive = true
          default   = "tok-not-a-real-secret"
        }
        resource "aws_lambda_function" "f" {
          function_name = "f"
          environment {
            variables = { TOKEN = var.token, MODE = "x" }
          }
          tags = { Secret = var.token }
        }
        """})
    (fn,) = load(tmp_path)
    assert fn.secret == {"environment.0.variables.TOKEN", "tags.Secret"}
    assert fn.properties["environment"][0]["variables"]["MODE"] == "x"
    assert "tok-not-a-real-secret" not in repr(fn) and "tok-not-a-real-secret" not in str(fn.properties)


def test_a_scanned_folder_splits_into_root_modules_each_its_own_stack() -> None:
    tree = PLANS / "two_roots"
    folders = [tree / "batch", tree / "modules" / "tagged_fn", tree / "serving"]
    assert hcl.roots(folders) == [tree / "batch", tree / "serving"]
    resources = load(tree)
    assert {r.stack for r in resources} == {str(tree / "batch"), str(tree / "serving")}
    assert not any(r.address.startswith("aws_lambda_function.") for r in resources)  # only through its calls


def test_the_hcl_path_stays_small_and_plain() -> None:
    """Everything under plangate/loaders/hcl/ (its parser included) is at most 1,900 lines, and nothing in it
    prestarts workers, passes stderr through memfd, runs a ``python -S`` worker or frames messages by hand: roots
    run side by side through a standard process pool only (issue 20)."""
    files = sorted((ROOT / "plangate" / "loaders" / "hcl").glob("*.py"))
    assert sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files) <= 1900
    text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    assert not re.search(r"prestart|memfd|[\"']-S[\"']|pickle|struct\.|os\.pipe|socket|atexit", text, re.I)


def test_roots_side_by_side_in_processes_give_what_one_process_gives(monkeypatch) -> None:
    """``PLANGATE_HCL_WORKERS=2`` evaluates the two roots in a process pool started with Go's
    collector settings; the answer is the same and this process's environment is left as it was."""
    from plangate.loaders.hcl import run

    folders = [PLANS / "two_roots" / "batch", PLANS / "two_roots" / "serving"]
    monkeypatch.setenv(run.WORKERS, "0")
    alone = hcl.load_tree(folders)
    monkeypatch.setenv(run.WORKERS, "2")
    monkeypatch.delenv("GOGC", raising=False)
    assert run.processes(2, 0) == 2
    assert hcl.load_tree(folders) == alone
    assert "GOGC" not in os.environ


def test_a_root_tfparse_refuses_is_reported_not_checked_never_read_another_way(tmp_path: Path,
                                                                             monkeypatch) -> None:
    import tfparse

    def refuse(*args, **kwargs):
        raise tfparse.ParseError("main.tf:3: Unsupported argument\nmore detail")

    monkeypatch.setattr(tfparse, "load_from_path", refuse)
    _write(tmp_path, {"main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'})
    got = load(tmp_path)
    assert [(r.type, r.address, r.stack) for r in got] == [(hcl.MODULE_CALL, "(root module)", str(tmp_path))]
    assert got[0].notes == ("tfparse refused it: main.tf:3: Unsupported argument: nothing in this root module "
                            "was checked; fix the configuration or scan the plan JSON",)


def test_without_tfparse_scanning_hcl_is_bad_input_naming_the_fix(tmp_path: Path, monkeypatch, capsys) -> None:
    from plangate.cli import main

    _write(tmp_path, {"main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'})
    monkeypatch.setitem(sys.modules, "tfparse", None)  # what `import tfparse` then does: ImportError
    assert main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'plangate[hcl]'" in err


@pytest.mark.parametrize("meta,message", [
    ("count = -1", "aws_sqs_queue.q: count = -1 is negative"),
    ("count = 100000000000", "aws_sqs_queue.q: count makes 100000000000 instances, more than the limit of "
                             "10,000 per block"),
    ("for_each = toset(range(1000000))", "aws_sqs_queue.q: for_each makes 1000000 instances, more than the "
                                         "limit of 10,000 per block"),
])
def test_an_expansion_past_the_limits_is_bad_input_before_tfparse_is_asked(tmp_path: Path, meta, message,
                                                                           monkeypatch) -> None:
    from plangate.loaders.hcl import run

    _write(tmp_path, {"main.tf": f'resource "aws_sqs_queue" "q" {{\n  {meta}\n  name = "q"\n}}\n'})
    monkeypatch.setattr(run, "evaluate", lambda *a: pytest.fail("tfparse was asked"))
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    assert (caught.value.file, caught.value.line, caught.value.problem) == (str(tmp_path / "main.tf"), 1, message)


@pytest.mark.parametrize("files,file,line,message", [
    ({"main.tf": 'variable "n" {\n  default = 1\n}\nresource "aws_sqs_queue" "q" {\n  count = var.n\n}\n',
      "terraform.tfvars": "n = 100000000000\n"},
     "main.tf", 4, "aws_sqs_queue.q: count makes 100000000000 instances, more than the limit of 10,000 per block"),
    ({"main.tf": 'variable "names" {\n  default = []\n}\nresource "aws_sqs_queue" "q" {\n  for_each = var.names\n}\n',
      "x.auto.tfvars.json": json.dumps({"names": {f"q{i}": i for i in range(10_001)}})},
     "main.tf", 4, "aws_sqs_queue.q: for_each makes 10001 instances, more than the limit of 10,000 per block"),
    ({"main.tf": 'module "m" {\n  source = "./m"\n  n      = -2\n}\n',
      "m/main.tf": 'variable "n" {}\nresource "aws_sqs_queue" "q" {\n  count = var.n\n}\n'},
     "m/main.tf", 2, "aws_sqs_queue.q: count = -2 is negative"),
    ({"main.tf": 'variable "n" {}\nmodule "m" {\n  source = "./m"\n  n      = var.n\n}\n',
      "terraform.tfvars": "n = 20000\n",
      "m/main.tf": 'variable "n" {\n  default = 1\n}\nmodule "inner" {\n  source = "../inner"\n  size   = var.n\n}\n',
      "inner/main.tf": 'variable "size" {}\nresource "aws_sqs_queue" "q" {\n  count = var.size\n}\n'},
     "inner/main.tf", 2, "aws_sqs_queue.q: count makes 20000 instances, more than the limit of 10,000 per block"),
    ({"main.tf": 'locals {\n  n = 100000\n}\nresource "aws_sqs_queue" "q" {\n  count = local.n\n}\n'},
     "main.tf", 4, "aws_sqs_queue.q: count makes 100000 instances, more than the limit of 10,000 per block"),
    ({"main.tf": 'variable "n" {\n  default = 3\n}\nlocals {\n  m = var.n\n}\nmodule "m" {\n  source = "./m"\n'
                 '  n      = local.m\n}\n',
      "terraform.tfvars": "n = 50000\n",
      "m/main.tf": 'variable "n" {}\nlocals {\n  size = var.n\n}\n'
                   'resource "aws_sqs_queue" "q" {\n  count = local.size\n}\n'},
     "m/main.tf", 5, "aws_sqs_queue.q: count makes 50000 instances, more than the limit of 10,000 per block"),
])
def test_a_count_set_by_a_variable_file_or_a_module_argument_is_limited_before_tfparse(
        tmp_path: Path, files: dict[str, str], file: str, line: int, message: str, monkeypatch) -> None:
    """tfparse never returned on ``count = var.n`` with ``n = 100000000000`` in terraform.tfvars,
    nor on ``count = local.n`` (a scan that hangs CI): the value a variable or a local may be given
    is checked, wherever it is set."""
    from plangate.loaders.hcl import run

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(run, "evaluate", lambda *a: pytest.fail("tfparse was asked"))
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    assert (caught.value.file, caught.value.line, caught.value.problem) == (str(tmp_path / file), line, message)


@pytest.mark.parametrize("value,message", [
    ("100000", "aws_sqs_queue.q: count makes 100000 instances, more than the limit of 10,000 per block"),
    ("-3", "aws_sqs_queue.q: count = -3 is negative"),
    ('["a", "b", "c"]', None),  # a list: no count, left to tfparse (and to Terraform's type error)
])
def test_a_count_set_by_a_tf_var_environment_variable_is_limited_before_tfparse(
        tmp_path: Path, value: str, message: str | None, monkeypatch) -> None:
    """Terraform and tfparse give a root variable the value of ``TF_VAR_name``, which CI jobs export for the plan
    step: with ``TF_VAR_n=100000`` tfparse had not returned after 40 s, and with ``-3`` it made no instance and the
    gate passed a configuration Terraform refuses."""
    from plangate.loaders.hcl import run

    _write(tmp_path, {"main.tf": 'variable "n" {\n  default = 1\n}\n'
                                 'resource "aws_sqs_queue" "q" {\n  count = var.n\n}\n'})
    monkeypatch.setenv("TF_VAR_n", value)
    monkeypatch.setenv("TF_VAR_other", "{ unclosed")  # not an expression: no value for the limits, no error
    if message is None:
        load(tmp_path)
        return
    monkeypatch.setattr(run, "evaluate", lambda *a: pytest.fail("tfparse was asked"))
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    assert (caught.value.file, caught.value.line, caught.value.problem) == (str(tmp_path / "main.tf"), 4, message)


def test_a_count_through_locals_that_refer_to_each_other_is_left_to_tfparse(tmp_path: Path) -> None:
    """A cycle gives the limits no value (and does not recurse forever)."""
    from plangate.loaders.hcl import blocks, limits

    _write(tmp_path, {"main.tf": 'locals {\n  a = local.b\n  b = local.a\n}\n'})
    assert limits._possible("${local.a}", blocks.folder_blocks(tmp_path, {}), {}) == []


def test_a_variable_file_that_is_not_an_object_is_bad_input(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', "terraform.tfvars.json": "[1]"})
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    assert (caught.value.file, caught.value.problem) == (
        str(tmp_path / "terraform.tfvars.json"), "the file: Terraform's JSON needs an object here, not an array")


def test_invalid_hcl_is_one_clear_error(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": 'resource "aws_sqs_queue" "q" {\n  name = = "q"\n}\n'})
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    assert (caught.value.file, caught.value.line) == (str(tmp_path / "main.tf"), 2)


def test_importing_the_engine_does_not_load_tfparse() -> None:
    code = "import sys, plangate.engine, plangate.loaders; assert 'tfparse' not in sys.modules, 'tfparse loaded'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_a_waiver_on_a_module_address_matches_in_hcl_as_in_the_plan(tmp_path: Path) -> None:
    from plangate.cli import main

    (tmp_path / "plangate.yaml").write_text(textwrap.dedent("""
        waivers:
          - rule: cost-allocation-tags
            resource: "module.eu.*"
            reason: "the EU stack is tagged by its own pipeline"
            owner: lang-ml
            expires: 2027-06-30
        """))
    outcomes = []
    for source in (PLANS / "provider_tags", PLANS / "provider_tags.plan.json"):
        out = tmp_path / "r.json"
        main(["scan", str(source), "-c", str(tmp_path / "plangate.yaml"), "--today", "2026-12-01",
              "-f", "json", "-o", str(out)])
        findings = json.loads(out.read_text())["findings"]
        outcomes.append(sorted((f["address"], f["outcome"]) for f in findings
                               if f["rule_id"] == "PG-TAG-001" and f["address"].startswith("module.eu.")))
    assert outcomes[0] == outcomes[1] and outcomes[0] and {o for _, o in outcomes[0]} == {"waived"}


def test_the_json_report_names_the_engine_that_read_the_hcl(tmp_path: Path) -> None:
    from plangate.cli import main

    _write(tmp_path / "infra", {"main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'})
    out = tmp_path / "r.json"
    main(["scan", str(tmp_path / "infra"), "-f", "json", "-o", str(out)])
    assert json.loads(out.read_text())["hcl_engine"] == hcl.evaluator_version()
    assert hcl.evaluator_version().startswith("tfparse ")


def test_a_registry_module_terraform_init_downloaded_is_expanded_and_one_it_did_not_is_named(tmp_path: Path) -> None:
    call = """
        module "x" {
          source  = "terraform-aws-modules/s3-bucket/aws"
          version = "4.0.0"
          bucket  = "b"
        }
    """
    _write(tmp_path / "fresh", {"main.tf": call})
    assert [(r.address, r.type) for r in load(tmp_path / "fresh")] == [("module.x", hcl.MODULE_CALL)]
    _write(tmp_path / "initialised", {
        "main.tf": call,
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "x", "Source": "registry.terraform.io/terraform-aws-modules/s3-bucket/aws",
             "Version": "4.0.0", "Dir": ".terraform/modules/x"}]}),
        ".terraform/modules/x/main.tf":
            'variable "bucket" {}\nresource "aws_s3_bucket" "this" {\n  bucket = var.bucket\n}\n',
    })
    (bucket,) = load(tmp_path / "initialised")
    assert bucket.address == "module.x.aws_s3_bucket.this" and bucket.properties["bucket"] == "b"

def _downloaded(root: Path, module: str) -> Path:
    """``root`` after ``terraform init``: registry module "x" (``module``: its main.tf) in .terraform/modules."""
    return _write(root, {
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "x", "Source": "registry.terraform.io/acme/x/aws", "Version": "1.0.0",
             "Dir": ".terraform/modules/x"}]}),
        ".terraform/modules/x/main.tf": module})


def test_values_flow_into_a_downloaded_module_as_into_a_local_one(tmp_path: Path) -> None:
    # a sensitive variable stays secret, a data source's invented value unknown, through the module's variables
    # and locals: before, a downloaded module's folder was not followed and both were taken as tfparse wrote them
    _write(tmp_path, {"main.tf": """
        data "aws_region" "current" {}
        variable "token" {
          sensitive = true
          default   = "s3cr3t-value-123"
        }
        module "x" {
          source  = "acme/x/aws"
          version = "1.0.0"
          env     = data.aws_region.current.name == "us-east-1" ? "prod" : "dev"
          token   = var.token
        }
    """})
    _downloaded(tmp_path, """
        variable "env" {}
        variable "token" {}
        locals {
          name = "svc-${var.env}"
        }
        resource "aws_lambda_function" "f" {
          function_name = local.name
          environment {
            variables = {
              TOKEN = var.token
            }
          }
          tags = {
            Environment = var.env
          }
        }
    """)
    (f,) = load(tmp_path)
    assert f.address == "module.x.aws_lambda_function.f"
    assert "s3cr3t" not in repr(f.properties) and f.secret == {"environment.0.variables.TOKEN"}
    assert {"function_name", "tags.Environment"} <= f.unknown and "Environment" not in f.tags


def test_a_downloaded_module_is_held_to_the_limits_and_to_what_terraform_rejects(tmp_path: Path) -> None:
    _write(tmp_path / "big", {"main.tf": 'module "x" {\n  source = "acme/x/aws"\n  n = 100000000000\n}\n'})
    _downloaded(tmp_path / "big", 'variable "n" {}\nresource "aws_sqs_queue" "q" {\n  count = var.n\n}\n')
    with pytest.raises(InputError, match="more than the limit of 10,000 per block") as caught:
        load(tmp_path / "big")  # tfparse never returns on it
    assert caught.value.file.endswith(os.path.join(".terraform", "modules", "x", "main.tf"))
    _write(tmp_path / "extra", {"main.tf": 'module "x" {\n  source = "acme/x/aws"\n  nme = "q"\n}\n'})
    _downloaded(tmp_path / "extra", 'variable "name" {\n  default = "q"\n}\nresource "aws_sqs_queue" "q" {\n'
                                    '  name = var.name\n}\n')
    (refused,) = load(tmp_path / "extra")
    assert refused.type == hcl.MODULE_CALL and 'an argument "nme" is not expected here' in refused.notes[0]


def test_an_unreadable_module_manifest_is_bad_input_naming_it(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": 'module "x" {\n  source = "acme/x/aws"\n}\n',
                      ".terraform/modules/modules.json": '{"Modules": [{"Key": "x"}]}'})
    with pytest.raises(InputError, match="not a module manifest") as caught:
        load(tmp_path)
    assert caught.value.file.endswith("modules.json")
    # tfparse joins a Dir to the root, an absolute one too (it reads nothing there): so is it here, never the
    # folder the absolute path names, which would be checked in place of the one tfparse reads
    _write(tmp_path / "elsewhere", {"main.tf": 'resource "aws_sqs_queue" "q" {}\n'})
    _write(tmp_path / "root", {"main.tf": 'module "x" {\n  source = "acme/x/aws"\n}\n',
                               ".terraform/modules/modules.json": json.dumps(
        {"Modules": [{"Key": "x", "Source": "acme/x/aws", "Dir": str(tmp_path / "elsewhere")}]})})
    (call,) = load(tmp_path / "root")
    assert call.type == hcl.MODULE_CALL and "is not there" in call.notes[0]

def test_terraform_workspace_is_the_one_terraform_would_plan_in(tmp_path: Path, monkeypatch) -> None:
    # Terraform 1.11.4 plans "data-prod" with TF_WORKSPACE=prod, else the workspace `terraform workspace select`
    # recorded in .terraform/environment (TF_DATA_DIR's when set), else "default"; tfparse always took "default"
    _write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "data-${terraform.workspace}"\n}\n'})
    bucket = lambda: load(tmp_path)[0].properties["bucket"]  # noqa: E731
    monkeypatch.delenv("TF_WORKSPACE", raising=False)
    monkeypatch.delenv("TF_DATA_DIR", raising=False)
    assert bucket() == "data-default"
    _write(tmp_path, {".terraform/environment": "staging"})
    assert bucket() == "data-staging"
    monkeypatch.setenv("TF_DATA_DIR", str(tmp_path / "elsewhere"))
    assert bucket() == "data-default"
    monkeypatch.setenv("TF_WORKSPACE", "prod")
    assert bucket() == "data-prod"


def test_a_null_given_to_a_non_nullable_module_variable_is_its_default(tmp_path: Path) -> None:
    # Terraform 1.11.4 plans Environment = "prod" here (checked); tfparse passed the null: the tag was missing
    _write(tmp_path, {
        "main.tf": 'variable "env" {\n  default = null\n}\nmodule "m" {\n  source = "./m"\n'
                   '  environment = var.env\n}\n',
        "m/main.tf": 'variable "environment" {\n  default  = "prod"\n  nullable = false\n}\n'
                     'resource "aws_sqs_queue" "q" {\n  tags = { Environment = var.environment }\n}\n'})
    (queue,) = load(tmp_path)
    assert queue.tags == {"Environment": "prod"}


_LIFECYCLE_TREE = {"main.tf": """
    variable "enable_capture" {
      default = true
    }
    locals {
      ports = [80, 443]
    }
    resource "aws_security_group" "literal" {
      name = "literal"
      dynamic "ingress" {
        for_each = [80, 443, 22]
        content {
          from_port = ingress.value
          to_port   = ingress.value
          protocol  = "tcp"
        }
      }
      lifecycle {
        create_before_destroy = true
      }
    }
    resource "aws_security_group" "from_local" {
      name = "from_local"
      ingress {
        from_port = 1
        to_port   = 1
        protocol  = "tcp"
      }
      dynamic "ingress" {
        for_each = local.ports
        content {
          from_port = ingress.value
          to_port   = ingress.value
          protocol  = "tcp"
        }
      }
      dynamic "egress" {
        for_each = [1]
        content {
          from_port = 0
          to_port   = 0
          protocol  = "-1"
        }
      }
      lifecycle {
        create_before_destroy = true
      }
    }
    resource "aws_sagemaker_endpoint_configuration" "capture" {
      name = "capture"
      dynamic "data_capture_config" {
        for_each = var.enable_capture ? [1] : []
        content {
          initial_sampling_percentage = 20
        }
      }
      lifecycle {
        create_before_destroy = true
      }
    }
    resource "aws_security_group" "lifecycle_first" {
      name = "lifecycle_first"
      lifecycle {
        create_before_destroy = true
      }
      dynamic "ingress" {
        for_each = local.ports
        content {
          from_port = ingress.value
          to_port   = ingress.value
          protocol  = "tcp"
        }
      }
    }
"""}


def test_dynamic_blocks_tfparse_cuts_short_beside_a_lifecycle_block_are_unknown(tmp_path: Path) -> None:
    # tfparse drops the last block the last `dynamic` before a lifecycle block makes ([80, 443,
    # 22] gives two; [1] gives none): such blocks are unknown, never a shorter list; blocks it
    # returned in full (as many as the for_each can make) stay.
    by_address = {r.address: r for r in load(_write(tmp_path, _LIFECYCLE_TREE))}
    literal = by_address["aws_security_group.literal"]
    assert "ingress" in literal.unknown and "ingress" not in literal.properties
    from_local = by_address["aws_security_group.from_local"]
    assert [b["from_port"] for b in from_local.properties["ingress"]] == [1, 80, 443]
    assert "egress" in from_local.unknown and "ingress" not in from_local.unknown
    capture = by_address["aws_sagemaker_endpoint_configuration.capture"]
    assert "data_capture_config" in capture.unknown
    first = by_address["aws_security_group.lifecycle_first"]
    assert [b["from_port"] for b in first.properties["ingress"]] == [80, 443] and not first.unknown



@pytest.mark.parametrize(("text", "items"), [
    ("[]", 0), ("[1]", 1), ('["a,b", [1, 2], {x = 1}]', 3), ("[1, 2,]", 2), ("{}", 0), ("{a = 1, b = [2]}", 2),
    ('["${var.a}", var.b]', 2),  # an element whatever its value
    ('toset(["a", "b"])', 2), ("toset([])", 0),
    ("[for p in var.ports : p]", None), ("[1] + [2]", None), ("[1", None),  # not a collection written out
    ("toset(var.x)", None), ("toset([1]) + toset([2])", None),
])
def test_collections_written_out_are_counted_by_their_top_level_elements(text: str, items) -> None:
    written = evaluate._written(f"${{{text}}}")
    assert (len(written) if written is not None else None) == items


@pytest.mark.parametrize(("text", "parts"), [
    ("var.on ? [1] : []", ("var.on", "[1]", "[]")),
    ('var.on ? ["a:b", "c?"] : ["d"]', ("var.on", '["a:b", "c?"]', '["d"]')),
    ("var.on ? (var.x ? [1] : [2]) : []", ("var.on", "(var.x ? [1] : [2])", "[]")),
    ('local.m["k"] == "x" ? {} : { a = 1 }', ('local.m["k"] == "x"', "{}", "{ a = 1 }")),
    ("[1, 2]", None), ("var.a ? var.b ? [1] : [2] : []", None),  # unbracketed nesting: not read
])
def test_conditionals_split_at_their_top_level_marks(text: str, parts) -> None:
    assert syntax.conditional(f"${{{text}}}") == parts


def _taggable_from_provider() -> list[str]:
    """AWS types with tags_all, from the provider schema (terraform + the offline mirror)."""
    from terraform_oracle import CLI_CONFIG, unavailable

    if unavailable():
        pytest.skip(f"cannot read the provider schema: {unavailable()}")

    with tempfile.TemporaryDirectory() as work:
        Path(work, "main.tf").write_text(
            'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n')
        env = {**os.environ, "TF_CLI_CONFIG_FILE": str(CLI_CONFIG)}
        subprocess.run(["terraform", "init", "-input=false"], cwd=work, env=env, check=True, capture_output=True)
        out = subprocess.run(["terraform", "providers", "schema", "-json"], cwd=work, env=env, check=True,
                             capture_output=True).stdout
    schemas = json.loads(out)["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
    return sorted(t for t, s in schemas.items() if "tags_all" in s["block"].get("attributes", {}))


@pytest.mark.slow
def test_the_taggable_list_is_the_providers() -> None:
    from plangate import types

    assert sorted(types.TAGGABLE) == _taggable_from_provider()


if __name__ == "__main__" and sys.argv[1:] == ["--taggable"]:
    header = [line for line in TAGGABLE.read_text().splitlines() if line.startswith("#")]
    TAGGABLE.write_text("\n".join([*header, *_taggable_from_provider()]) + "\n")
