"""Pricing each type, recomputed by hand from the price table; totals, rollups and deltas.

Expected figures are written as the arithmetic a reviewer would do with the table open:
``price("sagemaker.hosting.ml.g5.xlarge") * 2 * 730``.  The price comes from the table so a
refreshed table does not break the arithmetic; the table rows themselves are checked in
test_cost_inputs.py and against Infracost's goldens in test_cost_infracost.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from plangate.cost import estimate, prices, usage
from plangate.cost.components import CostComponent
from plangate.model import Instances, Resource

TABLE = prices.load()
D = Decimal


def price(key: str, region: str = "us-east-1", tier: int = 0) -> Decimal:
    row = TABLE.get(key, region)
    assert row is not None, f"the price table has no {key} in {region}"
    return row.tiers[tier].usd


def res(type_: str, name: str = "x", tags=None, usage_tag: str | None = None, **props) -> Resource:
    tags = dict(tags or {})
    if usage_tag:
        tags["plangate:usage"] = usage_tag
    return Resource(type_, f"{type_}.{name}", "example", props, tags)


def served(config: Resource) -> Resource:
    """An endpoint using ``config``: SageMaker bills endpoints, not configurations."""
    tags = {k: v for k, v in config.tags.items() if k != "plangate:usage"}
    return Resource("aws_sagemaker_endpoint", config.address.replace("_configuration", ""), "example",
                    {"endpoint_config_name": f"${{{config.address}.name}}"}, tags)


def one(resource: Resource, region: str = "us-east-1", usage_file=usage.NO_USAGE):
    """The estimate of ``resource`` (a configuration with an endpoint that uses it)."""
    plan = [resource, served(resource)] if resource.type == "aws_sagemaker_endpoint_configuration" else [resource]
    return estimate.estimate(plan, usage_file, TABLE, region).resources[0]


def comp(rc, name: str) -> CostComponent:
    for c in rc.components:
        if c.name == name:
            return c
    raise AssertionError(f"{rc.address} has no component {name!r}: {[c.name for c in rc.components]}")


HOURS = D(730)
SECONDS = D(730 * 3600)

# -- SageMaker ---------------------------------------------------------------------------


def test_sagemaker_real_time_instances_times_count():
    rc = one(res("aws_sagemaker_endpoint_configuration", production_variants=[
        {"variant_name": "primary", "instance_type": "ml.g5.xlarge", "initial_instance_count": 2},
        {"variant_name": "canary", "instance_type": "ml.m5.large", "initial_instance_count": 1}]))
    g5 = comp(rc, "Instance usage (ml.g5.xlarge, primary)")
    m5 = comp(rc, "Instance usage (ml.m5.large, canary)")
    assert g5.monthly_cost == price("sagemaker.hosting.ml.g5.xlarge") * 2 * HOURS == D("2055.680")
    assert m5.monthly_cost == price("sagemaker.hosting.ml.m5.large") * 1 * HOURS == D("83.950")
    assert rc.baseline_monthly == g5.monthly_cost + m5.monthly_cost
    assert not g5.usage_based and rc.usage_monthly == 0
    assert comp(rc, "Data processed in").depends_on_usage


def test_sagemaker_real_time_in_eu_west_1_and_data_processed():
    rc = one(res("aws_sagemaker_endpoint_configuration",
                 usage_tag="monthly_data_processed_in_gb=100 monthly_data_processed_out_gb=10",
                 production_variants=[{"variant_name": "a", "instance_type": "ml.m5.xlarge",
                                       "initial_instance_count": 3}]), region="eu-west-1")
    assert rc.region == "eu-west-1"
    assert comp(rc, "Instance usage (ml.m5.xlarge, a)").monthly_cost == \
        price("sagemaker.hosting.ml.m5.xlarge", "eu-west-1") * 3 * HOURS
    assert comp(rc, "Data processed in").monthly_cost == price("sagemaker.data_processed_in", "eu-west-1") * 100
    assert comp(rc, "Data processed out").monthly_cost == price("sagemaker.data_processed_out", "eu-west-1") * 10


def test_sagemaker_serverless_by_memory_and_inference_seconds():
    # 3,000,000 requests x 1.5 s = 4,500,000 s at 3072 MB = 3 GB -> 13,500,000 GB-seconds
    rc = one(res("aws_sagemaker_endpoint_configuration", usage_tag="monthly_requests=3e6 request_duration_ms=1500",
                 production_variants=[{"variant_name": "sl", "serverless_config": [
                     {"memory_size_in_mb": 3072, "max_concurrency": 10}]}]))
    c = comp(rc, "Serverless inference (3072 MB, sl)")
    assert c.monthly_quantity == D(3_000_000) * D("1.5") * 3
    assert c.monthly_cost == D(13_500_000) * price("sagemaker.serverless.duration") == D("270.000")
    assert c.usage_based and rc.baseline_monthly == 0


def test_sagemaker_serverless_with_provisioned_concurrency():
    # 5 provisioned x 2 GB for 730 h is baseline; inference seconds at the provisioned rate
    rc = one(res("aws_sagemaker_endpoint_configuration", usage_tag="monthly_inference_seconds=100000",
                 production_variants=[{"variant_name": "sl", "serverless_config": {
                     "memory_size_in_mb": 2048, "max_concurrency": 20, "provisioned_concurrency": 5}}]))
    pc = comp(rc, "Serverless provisioned concurrency (2048 MB, sl)")
    assert pc.monthly_cost == 5 * D(2) * SECONDS * price("sagemaker.serverless.provisioned_concurrency")
    assert not pc.usage_based and rc.baseline_monthly == pc.monthly_cost
    inference = comp(rc, "Serverless inference (2048 MB, sl)")
    assert inference.monthly_cost == D(100000) * 2 * price("sagemaker.serverless.provisioned_duration")


def test_sagemaker_serverless_without_usage_depends_on_usage():
    rc = one(res("aws_sagemaker_endpoint_configuration", production_variants=[
        {"variant_name": "sl", "serverless_config": [{"memory_size_in_mb": 1024, "max_concurrency": 5}]}]))
    assert rc.monthly == 0 and rc.depends_on_usage == 3
    assert comp(rc, "Serverless inference (1024 MB, sl)").price == price("sagemaker.serverless.duration")


def test_sagemaker_unknown_instance_type_and_missing_price():
    unknown = Resource("aws_sagemaker_endpoint_configuration", "cfg", "example",
                       {"production_variants": [{"variant_name": "a", "instance_type": None}]},
                       unknown=frozenset({"production_variants.0.instance_type"}))
    rc = one(unknown)
    assert rc.unknown_reasons == ("production_variants.0.instance_type unknown until apply",)
    assert rc.monthly == 0
    exotic = one(res("aws_sagemaker_endpoint_configuration", production_variants=[
        {"variant_name": "a", "instance_type": "ml.x99.mega", "initial_instance_count": 1}]))
    assert exotic.unknown_reasons == ("no price for sagemaker.hosting.ml.x99.mega in us-east-1",)


def test_sagemaker_endpoint_is_billed_through_its_configuration():
    rc = one(res("aws_sagemaker_endpoint", endpoint_config_name="scorer"))
    assert rc.status == "free" and "billed through scorer" in rc.notes[0]


_GPU = [{"variant_name": "v", "instance_type": "ml.g5.xlarge", "initial_instance_count": 1}]


def _config(address_name: str, name: str) -> Resource:
    return Resource("aws_sagemaker_endpoint_configuration", f"aws_sagemaker_endpoint_configuration.{address_name}",
                    "example", {"name": name, "production_variants": _GPU})


def test_a_configuration_no_endpoint_uses_is_not_billed():
    config = _config("next", "scorer-next")
    other = res("aws_sagemaker_endpoint", "live", endpoint_config_name="scorer-live")
    rc = estimate.estimate([config, other], usage.NO_USAGE, TABLE).resources[0]
    assert rc.status == "free" and rc.monthly == 0 and not rc.components
    assert "no endpoint in the plan uses this configuration" in rc.notes[-1]


def test_without_any_endpoint_in_the_plan_a_configuration_is_not_billed():
    # Issue 11: SageMaker bills endpoints, so a plan of configurations alone costs nothing.
    unnamed = Resource("aws_sagemaker_endpoint_configuration", "aws_sagemaker_endpoint_configuration.later",
                       "example", {"production_variants": _GPU}, unknown=frozenset({"name"}))
    est = estimate.estimate([_config("c", "scorer"), unnamed], usage.NO_USAGE, TABLE)
    for rc in est.resources:
        assert rc.status == "free" and rc.monthly == 0 and not rc.components and not rc.unknown_reasons
        assert rc.notes == ("not billed: no endpoint in the plan uses this configuration (SageMaker bills endpoints)",)
    assert est.monthly == 0 and not est.unknown


def test_each_endpoint_using_a_configuration_is_billed():
    config = _config("c", "scorer")
    by_name = res("aws_sagemaker_endpoint", "a", endpoint_config_name="scorer")
    by_ref = res("aws_sagemaker_endpoint", "b", endpoint_config_name="${aws_sagemaker_endpoint_configuration.c.name}")
    rc = estimate.estimate([config, by_name, by_ref], usage.NO_USAGE, TABLE).resources[0]
    assert rc.monthly == price("sagemaker.hosting.ml.g5.xlarge") * HOURS * 2


def test_an_endpoint_naming_its_configuration_after_apply_is_assumed_to_use_it():
    config = _config("c", "scorer")
    later = Resource("aws_sagemaker_endpoint", "aws_sagemaker_endpoint.a", "example", {},
                     unknown=frozenset({"endpoint_config_name"}))
    rc = estimate.estimate([config, later], usage.NO_USAGE, TABLE).resources[0]
    assert rc.monthly == price("sagemaker.hosting.ml.g5.xlarge") * HOURS  # never left out of a budget
    assert "an endpoint names its configuration only after apply: priced as used by one" in rc.notes


def test_a_null_instance_type_is_unknown_never_zero():
    rc = one(res("aws_sagemaker_endpoint_configuration", production_variants=[
        {"variant_name": "a", "instance_type": None, "initial_instance_count": 1}]))
    assert rc.monthly == 0 and rc.unknown_reasons == ("production_variants.0.instance_type unknown until apply",)
    assert comp(rc, "Instance usage (instance type unknown, a)").monthly_cost is None


def test_ml_p2_xlarge_endpoint_costs_about_821_a_month():
    rc = one(res("aws_sagemaker_endpoint_configuration", production_variants=[
        {"variant_name": "a", "instance_type": "ml.p2.xlarge", "initial_instance_count": 1}]))
    assert rc.monthly == price("sagemaker.hosting.ml.p2.xlarge") * HOURS == D("821.25")


# -- the other priced types ---------------------------------------------------------------


def test_lambda_ephemeral_storage_above_the_free_512_mb():
    rc = one(res("aws_lambda_function", usage_tag="monthly_requests=1e6 request_duration_ms=100",
                 memory_size=1024, ephemeral_storage=[{"size": 2048}]))
    storage = comp(rc, "Ephemeral storage")
    assert storage.monthly_quantity == D("1.5") * D(1_000_000) * D("0.1")
    assert storage.monthly_cost == storage.monthly_quantity * price("lambda.ephemeral_storage")


def test_lambda_duration_rounds_up_to_the_millisecond():
    rc = one(res("aws_lambda_function", usage_tag="monthly_requests=1000 request_duration_ms=0.2"))
    assert comp(rc, "Duration (first 6B)").monthly_quantity == D(1000) * D("0.125") * D("0.001")


def test_lambda_memory_unknown_at_plan_time():
    fn = Resource("aws_lambda_function", "f", "example", {},
                  {"plangate:usage": "monthly_requests=1e6 request_duration_ms=10"},
                  unknown=frozenset({"memory_size"}))
    rc = one(fn)
    assert comp(rc, "Duration (first 6B)").unknown == ("memory_size",)
    assert rc.unknown_reasons == ("memory_size unknown until apply",)
    assert comp(rc, "Requests").monthly_cost == D("0.20")


def test_lambda_provisioned_concurrency_takes_memory_from_the_function_in_the_plan():
    fn = res("aws_lambda_function", "scorer", function_name="scorer", memory_size=2048, architectures=["arm64"])
    pc = res("aws_lambda_provisioned_concurrency_config", "live",
             function_name="${aws_lambda_function.scorer.function_name}", provisioned_concurrent_executions=10)
    rc = estimate.estimate([fn, pc], usage.NO_USAGE, TABLE).get(pc.address)
    c = comp(rc, "Provisioned Concurrency")
    assert c.monthly_cost == 10 * D(2) * SECONDS * price("lambda.provisioned_concurrency.arm64")
    assert not c.usage_based and "memory and architecture from aws_lambda_function.scorer" in rc.notes


def test_dynamodb_provisioned_and_on_demand():
    provisioned = one(res("aws_dynamodb_table", billing_mode="PROVISIONED", read_capacity=20, write_capacity=10,
                          usage_tag="storage_gb=125"))
    assert comp(provisioned, "Write capacity unit (WCU)").monthly_cost == 10 * HOURS * price("dynamodb.write_capacity")
    assert comp(provisioned, "Read capacity unit (RCU)").monthly_cost == 20 * HOURS * price("dynamodb.read_capacity")
    assert comp(provisioned, "Data storage (over 25GB)").monthly_cost == 100 * price("dynamodb.storage", tier=1)
    on_demand = one(res("aws_dynamodb_table", billing_mode="PAY_PER_REQUEST",
                        usage_tag="monthly_write_request_units=3e6 monthly_read_request_units=8e6"))
    assert comp(on_demand, "Write request unit (WRU)").monthly_cost == 3 * price("dynamodb.write_request_units")
    assert comp(on_demand, "Read request unit (RRU)").monthly_cost == 8 * price("dynamodb.read_request_units")
    assert on_demand.baseline_monthly == 0


def test_s3_sqs_step_functions_and_bedrock():
    bucket = one(res("aws_s3_bucket",
                     usage_tag="storage_gb=60000 monthly_tier_1_requests=2e6 monthly_tier_2_requests=1e7"))
    assert comp(bucket, "Standard storage (first 50TB)").monthly_cost == 51200 * price("s3.standard.storage")
    assert comp(bucket, "Standard storage (next 450TB)").monthly_cost == 8800 * price("s3.standard.storage", tier=1)
    assert comp(bucket, "PUT, COPY, POST, LIST requests").monthly_cost == 2000 * price("s3.standard.requests_tier1")
    fifo = one(res("aws_sqs_queue", fifo_queue=True, usage_tag="monthly_requests=1e6 request_size_kb=100"))
    assert comp(fifo, "Requests").monthly_cost == 2 * price("sqs.fifo.requests")  # 100 KB = two 64 KB chunks
    standard = one(res("aws_sfn_state_machine", usage_tag="monthly_transitions=4e6"))
    assert comp(standard, "Transitions").monthly_cost == 4000 * price("sfn.standard.transitions")
    express = one(res("aws_sfn_state_machine", type="EXPRESS",
                      usage_tag="monthly_requests=1e6 workflow_duration_ms=150 memory_mb=100"))
    gb_hours = D(1_000_000) * D("0.2") * D(128) / 1024 / 3600  # 200 ms steps of 100, 128 MB steps of 64
    assert comp(express, "Duration (first 1K)").monthly_quantity == gb_hours
    bedrock = one(res("aws_bedrock_provisioned_model_throughput", model_units=2, commitment_duration="OneMonth",
                      model_arn="arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1:100k"))
    assert bedrock.baseline_monthly == 2 * HOURS * price("bedrock.provisioned.anthropic.claude-v2.OneMonth")
    missing = one(res("aws_bedrock_provisioned_model_throughput", model_units=1,
                      model_arn="arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-text-lite-v1"))
    assert missing.region == "eu-west-1"
    assert missing.unknown_reasons == ("no price for bedrock.provisioned.amazon.titan-text-lite-v1.none in eu-west-1",)


def test_free_not_priced_and_skipped():
    rs = [res("aws_iam_role"), res("aws_db_instance"), res("kubernetes_deployment"),
          Resource("pulumi_component", "stack", "pulumi-preview"),
          Resource("aws_lambda_function", "data.aws_lambda_function.x", "tfplan", action="read")]
    est = estimate.estimate(rs, usage.NO_USAGE, TABLE)
    assert [(r.address, r.status) for r in est.resources] == [
        ("aws_iam_role.x", "free"), ("aws_db_instance.x", "not-priced"), ("kubernetes_deployment.x", "not-priced")]


def test_region_from_the_resource_beats_the_default():
    rc = one(res("aws_lambda_function", arn="arn:aws:lambda:eu-west-1:123456789012:function:x"), region="us-east-1")
    assert rc.region == "eu-west-1"
    rc = one(res("aws_s3_bucket", region="eu-west-1"))
    assert rc.region == "eu-west-1"


# -- estimates: totals, rollups, compare -----------------------------------------------------


def _stack():
    return [
        res("aws_sagemaker_endpoint_configuration", "a", {"Team": "ml", "Project": "p1"},
            production_variants=[{"variant_name": "v", "instance_type": "ml.m5.large", "initial_instance_count": 1}]),
        res("aws_sagemaker_endpoint", "a", {"Team": "ml", "Project": "p1"},
            endpoint_config_name="${aws_sagemaker_endpoint_configuration.a.name}"),
        res("aws_lambda_function", "b", {"Team": "ml", "Project": "p2"},
            usage_tag="monthly_requests=1e6 request_duration_ms=100"),
        res("aws_sqs_queue", "c", {"Team": "data"}),
        res("aws_db_instance", "d", {"Team": "data"}),
    ]


def test_totals_split_baseline_and_usage_and_count_what_is_left_out():
    est = estimate.estimate(_stack(), usage.NO_USAGE, TABLE)
    lam = D("0.2") + D(1_000_000) * D("0.125") * D("0.1") * price("lambda.duration.x86_64")
    assert est.baseline_monthly == price("sagemaker.hosting.ml.m5.large") * HOURS
    assert est.usage_monthly == lam
    assert est.monthly == est.baseline_monthly + est.usage_monthly
    assert [r.address for r in est.depends_on_usage] == [
        "aws_sagemaker_endpoint_configuration.a", "aws_sqs_queue.c"]


def test_rollups_by_tag():
    est = estimate.estimate(_stack(), usage.NO_USAGE, TABLE)
    teams = {g.value: g for g in est.by_tag("Team")}
    assert set(teams) == {"ml", "data"}  # the not-priced instance is not in any rollup
    assert teams["ml"].monthly == est.monthly and teams["data"].monthly == 0
    assert teams["data"].depends_on_usage == 1
    projects = [g.value for g in est.by_tag("Project")]
    assert projects == ["p1", "p2", "(untagged)"]


def test_compare_added_changed_removed():
    base = estimate.estimate(_stack(), usage.NO_USAGE, TABLE)
    head_resources = _stack()[2:]  # the endpoint and its configuration are removed
    head_resources[0] = res("aws_lambda_function", "b", {"Team": "ml"},
                            usage_tag="monthly_requests=2e6 request_duration_ms=100")
    head_resources.append(res("aws_dynamodb_table", "e", read_capacity=5, write_capacity=5))
    head = estimate.estimate(head_resources, usage.NO_USAGE, TABLE)
    delta = estimate.compare(base, head)
    kinds = {c.address: c.kind for c in delta.changes}
    assert kinds == {"aws_lambda_function.b": "changed", "aws_sqs_queue.c": "unchanged",
                     "aws_db_instance.d": "unchanged", "aws_dynamodb_table.e": "added",
                     "aws_sagemaker_endpoint_configuration.a": "removed", "aws_sagemaker_endpoint.a": "removed"}
    assert delta.monthly == head.monthly - base.monthly
    assert sum((c.delta for c in delta.changes), D(0)) == delta.monthly
    removed = delta.of_kind("removed")[0]
    assert removed.delta == -price("sagemaker.hosting.ml.m5.large") * HOURS


@pytest.mark.parametrize("fmt_value,expected", [(D("1234.565"), "$1,234.57"), (D("-3"), "-$3.00")])
def test_money_format(fmt_value, expected):
    from plangate.cost.money import money

    assert money(fmt_value) == expected


def test_one_hcl_block_for_all_its_count_instances():
    """Without a plan, the HCL loader keeps one Resource for a counted block whose count it
    cannot know, and says so in its typed instance count."""
    block = Resource("aws_sqs_queue", "aws_sqs_queue.q", "hcl", instances=Instances("count", None))
    u = usage.parse("version: 0.1\nresource_usage:\n  aws_sqs_queue.q[*]:\n    monthly_requests: 2000000\n", "u.yml")
    rc = one(block, usage_file=u)
    assert rc.monthly == 2 * price("sqs.standard.requests")  # the wildcard entry, per instance
    assert rc.unknown_reasons == ("instance count (count) unknown: priced for one instance",)


def test_a_known_instance_count_multiplies() -> None:
    """A block the HCL reader kept whole with a literal count of 3 costs three instances."""
    u = usage.parse("version: 0.1\nresource_usage:\n  aws_sqs_queue.q[*]:\n    monthly_requests: 2000000\n", "u.yml")
    rc = one(Resource("aws_sqs_queue", "aws_sqs_queue.q", "hcl", instances=Instances("count", 3)), usage_file=u)
    assert rc.monthly == 3 * 2 * price("sqs.standard.requests")
    assert rc.unknown_reasons == () and "count: 3 instances" in rc.notes
