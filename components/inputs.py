"""Typed inputs of the governed components.

These TypedDicts are the components' whole public input surface: Python programs pass them
as plain dicts, and the component provider derives its schema (types, required inputs and
every description) from these annotations and the docstring under each field.  So the
module must keep real annotations (no ``from __future__ import annotations``) and one
docstring per field.

The responsible-AI fields are the keys of plangate's `RaiPolicy` with ``-`` spelled ``_``;
a test keeps the two lists equal.
"""

import inspect
from enum import Enum
from typing import NotRequired, TypedDict

import pulumi


class Architecture(str, Enum):
    """Instruction set of the Lambda function."""

    X86_64 = "x86_64"
    """Intel / AMD (x86-64)."""
    ARM64 = "arm64"
    """AWS Graviton (arm64): about 20% cheaper per GB-second."""


class EntryPointKind(str, Enum):
    """How callers reach the function; both require authentication."""

    FUNCTION_URL = "function_url"
    """A Lambda function URL with AWS_IAM authorization (SigV4-signed requests)."""
    HTTP_API = "http_api"
    """An API Gateway HTTP API route with a JWT authorizer (when an issuer is given) or IAM."""


class ResponsibleAiMetadata(TypedDict):
    """What an auditor needs to know about the model behind a workload (EU AI Act Art. 11,
    NIST AI RMF GOVERN 1.6). Written as tags under plangate's responsible-AI prefix."""

    model_id: str
    """Identifier of the model version served, e.g. fraud-xgb-2026-10."""
    model_card_url: str
    """URL of the model card."""
    data_lineage_url: str
    """URL of the training data's lineage record."""
    risk_tier: str
    """EU AI Act risk tier: minimal, limited or high (unacceptable is never deployable)."""
    accountable_owner: str
    """Person or team accountable for the system, e.g. jane.doe@example.com."""
    human_oversight_contact: NotRequired[str]
    """Who can intervene in or override the system's decisions (required when high risk)."""
    evaluation_evidence: NotRequired[str]
    """Reference to the evaluation evidence, e.g. a report URL (required when high risk)."""


class UsageProfile(TypedDict):
    """Expected traffic: the assumptions the monthly cost estimate is made under. Kept on the
    priced resources in the plangate:usage tag, so plangate cost and the budget rules read the
    same numbers."""

    monthly_requests: float
    """Requests per month."""
    request_duration_ms: float
    """Average duration of one request, in milliseconds."""
    monthly_log_gb: NotRequired[float]
    """Log data ingested per month, in GB (default 1)."""
    capture_storage_gb: NotRequired[float]
    """Captured inference data kept in the capture bucket, in GB (endpoints)."""
    capture_monthly_writes: NotRequired[float]
    """Objects written to the capture bucket per month (endpoints)."""


class CostControls(TypedDict):
    """Cost allocation, budget and anomaly detection for one workload."""

    tag_value: str
    """Cost tag value of this workload, set on all its resources; the budget and anomaly monitor filter on it."""
    tag_key: NotRequired[str]
    """Cost tag key (default Project, the tag plangate matches budgets on); activate it in AWS Billing."""
    policy_file: NotRequired[str]
    """plangate policy file whose monthly-budget ceiling for this workload is the AWS Budget (one source)."""
    monthly_budget_usd: NotRequired[float]
    """Monthly budget in USD, for stacks without a policy file; with one, it must agree."""
    budget_alert_percent: NotRequired[float]
    """Percentage of the budget at which actual spend alerts (default 80)."""
    anomaly_threshold_usd: NotRequired[float]
    """Total impact in USD from which a cost anomaly is reported (default 10)."""
    usage: NotRequired[UsageProfile]
    """Expected traffic, for the cost estimate (without it, usage-based cost is unknown)."""


class AlarmThresholds(TypedDict, total=False):
    """When the CloudWatch alarms fire (each over one 5-minute period)."""

    errors: int
    """Failed invocations that raise the error alarm (default 1)."""
    throttles: int
    """Throttled (or 4XX) requests that raise the throttle alarm (default 1)."""
    p99_latency_ms: float
    """p99 latency in ms that raises the latency alarm (default: 80% of the function timeout; 1000 for endpoints)."""


class EntryPoint(TypedDict, total=False):
    """The authenticated entry point of a governed function."""

    kind: EntryPointKind
    """function_url (default) or http_api."""
    jwt_issuer: str
    """OIDC issuer URL; with http_api, routes use a JWT authorizer instead of IAM."""
    jwt_audience: list[str]
    """Accepted JWT audiences (client ids), with jwt_issuer."""
    route_key: str
    """HTTP API route (default POST /predict)."""


class CaptureTarget(TypedDict):
    """Where a function writes sampled request / response pairs (entry-point data capture, for
    models whose endpoint cannot capture itself, e.g. SageMaker Serverless Inference)."""

    bucket_name: pulumi.Input[str]
    """Bucket receiving the captured records."""
    kms_key_arn: pulumi.Input[str]
    """KMS key the bucket encrypts with."""
    prefix: NotRequired[str]
    """Key prefix of the records (default capture/)."""


class GovernedInferenceFunctionArgs(TypedDict):
    """Inputs of GovernedInferenceFunction."""

    function_name: str
    """Lambda function name; also names its log group (/aws/lambda/<name>) and alarms."""
    rai: ResponsibleAiMetadata
    """Responsible-AI metadata of the model the function serves."""
    cost: CostControls
    """Cost allocation tag, budget, anomaly detection and usage profile."""
    alert_emails: list[str]
    """Addresses notified by the alarms, the budget and the anomaly subscription."""
    code: NotRequired[pulumi.Archive]
    """Archive with the handler code (zip package), e.g. FileArchive("./app"); give this or image_uri."""
    handler: NotRequired[str]
    """Handler of a zip package (default handler.handler)."""
    runtime: NotRequired[str]
    """Runtime of a zip package (default python3.12)."""
    image_uri: NotRequired[pulumi.Input[str]]
    """Container image URI (image package); give this or code."""
    architecture: NotRequired[Architecture]
    """x86_64 or arm64 (default arm64)."""
    memory_mb: NotRequired[int]
    """Memory in MB (default 1024)."""
    timeout_seconds: NotRequired[int]
    """Timeout in seconds (default 30)."""
    reserved_concurrency: NotRequired[int]
    """Reserved concurrency: the cap on parallel executions, a cost guard (default 10)."""
    log_retention_days: NotRequired[int]
    """Days the log group keeps logs (default 30)."""
    environment: NotRequired[dict[str, str]]
    """Environment variables of the function."""
    entry_point: NotRequired[EntryPoint]
    """Authenticated entry point (default: a function URL with IAM auth)."""
    invoke_endpoints: NotRequired[list[str]]
    """SageMaker endpoint names the function may invoke (the only ones its role allows)."""
    capture: NotRequired[CaptureTarget]
    """Bucket the function may write sampled requests and responses to."""
    alarms: NotRequired[AlarmThresholds]
    """Alarm thresholds."""
    tags: NotRequired[dict[str, str]]
    """Further tags for every resource of the component."""


class ServerlessCapacity(TypedDict):
    """SageMaker Serverless Inference capacity."""

    memory_mb: int
    """Memory per worker in MB: 1024 to 6144, in steps of 1024."""
    max_concurrency: int
    """Most concurrent invocations: the cost cap (1 to 200)."""
    provisioned_concurrency: NotRequired[int]
    """Warm workers billed per hour (default 0: none)."""


class InstanceCapacity(TypedDict):
    """Instance-based (real-time) capacity."""

    instance_type: str
    """ML instance type, e.g. ml.m5.large."""
    instance_count: NotRequired[int]
    """Instances behind the endpoint (default 1)."""


class DataCaptureArgs(TypedDict, total=False):
    """Sampling and retention of captured inference data (the input to drift monitoring)."""

    sampling_percent: int
    """Percentage of requests captured (default 20)."""
    retention_days: int
    """Days captured data is kept before the lifecycle rule deletes it (default 90)."""
    infrequent_access_after_days: int
    """Days after which captured data moves to S3 Standard-IA (default 30; 0: never)."""


class GovernedSageMakerEndpointArgs(TypedDict):
    """Inputs of GovernedSageMakerEndpoint."""

    endpoint_name: str
    """SageMaker endpoint name; also names the model, log group, alarms and capture bucket."""
    image_uri: pulumi.Input[str]
    """Inference container image (ECR)."""
    rai: ResponsibleAiMetadata
    """Responsible-AI metadata of the model."""
    cost: CostControls
    """Cost allocation tag, budget, anomaly detection and usage profile."""
    alert_emails: list[str]
    """Addresses notified by the alarms, the budget and the anomaly subscription."""
    model_data_url: NotRequired[pulumi.Input[str]]
    """s3:// URL of the model artifacts (model.tar.gz)."""
    environment: NotRequired[dict[str, str]]
    """Environment variables of the inference container."""
    serverless: NotRequired[ServerlessCapacity]
    """Serverless capacity (the default: 2048 MB, max concurrency 5); or give instance."""
    instance: NotRequired[InstanceCapacity]
    """Instance-based capacity, instead of serverless."""
    capture: NotRequired[DataCaptureArgs]
    """Data capture sampling and retention."""
    log_retention_days: NotRequired[int]
    """Days the endpoint's log group keeps logs (default 30)."""
    alarms: NotRequired[AlarmThresholds]
    """Alarm thresholds."""
    tags: NotRequired[dict[str, str]]
    """Further tags for every resource of the component."""


# The provider copies class docstrings into the schema verbatim: drop the source indentation.
for _type in (Architecture, EntryPointKind, ResponsibleAiMetadata, UsageProfile, CostControls, AlarmThresholds,
              EntryPoint, CaptureTarget, GovernedInferenceFunctionArgs, ServerlessCapacity, InstanceCapacity,
              DataCaptureArgs, GovernedSageMakerEndpointArgs):
    _type.__doc__ = inspect.cleandoc(_type.__doc__ or "")
