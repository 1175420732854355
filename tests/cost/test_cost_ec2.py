"""EC2 instances (``aws_instance``): on-demand Linux shared-tenancy compute hours by type and
region, times the instance count; what the table cannot price stays "not priced", never $0.

The Infracost cross-check reads its JSON golden ``breakdown_format_json_with_tags`` from the
corpus: its ``aws_instance.web_app`` (m5.4xlarge, a 50 GB root volume and one 1000 GB io1
device, per the test's main.tf at infracost@95ba4f4, read with fetch and not copied) is
recreated here as a `Resource` with those facts.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from conftest import CORPUS, needs_corpus

from plangate.cost import estimate, prices, usage
from plangate.model import Instances, Resource

TABLE = prices.load()
D = Decimal
HOURS = D(730)
NOTES = {
    "linux": "Linux assumed: the plan names an AMI, not its operating system; "
             "set operating_system in usage for Windows, RHEL or SUSE",
    "shared": "shared tenancy assumed: an instance that does not ask for dedicated tenancy takes its VPC's",
    "hours": "running all 730 hours of the month",
}
GOLDEN = (CORPUS / "other" / "infracost__infracost" / "cmd" / "infracost" / "testdata"
          / "breakdown_format_json_with_tags" / "breakdown_format_json_with_tags.golden")


def price(key: str, region: str = "us-east-1") -> Decimal:
    row = TABLE.get(key, region)
    assert row is not None, f"the price table has no {key} in {region}"
    return row.first


def instance(name: str = "x", unknown: frozenset[str] = frozenset(), instances: Instances = Instances(),
             tags: dict[str, str] | None = None, **props) -> Resource:
    return Resource("aws_instance", f"aws_instance.{name}", "example", props, dict(tags or {}),
                    unknown=unknown, instances=instances)


def cost(res: Resource, region: str = "us-east-1", usage_file=usage.NO_USAGE):
    return estimate.estimate([res], usage_file, TABLE, region).resources[0]


def test_compute_hours_at_the_on_demand_linux_rate():
    rc = cost(instance(instance_type="g5.xlarge", ami="ami-0abc"))
    assert rc.status == "priced" and len(rc.components) == 1
    c = rc.components[0]
    assert (c.name, c.unit, c.monthly_quantity) == ("Instance usage (Linux/UNIX, on-demand, g5.xlarge)", "hours", HOURS)
    assert c.price == price("ec2.g5.xlarge") == D("1.006")
    assert rc.monthly == rc.baseline_monthly == D("1.006") * HOURS == D("734.380")
    assert not c.usage_based and not rc.unknown_reasons
    assert rc.notes == (NOTES["linux"], NOTES["shared"], NOTES["hours"],
                        "compute hours only: the root EBS volume is not priced here")


def test_every_ec2_row_of_the_table_is_read_by_the_pricer():
    keys = sorted({key for key, _ in TABLE.prices if key.startswith("ec2.")})
    assert len(keys) >= 20
    for key in keys:
        for region in TABLE.regions:
            row = TABLE.get(key, region)
            if row is None:
                continue
            rc = cost(instance(instance_type=key.removeprefix("ec2.")), region)
            assert rc.monthly == row.first * HOURS, (key, region)


def test_count_multiplies_the_hours():
    rc = cost(instance(instances=Instances("count", 3), instance_type="t3.medium"))
    assert rc.components[0].monthly_quantity == 3 * HOURS
    assert rc.monthly == 3 * HOURS * price("ec2.t3.medium")
    assert "count: 3 instances" in rc.notes


def test_an_unknown_count_is_priced_per_instance_and_says_so():
    rc = cost(instance(instances=Instances("for_each", None), instance_type="t3.medium"))
    assert rc.monthly == HOURS * price("ec2.t3.medium")
    assert rc.unknown_reasons == ("instance count (for_each) unknown: priced for one instance",)


@pytest.mark.parametrize("props,unknown", [
    ({"instance_type": None}, frozenset()),  # null: a launch template sets it
    ({}, frozenset()),
    ({"instance_type": ""}, frozenset()),
    ({}, frozenset({"instance_type"})),  # computed at apply
    ({"instance_type": "${var.instance_type}"}, frozenset()),  # an unresolved HCL expression
])
def test_a_null_or_unknown_instance_type_is_unknown_never_zero(props, unknown):
    rc = cost(instance(unknown=unknown, **props))
    assert rc.status == "priced" and rc.monthly == 0
    assert rc.unknown_reasons == ("instance_type unknown until apply",)
    (c,) = rc.components
    assert c.name == "Instance usage (instance type unknown)" and c.monthly_cost is None and c.cost_unknown


def test_an_instance_type_without_a_price_row_is_not_priced_never_zero():
    rc = cost(instance(instance_type="x9.mega"))
    assert rc.monthly == 0 and rc.unknown_reasons == ("no price for ec2.x9.mega in us-east-1",)
    elsewhere = cost(instance(instance_type="g5.xlarge"), region="eu-west-1")
    assert elsewhere.monthly == 0 and elsewhere.unknown_reasons == ("no price for ec2.g5.xlarge in eu-west-1",)


def test_the_instance_region_wins_over_the_default():
    rc = cost(instance(instance_type="m5.xlarge", arn="arn:aws:ec2:eu-west-1:123456789012:instance/i-1"))
    assert rc.region == "eu-west-1" and rc.unknown_reasons == ("no price for ec2.m5.xlarge in eu-west-1",)


@pytest.mark.parametrize("props,name,what", [
    ({"tenancy": "dedicated"}, "Instance usage (Linux/UNIX, on-demand, dedicated, t3.medium)", "dedicated tenancy"),
    ({"instance_market_options": [{"market_type": "spot"}]}, "Instance usage (Linux/UNIX, spot, t3.medium)", "spot"),
])
def test_rates_the_table_does_not_hold_are_not_priced(props, name, what):
    rc = cost(instance(instance_type="t3.medium", **props))
    assert rc.monthly == 0 and rc.components[0].name == name
    assert rc.unknown_reasons == (
        f"no price for ec2.t3.medium ({what}; the table holds on-demand Linux shared tenancy) in us-east-1",)


def test_an_explicit_default_tenancy_and_a_computed_market_block_price_at_the_shared_rate():
    rc = cost(instance(instance_type="t3.medium", tenancy="default", unknown=frozenset({"instance_market_options"})))
    assert rc.monthly == HOURS * price("ec2.t3.medium") and NOTES["shared"] in rc.notes
    dedicated = cost(instance(instance_type="t3.medium", tenancy="dedicated"))
    assert NOTES["shared"] not in dedicated.notes


def test_host_tenancy_is_billed_by_the_dedicated_host():
    rc = cost(instance(instance_type="m5.xlarge", tenancy="host", host_id="h-0123"))
    assert rc.status == "free" and not rc.components and rc.monthly == 0
    assert rc.notes == ("not billed per instance: tenancy host runs it on a Dedicated Host, which AWS bills "
                        "by the host (aws_ec2_host)",)


def test_operating_system_and_hours_from_usage():
    windows = cost(instance(instance_type="m5.xlarge", tags={"plangate:usage": "operating_system=windows"}))
    assert windows.components[0].name == "Instance usage (Windows, on-demand, m5.xlarge)"
    assert windows.monthly == 0 and windows.unknown_reasons == (
        "no price for ec2.m5.xlarge (Windows; the table holds on-demand Linux shared tenancy) in us-east-1",)
    linux = cost(instance(instance_type="m5.xlarge", tags={"plangate:usage": "operating_system=linux monthly_hrs=200"}))
    c = linux.components[0]
    assert c.monthly_quantity == 200 and c.usage_based and linux.usage_monthly == 200 * price("ec2.m5.xlarge")
    assert NOTES["linux"] not in linux.notes and NOTES["hours"] not in linux.notes


def test_a_usage_file_entry_prices_the_hours(tmp_path):
    path = tmp_path / "usage.yml"
    path.write_text("version: 0.1\nresource_usage:\n  aws_instance.x:\n    monthly_hrs: 100\n")
    rc = cost(instance(instance_type="t3.medium"), usage_file=usage.load(path))
    assert rc.monthly == 100 * price("ec2.t3.medium")


def test_ebs_volumes_are_named_as_not_priced():
    rc = cost(instance(instance_type="m5.4xlarge", root_block_device=[{"volume_size": 50}],
                       ebs_block_device=[{"volume_size": 1000, "volume_type": "io1"},
                                         {"volume_size": 10, "volume_type": "gp3"}]))
    assert rc.notes[-1] == "compute hours only: the root volume and 2 more EBS volume(s) are not priced here"
    assert [c.name for c in rc.components] == ["Instance usage (Linux/UNIX, on-demand, m5.4xlarge)"]


def test_negative_hours_and_an_unknown_usage_key_are_bad_input():
    from plangate.errors import ConfigError

    with pytest.raises(ConfigError, match=r"aws_instance.x: tag plangate:usage.monthly_hrs: expected a number >= 0"):
        cost(instance(instance_type="t3.medium", tags={"plangate:usage": "monthly_hrs=-5"}))
    # Reserved-instance terms are not priced: an Infracost usage file that sets one is refused, not
    # silently priced on demand.
    known = r"unknown usage key for aws_instance \(known: monthly_hrs, operating_system\)"
    with pytest.raises(ConfigError, match=known):
        cost(instance(instance_type="t3.medium", tags={"plangate:usage": "reserved_instance_term=1_year"}))


def test_budget_rules_count_instances_and_say_unknown_for_an_unknown_type():
    from plangate.rules.base import StackExample
    from plangate.rules.budget import monthly_budget

    web = {"type": "aws_instance", "address": "aws_instance.web", "properties": {"instance_type": "m5.4xlarge"}}
    assert monthly_budget.run_example(StackExample(web, settings={"stack": 500})) == (
        ["budget stack: estimated $560.64/month is over the $500.00 ceiling; top contributors: "
         "aws_instance.web $560.64"], [])
    later = {"type": "aws_instance", "address": "aws_instance.later", "properties": {"instance_type": None}}
    assert monthly_budget.run_example(StackExample(later, settings={"stack": 500})) == (
        [], ["cost of aws_instance.later is unknown at plan time (instance_type unknown until apply); "
             "budget stack may be understated"])


# -- Infracost's golden --------------------------------------------------------------------------


def _golden_components() -> dict[str, dict[str, dict]]:
    text = GOLDEN.read_text(encoding="utf-8")
    doc, _ = json.JSONDecoder().raw_decode(text)  # the golden ends with the command's stderr
    out: dict[str, dict[str, dict]] = {}
    for project in doc["projects"]:
        for r in project["breakdown"]["resources"]:
            if r["resourceType"] == "aws_instance":
                out[r["name"]] = {c["name"]: c for c in r.get("costComponents") or []}
    return out


@needs_corpus
def test_instance_usage_matches_infracost_golden():
    golden = _golden_components()
    web = instance("web_app", instance_type="m5.4xlarge", ami="ami-674cbc1e", root_block_device=[{"volume_size": 50}],
                   ebs_block_device=[{"device_name": "my_data", "volume_type": "io1", "volume_size": 1000,
                                      "iops": 800}])
    for address in ("aws_instance.web_app", "aws_instance.web_app_block_tags"):
        theirs = golden[address]["Instance usage (Linux/UNIX, on-demand, m5.4xlarge)"]
        (ours,) = cost(web).components
        assert ours.name in golden[address]
        assert ours.monthly_quantity == D(theirs["monthlyQuantity"]) == HOURS
        assert ours.price == D(theirs["price"])
        assert ours.monthly_cost == D(theirs["monthlyCost"]) == D("560.64")


@needs_corpus
def test_the_launch_template_instance_differs_from_infracost_by_design():
    # aws_instance.launch_instance takes t3.medium from a launch template with dedicated
    # tenancy: Infracost follows the reference and prices 730 h at the dedicated rate.
    # plangate does not read launch templates, so the instance type is unknown, never $0.
    theirs = _golden_components()["aws_instance.launch_instance"]["Instance usage (Linux/UNIX, on-demand, t3.medium)"]
    assert D(theirs["price"]) == D("0.0441") != price("ec2.t3.medium")  # dedicated, not the shared 0.0416
    rc = cost(instance("launch_instance", launch_template=[{"id": "${aws_launch_template.example.id}"}]))
    assert rc.unknown_reasons == ("instance_type unknown until apply",)


def test_the_t3_medium_row_names_the_golden_that_shows_its_shared_rate():
    with prices.DEFAULT_PATH.open(encoding="utf-8") as handle:
        rows = {row["key"]: row for row in csv.DictReader(line for line in handle if not line.startswith("#"))}
    assert "breakdown_with_default_tags" in rows["ec2.t3.medium"]["checked_by"]


def test_an_hcl_count_of_instances_is_priced_per_instance(tmp_path):
    from plangate import loaders

    (tmp_path / "main.tf").write_text('variable "gpus" {\n  default = 2\n}\n\n'
                                      'resource "aws_instance" "gpu" {\n  count         = var.gpus\n'
                                      '  ami           = "ami-0abc"\n  instance_type = "g5.xlarge"\n}\n')
    est = estimate.estimate(loaders.load_all([str(tmp_path)], None).resources, usage.NO_USAGE, TABLE, "us-east-1")
    assert est.monthly == 2 * HOURS * price("ec2.g5.xlarge") == D("1468.760")
