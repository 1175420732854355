"""Pulumi AWS tokens map onto Terraform types as the Pulumi AWS bridge maps them.

The table is plangate/data/pulumi_aws_types.csv (built by tools/pulumi_aws_types.py from the
bridge's bridge-metadata.json); the installed pulumi_aws SDK (pinned in requirements.txt) says
which tokens a real Pulumi program can produce.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT

from plangate.engine import scan
from plangate.loaders import pulumi, tfplan
from plangate.policy import defaults
from plangate.rules import RULES
from plangate.types import PROPERTY_RENAMES, TAGGABLE, pulumi_aws_types, pulumi_type

CSV = ROOT / "plangate" / "data" / "pulumi_aws_types.csv"


@cache
def _installed_tokens() -> frozenset[str]:
    """Every resource token the installed pulumi_aws registers (its modules' __init__.py)."""
    found: set[str] = set()
    spec = importlib.util.find_spec("pulumi_aws")  # located, not imported: importing it takes seconds
    for init in Path(spec.origin).parent.rglob("__init__.py"):
        found |= set(re.findall(r'"(aws:[a-zA-Z0-9]+/[a-zA-Z0-9]+:[A-Za-z0-9]+)"', init.read_text(encoding="utf-8")))
    return frozenset(found)


def _generator():
    spec = importlib.util.spec_from_file_location("pulumi_aws_types_tool", ROOT / "tools" / "pulumi_aws_types.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("token", "expected"), [
    # the bridge's renames, which the old naming rule got wrong
    ("aws:rds/instance:Instance", "aws_db_instance"),
    ("aws:rds/subnetGroup:SubnetGroup", "aws_db_subnet_group"),
    ("aws:lb/loadBalancer:LoadBalancer", "aws_lb"),
    ("aws:alb/loadBalancer:LoadBalancer", "aws_alb"),
    ("aws:elb/loadBalancer:LoadBalancer", "aws_elb"),
    ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
    ("aws:ec2transitgateway/transitGateway:TransitGateway", "aws_ec2_transit_gateway"),
    ("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "aws_ec2_transit_gateway_vpc_attachment"),
    ("aws:amp/workspace:Workspace", "aws_prometheus_workspace"),
    ("aws:codepipeline/pipeline:Pipeline", "aws_codepipeline"),
    ("aws:cfg/rule:Rule", "aws_config_config_rule"),
    # rows the old overrides held
    ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
    ("aws:lambda/function:Function", "aws_lambda_function"),
    ("aws:budgets/budget:Budget", "aws_budgets_budget"),
    # a `_legacy` row: since pulumi-aws v7 aws.s3.Bucket is the aws_s3_bucket resource
    ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
    ("aws:ec2/vpc:Vpc", "aws_vpc"),
    # not in the table: the naming rule
    ("aws:s3/bucketAcl:BucketAcl", "aws_s3_bucket_acl"),
    ("kubernetes:apps/v1:Deployment", "kubernetes_deployment"),
    ("gcp:storage/bucket:Bucket", "gcp_storage_bucket"),
    ("pulumi:providers:aws", "pulumi_provider"),
    ("pulumi:pulumi:Stack", "pulumi_component"),
    ("aws:s3:BucketEventSubscription", "pulumi_component"),
])
def test_tokens_map_to_terraform_types(token, expected):
    assert pulumi_type(token) == expected


def test_the_table_is_what_the_generator_writes():
    """Well-formed rows, one per token, and the file is the generator's own output (no hand edits)."""
    text = CSV.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    commit = re.search(r"@ ([0-9a-f]{40}),", header[1]).group(1)
    note = "\n".join(line.removeprefix("# ") for line in header[5:])
    table = pulumi_aws_types()
    assert _generator().render(sorted(table.items()), commit, note) == text
    assert len(table) == len(text.splitlines()) - len(header) - 1  # no token twice
    assert all(re.fullmatch(r"aws_[a-z0-9_]+", t) and not t.endswith("_legacy") for t in table.values())


def test_every_taggable_type_the_bridge_maps_is_reached_by_an_installed_token():
    reached = {pulumi_type(t) for t in _installed_tokens()}
    mapped = TAGGABLE & set(pulumi_aws_types().values())
    # OpsWorks left pulumi-aws in v7: its tokens are in the bridge table, not in the SDK.
    assert mapped - reached == {
        "aws_opsworks_custom_layer", "aws_opsworks_ecs_cluster_layer", "aws_opsworks_ganglia_layer",
        "aws_opsworks_haproxy_layer", "aws_opsworks_java_app_layer", "aws_opsworks_memcached_layer",
        "aws_opsworks_mysql_layer", "aws_opsworks_nodejs_app_layer", "aws_opsworks_php_app_layer",
        "aws_opsworks_rails_app_layer", "aws_opsworks_stack", "aws_opsworks_static_web_layer",
    }
    assert all(t.startswith("aws:opsworks/") for t, tf in pulumi_aws_types().items() if tf in mapped - reached)


def test_taggable_types_no_installed_token_reaches_yet():
    """The table predates pulumi-aws v7.51.1 (see its header); these taggable types came later
    and the bridge maps them under tokens the naming rule cannot guess.  Regenerating the table
    from v7.51.1's bridge-metadata.json should empty this set: then update this test."""
    reached = {pulumi_type(t) for t in _installed_tokens()}
    retired = {t for t in TAGGABLE if t.startswith("aws_opsworks_")}
    assert TAGGABLE - reached - retired == {
        "aws_bcmdataexports_export", "aws_bedrockagent_agent", "aws_bedrockagent_agent_alias",
        "aws_bedrockagent_knowledge_base", "aws_bedrockagent_prompt", "aws_chimesdkvoice_sip_media_application",
        "aws_chimesdkvoice_voice_profile_domain", "aws_docdbelastic_cluster", "aws_ec2_capacity_block_reservation",
        "aws_ec2_instance_connect_endpoint", "aws_internetmonitor_monitor", "aws_lexv2models_bot",
        "aws_media_packagev2_channel_group", "aws_notificationscontacts_email_contact",
        "aws_opensearchserverless_collection", "aws_osis_pipeline", "aws_pinpointsmsvoicev2_configuration_set",
        "aws_pinpointsmsvoicev2_opt_out_list", "aws_pinpointsmsvoicev2_phone_number", "aws_prometheus_scraper",
        "aws_route53profiles_association", "aws_route53profiles_profile",
        "aws_servicecatalogappregistry_application", "aws_servicecatalogappregistry_attribute_group",
        "aws_ssmcontacts_rotation", "aws_ssmquicksetup_configuration_manager",
    }


@pytest.mark.xfail(strict=True, reason="the table was built from a bridge-metadata.json older than "
                   "pulumi-aws v7.51.1 (the v7.51.1 file was not obtainable); 607 newer tokens are missing")
def test_every_installed_token_is_in_the_table():
    assert sorted(_installed_tokens() - pulumi_aws_types().keys()) == []


def test_the_table_tokens_still_in_the_sdk_are_most_of_it():
    """A regression guard on the table itself: it is not some other provider's, nor truncated."""
    table = pulumi_aws_types()
    assert len(table.keys() & _installed_tokens()) == 1140


def test_property_renames_are_keyed_by_types_tokens_reach():
    reached = set(pulumi_aws_types().values())
    assert set(PROPERTY_RENAMES) <= reached


# ------------------------------------------------------------------------- the generator


def test_generator_rows_drop_legacy_and_sort():
    metadata = {"renames": {"resources": {
        "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
        "aws:rds/instance:Instance": "aws_db_instance",
        "aws:s3/bucket:Bucket": "aws_s3_bucket_legacy",
    }, "functions": {"aws:s3/getBucket:getBucket": "aws_s3_bucket"}}}
    assert _generator().rows(metadata) == [
        ("aws:rds/instance:Instance", "aws_db_instance"),
        ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
        ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
    ]


@pytest.mark.parametrize("metadata", [
    {}, [], {"renames": {}}, {"renames": {"resources": {}}},
    {"renames": {"resources": {"aws:rds/instance:Instance": 3}}},
    {"renames": {"resources": {"not a token": "aws_db_instance"}}},
    {"renames": {"resources": {"aws:rds/instance:Instance": "aws_db,instance"}}},
])
def test_generator_refuses_what_is_not_bridge_metadata(metadata):
    with pytest.raises(ValueError):
        _generator().rows(metadata)


def test_generator_cli_bad_input_is_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "bridge-metadata.json"
    bad.write_text("{not json")
    assert _generator().main([str(bad), "0" * 40]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and "Traceback" not in err


def test_generator_cli_writes_the_csv(tmp_path, capsys):
    src = tmp_path / "bridge-metadata.json"
    src.write_text(json.dumps({"renames": {"resources": {"aws:rds/instance:Instance": "aws_db_instance"}}}))
    assert _generator().main([str(src), "a" * 40, "a note"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("# a note\ntoken,terraform_type\naws:rds/instance:Instance,aws_db_instance\n")
    assert f"pulumi/pulumi-aws @ {'a' * 40}," in out


# ------------------------------------------------- one verdict however the stack is described

_DB = {"instance_class": "db.t3.micro", "engine": "postgres", "allocated_storage": 20,
       "tags": {"Owner": "ml-platform"}}


def _verdicts(resources) -> set[tuple[str, str, str, str, str]]:
    result = scan(resources, defaults(RULES), ["in"])
    return {(f.rule_id, f.address, f.resource_type, f.outcome.value, f.message) for f in result.findings}


def test_an_untagged_rds_instance_gets_the_same_findings_from_pulumi_and_terraform():
    preview = {"steps": [{"op": "create", "urn": "urn:pulumi:dev::app::aws:rds/instance:Instance::db",
                          "newState": {"type": "aws:rds/instance:Instance", "custom": True,
                                       "urn": "urn:pulumi:dev::app::aws:rds/instance:Instance::db",
                                       "inputs": {"instanceClass": "db.t3.micro", "engine": "postgres",
                                                  "allocatedStorage": 20, "tags": {"Owner": "ml-platform"}}}}]}
    plan = {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [{
        "address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": _DB, "after_unknown": {}}}]}
    from_pulumi = _verdicts(pulumi.from_preview(preview, "preview.json"))
    from_terraform = _verdicts(tfplan.from_data(plan, "plan.json", None))
    assert from_pulumi == from_terraform
    assert ("PG-TAG-001", "aws_db_instance.db", "aws_db_instance", "violation",
            "missing tags: CostCenter, Environment, Project") in from_pulumi
