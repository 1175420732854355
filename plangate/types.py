"""Canonical resource types, the scopes rules use, and the Pulumi → Terraform name mapping.

Terraform's type names are canonical.  Pulumi AWS tokens (``aws:lambda/function:Function``)
and camelCase property names are mapped onto them here, once, for every loader.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

#: The largest count, size or capacity the model takes as a real deployment (larger is bad input).
MAX_QUANTITY = Decimal(10) ** 12

#: An AWS region's name (``eu-west-1``, ``us-gov-west-1``); Local and Wavelength Zones are not regions.
AWS_REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d")


def is_aws_region(value: Any) -> bool:
    """Whether ``value`` is written like an AWS region (whether prices exist is the table's business)."""
    return isinstance(value, str) and AWS_REGION.fullmatch(value) is not None


def _taggable() -> frozenset[str]:
    from importlib import resources

    text = resources.files("plangate").joinpath("data/aws_taggable_types.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


#: AWS resource types whose schema has ``tags_all`` (the AWS provider's own list: the types
#: provider default tags reach), read from ``plangate/data/aws_taggable_types.txt``.
TAGGABLE: frozenset[str] = _taggable()

#: Taggable AWS types that bill nothing by themselves, so a cost-allocation tag on them
#: allocates no spend; each with the reason.  Everything else taggable is billable.
NOT_BILLED: dict[str, str] = {
    "aws_iam_role": "IAM is free",
    "aws_iam_user": "IAM is free",
    "aws_iam_policy": "IAM is free",
    "aws_iam_instance_profile": "IAM is free",
    "aws_iam_openid_connect_provider": "IAM is free",
    "aws_iam_saml_provider": "IAM is free",
    "aws_iam_server_certificate": "IAM is free",
    "aws_iam_virtual_mfa_device": "IAM is free",
    "aws_vpc": "a VPC itself is free (its gateways, endpoints and addresses bill)",
    "aws_default_vpc": "a VPC itself is free",
    "aws_subnet": "subnets are free",
    "aws_default_subnet": "subnets are free",
    "aws_security_group": "security groups are free",
    "aws_default_security_group": "security groups are free",
    "aws_route_table": "route tables are free",
    "aws_default_route_table": "route tables are free",
    "aws_network_acl": "network ACLs are free",
    "aws_default_network_acl": "network ACLs are free",
    "aws_vpc_dhcp_options": "DHCP option sets are free",
    "aws_default_vpc_dhcp_options": "DHCP option sets are free",
    "aws_internet_gateway": "internet gateways are free (data transfer bills on the traffic)",
    "aws_egress_only_internet_gateway": "egress-only internet gateways are free",
    "aws_resourcegroups_group": "resource groups are free",
    "aws_placement_group": "placement groups are free",
    "aws_key_pair": "key pairs are free",
    "aws_ce_anomaly_monitor": "Cost Anomaly Detection is free",
    "aws_ce_anomaly_subscription": "Cost Anomaly Detection is free",
    "aws_ce_cost_category": "cost categories are free",
    "aws_budgets_budget": "the first budgets are free; a budget allocates no workload spend",
    "aws_budgets_budget_action": "budget actions allocate no workload spend",
}

#: Billable AWS types in scope for the cost-allocation tag rule: every taggable type that bills.
BILLABLE: frozenset[str] = TAGGABLE - NOT_BILLED.keys()

# SageMaker resources are AI inference workloads by definition.
SAGEMAKER: frozenset[str] = frozenset(
    {"aws_sagemaker_model", "aws_sagemaker_endpoint_configuration", "aws_sagemaker_endpoint"}
)

# Kubernetes objects that run pods (or, for KServe, define a model server).
K8S_WORKLOADS: frozenset[str] = frozenset(
    {
        "kubernetes_pod",
        "kubernetes_deployment",
        "kubernetes_stateful_set",
        "kubernetes_daemon_set",
        "kubernetes_replica_set",
        "kubernetes_job",
        "kubernetes_cron_job",
        "kubernetes_inference_service",
        "kubernetes_llm_inference_service",
    }
)

# AI inference workloads: SageMaker always; these when selected by tag / label.
INFERENCE_CANDIDATES: frozenset[str] = frozenset({"aws_lambda_function"}) | K8S_WORKLOADS

# The naming rule, for Pulumi AWS tokens the bridge's table does not list: modules whose
# Terraform prefix differs from the module name.  An empty prefix: Terraform drops the module
# name (aws:ec2/vpc:Vpc → aws_vpc).
_MODULE_PREFIX = {"apigateway": "api_gateway", "costexplorer": "ce", "ec2": ""}

# Pulumi property names that differ from Terraform's beyond camelCase → snake_case.
PROPERTY_RENAMES: dict[str, dict[str, str]] = {
    "aws_lambda_function": {"name": "function_name"},
    "aws_sfn_state_machine": {},
    "aws_sqs_queue": {},
}

# Map-valued properties whose keys are user data, never renamed.
FREEFORM_KEYS = frozenset(
    {"tags", "tags_all", "default_tags", "variables", "labels", "annotations", "environment_variables",
     "dimensions"}  # CloudWatch alarm dimension names (FunctionName, EndpointName) are AWS data
)

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])")


@lru_cache(maxsize=4096)
def snake(name: str) -> str:
    """camelCase / PascalCase → snake_case (``tagsAll`` → ``tags_all``, ``HTTPApi`` → ``http_api``)."""
    return _CAMEL.sub(lambda m: "_" + (m.group(1) or m.group(2)), name).lower()


@lru_cache(maxsize=1)
def pulumi_aws_types() -> dict[str, str]:
    """Pulumi AWS resource token → Terraform type, from ``plangate/data/pulumi_aws_types.csv``.

    The bridge's own table (see the file's header for its source); read on first use, since
    only Pulumi input needs it.
    """
    from importlib import resources

    text = resources.files("plangate").joinpath("data/pulumi_aws_types.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    if lines[:1] != ["token,terraform_type"]:
        raise RuntimeError("plangate/data/pulumi_aws_types.csv: header is not token,terraform_type")
    return dict(line.split(",", 1) for line in lines[1:])


@lru_cache(maxsize=1024)
def pulumi_type(token: str) -> str:
    """A Pulumi type token as a canonical (Terraform) type name.

    ``aws:lambda/function:Function`` → ``aws_lambda_function``;
    ``kubernetes:apps/v1:Deployment`` → ``kubernetes_deployment``.  AWS tokens the Pulumi AWS
    bridge lists (`pulumi_aws_types`) map as it maps them (``aws:rds/instance:Instance`` →
    ``aws_db_instance``); other AWS tokens follow a naming rule.  Tokens of other
    providers keep a readable form (``gcp_storage_bucket``), component and stack types
    (``pulumi:pulumi:Stack``, ``my:component:Thing``) map to ``pulumi_component``.
    """
    known = pulumi_aws_types().get(token)
    if known is not None:
        return known
    parts = token.split(":")
    if len(parts) != 3:
        return "pulumi_component"
    package, module, kind = parts
    if package == "kubernetes":
        return "kubernetes_" + snake(kind)
    if package == "pulumi":
        return "pulumi_provider" if module == "providers" else "pulumi_component"
    if "/" not in module:
        return "pulumi_component"  # aws:s3:BucketEventSubscription and other components
    mod, member = module.split("/", 1)
    prefix = _MODULE_PREFIX.get(mod, snake(mod))
    return f"{package}_{prefix}_{snake(member)}" if prefix else f"{package}_{snake(member)}"


def pulumi_properties(canonical_type: str, props: Any) -> Any:
    """Pulumi inputs / outputs with Terraform property names (user map keys untouched)."""
    renames = PROPERTY_RENAMES.get(canonical_type, {})
    if not isinstance(props, dict):
        return props
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key == "__defaults":
            continue
        name = renames.get(key) or snake(key)
        out[name] = value if name in FREEFORM_KEYS else _snake_tree(value)
    return out


def _snake_tree(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, sub in value.items():
            name = snake(key)
            out[name] = sub if name in FREEFORM_KEYS else _snake_tree(sub)
        return out
    if isinstance(value, list):
        return [_snake_tree(v) for v in value]
    return value
