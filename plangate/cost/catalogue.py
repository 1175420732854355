"""The catalogue of priced types, derived from the registry: what is priced, the usage keys
each type accepts, the types AWS does not bill by themselves, and the generated docs (a
Markdown page, an Infracost-style usage template, a JSON Schema of the usage file).

Priced types are declared once, in `plangate.cost.types` (one module each, named after its
resource type); the views here are live, so a type registered later (a test's toy type) is
in them too.  This module stays light: `PRICED_TYPES` is read from the module names, so the
budget rules declare what they apply to without loading any pricing code; the usage keys
load the types on first use.  The docs generated from the same registry are in
`plangate.cost.docs`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Set
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plangate.cost.registry import Registry, UsageKind

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
