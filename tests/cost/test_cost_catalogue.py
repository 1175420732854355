"""The priced-type registry: a type is one declaration, and every list of priced types, the
usage-file checks, the docs and the usage template are derived from it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from plangate.cost import catalogue, docs, estimate, prices, usage
from plangate.cost.components import CostComponent, ResourceCost, component
from plangate.cost.priced import Reader
from plangate.cost.pricing import Prices
from plangate.cost.registry import REGISTRY, FromPlan, priced_type
from plangate.cost.registry import usage as usage_field
from plangate.errors import ConfigError
from plangate.model import Resource

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES, FIXTURES = ROOT / "examples", ROOT / "tests" / "fixtures"

TOY_PRICES = prices.parse(
    "key,region,tier_start,tier_name,unit,usd,source,as_of\n"
    "toy.gpu_hours.standard,us-east-1,0,,GPU-hours,2.5,https://example.com/toy,2026-01-01\n", "toy.csv")


@pytest.fixture
def toy_type() -> Iterator[type]:
    """A priced type declared as a new one would be: one dataclass, registered by decorator,
    with no registry touched by hand.  Unregistered afterwards: the registry is as found."""

    @priced_type("toy_gpu_box")
    @dataclass(frozen=True, slots=True, kw_only=True)
    class GpuBox(FromPlan):
        """A toy GPU box, billed per GPU hour."""

        gpus: Decimal | None
        monthly_hours: Decimal | None = usage_field(unit="hours", doc="Hours a month the box runs")
        tier: str = usage_field(choices=("standard", "spot"), default="standard", doc="Purchase tier")
        unknown: tuple[str, ...] = ()

        @classmethod
        def from_plan(cls, r: Reader) -> dict[str, Any]:
            return {"gpus": r.number("gpus", Decimal(1))}

        def price(self, table: Prices) -> list[CostComponent]:
            key = f"toy.gpu_hours.{self.tier}"
            hours = None if self.gpus is None or self.monthly_hours is None else self.gpus * self.monthly_hours
            return [component("GPU hours", "GPU-hours", table, key, hours, usage_based=True,
                              unknown=self.unknown)]

    try:
        yield GpuBox
    finally:
        REGISTRY.remove("toy_gpu_box")


def test_a_registered_toy_type_is_priced_by_the_estimate(toy_type):
    plan = [Resource("toy_gpu_box", "toy_gpu_box.a", "example", {"gpus": 4}),
            Resource("toy_gpu_box", "toy_gpu_box.b", "example", {"gpus": 2})]
    given = usage.parse("version: 0.1\nresource_usage:\n  toy_gpu_box.a:\n    monthly_hours: 100\n"
                        "  toy_gpu_box.b:\n    tier: spot\n", "toy.yml")
    est = estimate.estimate(plan, given, TOY_PRICES)
    assert est.resources == (
        ResourceCost("toy_gpu_box.a", "toy_gpu_box", "priced", "us-east-1",
                     components=(CostComponent("GPU hours", "GPU-hours", Decimal("2.5"), Decimal(400), True),),
                     notes=("usage from toy.yml",)),
        # no spot price in the table: listed as not priced, never zero
        ResourceCost("toy_gpu_box.b", "toy_gpu_box", "not-priced", "us-east-1",
                     components=(CostComponent("GPU hours", "GPU-hours", None, None, True, (),
                                               "toy.gpu_hours.spot in us-east-1"),),
                     notes=("usage from toy.yml",)),
    )
    assert est.monthly == Decimal(1000)


def test_a_registered_toy_type_is_in_every_derived_view(toy_type):
    assert "toy_gpu_box" in catalogue.PRICED_TYPES
    assert catalogue.USAGE_KEYS["toy_gpu_box"] == {"monthly_hours": "number", "tier": "text"}
    schema = docs.usage_schema()
    assert schema["$defs"]["toy_gpu_box"] == {
        "type": "object", "additionalProperties": False,
        "properties": {
            "monthly_hours": {"type": ["number", "string"], "minimum": 0,
                              "description": "Hours a month the box runs (hours)"},
            "tier": {"type": "string", "examples": ["standard", "spot"], "description": "Purchase tier (text)"}}}
    assert "| `monthly_hours` | hours | Hours a month the box runs |" in docs.markdown()
    assert "  toy_gpu_box:\n    # monthly_hours: 0  # Hours a month the box runs [hours]\n" in (
        docs.usage_template())
    # the usage-file checks know its keys too
    with pytest.raises(ConfigError, match=r"toy.yml:4: resource_usage.toy_gpu_box.a.hours: unknown usage key "
                                          r"for toy_gpu_box \(known: monthly_hours, tier\)"):
        usage.parse("version: 0.1\nresource_usage:\n  toy_gpu_box.a:\n    hours: 1\n", "toy.yml")


def test_the_toy_type_is_gone_once_unregistered(toy_type):
    REGISTRY.remove("toy_gpu_box")
    assert "toy_gpu_box" not in catalogue.PRICED_TYPES
    assert "toy_gpu_box" not in docs.usage_schema()["$defs"]
    est = estimate.estimate([Resource("toy_gpu_box", "toy_gpu_box.a", "example", {"gpus": 4})], prices=TOY_PRICES)
    assert est.resources[0].status == "not-priced"
    priced_type("toy_gpu_box")(toy_type)  # the fixture removes it again


def test_a_type_is_registered_once_and_as_a_dataclass(toy_type):
    with pytest.raises(ValueError, match="toy_gpu_box is registered twice"):
        priced_type("toy_gpu_box")(toy_type)

    class NotADataclass:
        @classmethod
        def parse(cls, res, values, ctx):
            return cls()

    with pytest.raises(TypeError, match="a priced type is a dataclass"):
        priced_type("toy_other")(NotADataclass)
    assert "toy_other" not in REGISTRY


# The usage keys as they were declared by hand before the registry (Infracost's names): the
# registry must accept exactly these, no key lost or renamed.
_USAGE_KEYS_BEFORE = {
    "aws_lambda_function": {"monthly_requests", "request_duration_ms"},
    "aws_lambda_provisioned_concurrency_config": {"monthly_duration_hrs", "monthly_requests",
                                                  "request_duration_ms", "memory_mb", "architecture"},
    "aws_sagemaker_endpoint_configuration": {"monthly_requests", "request_duration_ms", "monthly_inference_seconds",
                                             "monthly_data_processed_in_gb", "monthly_data_processed_out_gb"},
    "aws_sagemaker_endpoint": set(),
    "aws_api_gateway_rest_api": {"monthly_requests"},
    "aws_apigatewayv2_api": {"monthly_requests", "request_size_kb", "monthly_messages", "message_size_kb",
                             "monthly_connection_mins"},
    "aws_cloudwatch_log_group": {"monthly_data_ingested_gb", "storage_gb", "monthly_data_scanned_gb"},
    "aws_s3_bucket": {"storage_gb", "monthly_tier_1_requests", "monthly_tier_2_requests", "standard.storage_gb",
                      "standard.monthly_tier_1_requests", "standard.monthly_tier_2_requests"},
    "aws_dynamodb_table": {"storage_gb", "monthly_write_request_units", "monthly_read_request_units"},
    "aws_sqs_queue": {"monthly_requests", "request_size_kb"},
    "aws_sfn_state_machine": {"monthly_transitions", "monthly_requests", "workflow_duration_ms", "memory_mb"},
    "aws_bedrock_provisioned_model_throughput": {"monthly_hours"},
    "aws_instance": {"operating_system", "monthly_hrs"},
}
_TEXT_KEYS = {("aws_lambda_provisioned_concurrency_config", "architecture"), ("aws_instance", "operating_system")}


def test_the_registry_holds_every_priced_type_with_its_usage_keys():
    assert {t: set(keys) for t, keys in catalogue.USAGE_KEYS.items()} == _USAGE_KEYS_BEFORE
    kinds = {(t, k) for t, keys in catalogue.USAGE_KEYS.items() for k, kind in keys.items() if kind == "text"}
    assert kinds == _TEXT_KEYS
    assert set(catalogue.PRICED_TYPES) == set(_USAGE_KEYS_BEFORE)
    assert not set(catalogue.PRICED_TYPES) & catalogue.FREE


def test_each_priced_type_lives_in_its_own_module_and_says_what_is_billed():
    for name, entry in catalogue.registry().items():
        assert entry.cls.__module__ == f"plangate.cost.types.{name}"
        assert entry.doc, f"{name}: the docs show the class docstring"
        assert all(spec.doc for spec in entry.usage), name
    # the light set the budget rules read (module names) is the registry's
    assert set(catalogue.PRICED_TYPES) == set(catalogue.registry())


def test_a_shipped_type_is_named_after_its_module():
    @dataclass(frozen=True)
    class Misplaced:
        @classmethod
        def parse(cls, res, values, ctx):
            return cls()

    Misplaced.__module__ = "plangate.cost.types.aws_instance"
    with pytest.raises(ValueError, match=r"lives in plangate/cost/types/aws_ebs_volume.py, not aws_instance.py"):
        priced_type("aws_ebs_volume")(Misplaced)
    assert "aws_ebs_volume" not in REGISTRY


def test_generated_docs_are_current():
    stale = [path.name for path, text in docs.generated().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert not stale, f"regenerate with: python -m plangate.cost.docs ({', '.join(stale)})"


def test_the_usage_template_uncommented_is_a_valid_usage_file_with_every_key():
    assert usage.parse(docs.usage_template(), "template.yml").type_defaults == {}  # all commented out
    text = re.sub(r"^    # ", "    ", docs.usage_template(), flags=re.M)
    parsed = usage.parse(text, "template.yml")
    jsonschema.validate(yaml.safe_load(text), docs.usage_schema())
    for resource_type, keys in catalogue.USAGE_KEYS.items():
        declared = {k for k in keys if "." not in k}  # nested aliases are another spelling
        assert set(parsed.type_defaults.get(resource_type, {})) == declared, resource_type


@pytest.mark.parametrize("path", [EXAMPLES / "usage.yml", FIXTURES / "hcl_plan" / "usage.yml",
                                  FIXTURES / "cost" / "budget" / "usage.yml",
                                  FIXTURES / "cost" / "compare" / "usage.yml"])
def test_the_usage_schema_accepts_what_the_reader_accepts(path):
    usage.load(path)  # the reader accepts it
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), docs.usage_schema())


def test_the_usage_schema_rejects_an_unknown_key_as_the_reader_does():
    path = FIXTURES / "cost" / "bad" / "unknown-key.usage.yml"
    with pytest.raises(ConfigError, match="unknown usage key"):
        usage.load(path)
    with pytest.raises(jsonschema.ValidationError, match="'monthly_request' was unexpected"):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), docs.usage_schema())


def test_the_usage_schema_is_json_and_names_every_type():
    schema = json.loads((Path(docs.DOCS) / "usage.schema.json").read_text(encoding="utf-8"))
    with_keys = {t for t in catalogue.PRICED_TYPES}
    assert set(schema["$defs"]) == with_keys
    assert set(schema["$defs"]["aws_s3_bucket"]["properties"]) == {
        "storage_gb", "monthly_tier_1_requests", "monthly_tier_2_requests", "object_tags", "standard",
        "intelligent_tiering", "standard_infrequent_access", "one_zone_infrequent_access",
        "glacier_flexible_retrieval", "glacier_instant_retrieval", "glacier_deep_archive"}
