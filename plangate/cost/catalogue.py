"""The catalogue of priced types, derived from the registry: what is priced, the usage keys
each type accepts, the types AWS does not bill by themselves, and the generated docs (a
Markdown page, an Infracost-style usage template, a JSON Schema of the usage file).

Priced types are declared once, in `plangate.cost.types` (one module each, named after its
resource type); the views here are live, so a type registered later (a test's toy type) is
in them too.  This module stays light: `PRICED_TYPES` is read from the module names, so the
budget rules declare what they apply to without loading any pricing code; the usage keys
and the docs load the types on first use.  Regenerate the docs with
``python -m plangate.cost.catalogue``; `tests/cost/test_cost_catalogue.py` fails when they are stale.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping, Set
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plangate.cost.registry import PricedType, Registry, UsageKind

_TYPES_DIR = Path(__file__).resolve().parent / "types"
# The priced types plangate ships: one module per type, named after it.
_SHIPPED: frozenset[str] = frozenset(
    e.name[:-3] for e in os.scandir(_TYPES_DIR) if e.name.endswith(".py") and not e.name.startswith("_"))


def registry() -> Registry:
    """The registry with every shipped priced type loaded."""
    import plangate.cost.types  # noqa: F401  (registers every priced type)
    from plangate.cost.registry import REGISTRY

    return REGISTRY


class _PricedTypes(Set[str]):
    """Every type the cost model prices: the shipped ones (by module name) and any registered since."""

    def __contains__(self, resource_type: object) -> bool:
        return resource_type in _SHIPPED or resource_type in _registered()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(_SHIPPED | set(_registered())))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _registered() -> Mapping[str, object]:
    # Nothing can be registered before the registry is imported: do not import it (nor the
    # pricing code) just to find that out, so a scan without budgets stays light.
    module = sys.modules.get("plangate.cost.registry")
    return module.REGISTRY if module is not None else {}


class _UsageKeys(Mapping[str, "dict[str, UsageKind]"]):
    """Usage keys (and their kind, number or text) by priced type, from the registry."""

    def __getitem__(self, resource_type: str) -> dict[str, UsageKind]:
        entry = registry()[resource_type]
        return {k: spec.kind for spec in entry.usage for k in (spec.key, *spec.aliases)}

    def __iter__(self) -> Iterator[str]:
        return iter(registry())

    def __len__(self) -> int:
        return len(registry())


#: Every type the cost model prices (a set, read without loading the pricing code).
PRICED_TYPES: Set[str] = _PricedTypes()

#: Usage keys each priced type accepts (Infracost's names where Infracost has the type).
USAGE_KEYS: Mapping[str, dict[str, UsageKind]] = _UsageKeys()

# Resources AWS does not bill for by themselves (their cost, if any, shows up elsewhere).
FREE: frozenset[str] = frozenset({
    "aws_iam_role", "aws_iam_policy", "aws_iam_role_policy", "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment", "aws_iam_user", "aws_iam_group", "aws_iam_instance_profile",
    "aws_iam_openid_connect_provider", "aws_lambda_permission", "aws_lambda_alias",
    "aws_lambda_event_source_mapping", "aws_lambda_layer_version", "aws_lambda_function_url",
    "aws_api_gateway_resource", "aws_api_gateway_method", "aws_api_gateway_integration",
    "aws_api_gateway_deployment", "aws_api_gateway_method_response",
    "aws_api_gateway_integration_response", "aws_api_gateway_authorizer",
    "aws_apigatewayv2_route", "aws_apigatewayv2_integration", "aws_apigatewayv2_stage",
    "aws_apigatewayv2_deployment", "aws_apigatewayv2_authorizer",
    "aws_cloudwatch_log_resource_policy", "aws_cloudwatch_log_subscription_filter",
    "aws_s3_bucket_policy", "aws_s3_bucket_acl", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning", "aws_s3_bucket_notification", "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_cors_configuration", "aws_s3_bucket_logging", "aws_sqs_queue_policy",
    "aws_sagemaker_model", "aws_security_group", "aws_security_group_rule", "aws_vpc",
    "aws_subnet", "aws_route_table", "aws_route_table_association", "aws_route",
    "aws_internet_gateway", "aws_default_vpc", "aws_network_acl", "aws_db_subnet_group",
    "aws_db_option_group", "aws_db_parameter_group", "aws_launch_configuration",
    "aws_launch_template", "aws_appautoscaling_target", "aws_appautoscaling_policy",
    "aws_sns_topic_policy", "aws_kms_alias", "aws_ssm_parameter",
})

DOCS = Path(__file__).resolve().parents[2] / "docs"


def markdown() -> str:
    """The priced types and their usage keys, as the docs page."""
    lines = ["# Priced resource types", "",
             "Generated by `python -m plangate.cost.catalogue` from the priced-type registry",
             "(`plangate/cost/types/`); `tests/cost/test_cost_catalogue.py` fails when this file is stale.",
             "Usage keys go in a usage file (`--usage-file`, Infracost's format; a template with every key",
             "is `docs/usage-template.yml`, its JSON Schema `docs/usage.schema.json`) or in the",
             "`plangate:usage` tag. A key not given leaves its cost \"depends on usage\", never zero.", "",
             "| type | what is billed | usage keys |", "|---|---|---|"]
    for entry in _sorted():
        keys = ", ".join(f"`{spec.key}`" for spec in entry.usage) or "none"
        lines.append(f"| [`{entry.resource_type}`](#{entry.resource_type}) | {entry.doc} | {keys} |")
    for entry in _sorted():
        lines += ["", f"## {entry.resource_type}", "", entry.doc, ""]
        if not entry.usage:
            lines.append("No usage keys.")
            continue
        lines += ["| key | unit | meaning |", "|---|---|---|"]
        for spec in entry.usage:
            unit = " \\| ".join(f"`{c}`" for c in spec.choices) if spec.kind == "text" else spec.unit
            also = f" (also `{'`, `'.join(spec.aliases)}`)" if spec.aliases else ""
            lines.append(f"| `{spec.key}`{also} | {unit} | {spec.doc} |")
        if entry.unpriced_keys:
            lines += ["", "Accepted and not priced: " + ", ".join(f"`{k}`" for k in sorted(entry.unpriced_keys)) + "."]
    lines += ["", "## Not billed by themselves", "",
              "Priced as free (their cost, if any, shows up on another resource):", "",
              ", ".join(f"`{t}`" for t in sorted(FREE)) + "."]
    return "\n".join(lines) + "\n"


def usage_template() -> str:
    """An Infracost-style usage file naming every usage key, commented out, with its unit and
    meaning: copy it, uncomment what you know."""
    lines = ["# Usage template: every usage key plangate prices, by resource type.",
             "# Generated by `python -m plangate.cost.catalogue`; do not edit.",
             "# Uncomment the keys you can estimate; a key not given stays \"depends on usage\".",
             "version: 0.1", "resource_type_default_usage:"]
    for entry in _sorted():
        if not entry.usage:
            continue
        lines.append(f"  {entry.resource_type}:")
        for spec in entry.usage:
            value = spec.choices[0] if spec.kind == "text" else (spec.default if spec.default is not None else 0)
            note = f"{spec.doc} [{spec.unit or ' | '.join(spec.choices)}]"
            lines.append(f"    # {spec.key}: {value}  # {note}")
    lines += ["resource_usage: {}  # the same keys by address, e.g. aws_lambda_function.scorer or x[*]"]
    return "\n".join(lines) + "\n"


def usage_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of the usage file, for editors and CI linters."""
    defs: dict[str, Any] = {}
    for entry in _sorted():
        props: dict[str, Any] = {}
        for spec in entry.usage:
            kind: dict[str, Any] = ({"type": "string", "examples": list(spec.choices)} if spec.kind == "text"
                                    else {"type": ["number", "string"], "minimum": 0})
            for key in (spec.key, *spec.aliases):
                if "." not in key:
                    props[key] = {**kind, "description": f"{spec.doc} ({spec.unit or 'text'})"}
        for key in sorted(entry.unpriced_keys):
            if "." not in key:
                props[key] = {"description": "accepted, not priced"}
        for name in entry.usage_blocks:
            props[name] = {"type": "object", "description": entry.blocks_noun}
        defs[entry.resource_type] = {"type": "object", "properties": props, "additionalProperties": False}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "plangate usage file",
        "type": "object",
        "required": ["version"],
        "additionalProperties": False,
        "properties": {
            "version": {"enum": ["0.1", 0.1]},
            "resource_type_default_usage": {
                "type": "object",
                "properties": {t: {"$ref": f"#/$defs/{t}"} for t in defs},
            },
            "resource_usage": {
                "type": "object",
                # an address of the type, in modules or not (as usage.py reads addresses)
                "patternProperties": {rf"^(module\.[^.\[]+(\[[^\]]*\])?\.)*{t}\.": {"$ref": f"#/$defs/{t}"}
                                      for t in defs},
            },
        },
        "$defs": defs,
    }


def _sorted() -> list[PricedType]:
    types = registry()
    return [types[t] for t in sorted(types)]


def generated() -> dict[Path, str]:
    """Every generated doc, by path."""
    return {DOCS / "cost-types.md": markdown(), DOCS / "usage-template.yml": usage_template(),
            DOCS / "usage.schema.json": json.dumps(usage_schema(), indent=2) + "\n"}


def main() -> int:
    for path, text in generated().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
