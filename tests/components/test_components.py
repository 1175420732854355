"""The governed components under Pulumi's mocks: what each registers, with which properties.

Programs run in this process through `components.testing.run_program` (set_mocks with a
recording monitor that runs stack transforms as the engine does, and answers only the
invokes the components make).  Registered inputs are in the engine's wire form: camelCase
keys, numbers as floats, policies as JSON strings.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing
import warnings
from typing import Any

import pulumi
import pytest
from conftest import ROOT

from plangate.cost.usage import USAGE_TAG
from plangate.rules.rai import RaiPolicy
from plangate.rules.tags import TagPolicy
from plangate.rules.telemetry import CapturePolicy

# `components` is the example project's package, not part of the installed plangate
# distribution: import it from the repository root, as the Pulumi program does.
sys.path.insert(0, str(ROOT))
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws")

with warnings.catch_warnings():  # pulumi_aws warns about its own deprecated classes on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from components import (
        Architecture,
        EntryPointKind,
        GovernedInferenceFunction,
        GovernedSageMakerEndpoint,
        ResponsibleAiMetadata,
        register_cost_allocation_tags,
    )
    from components.budget import BudgetError, monthly_ceiling
    from components.endpoint import ecr_repository_arn, s3_object_arn
    from components.metadata import RAI_KEYS, field_name
    from components.tagging import check_values, missing_required, taggable
    from components.testing import ACCOUNT_ID, MockRun, run_program

P = RaiPolicy().prefix
RAI: ResponsibleAiMetadata = {
    "model_id": "fraud-xgb-2026-10",
    "model_card_url": "https://models.example.com/fraud-xgb/card",
    "data_lineage_url": "https://lineage.example.com/datasets/txn-2026q3",
    "risk_tier": "limited",
    "accountable_owner": "jane.doe@example.com",
}
STACK_TAGS = {"CostCenter": "cc-1042", "Owner": "ml-platform", "Environment": "dev", "Project": "fraud-scoring"}
IMAGE = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/fraud-xgb:2026-10"
FUNCTION = "aws:lambda/function:Function"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"


def function_args(**overrides: Any) -> dict[str, Any]:
    args = {
        "function_name": "fraud-api",
        "code": pulumi.AssetArchive({"handler.py": pulumi.StringAsset("def handler(e, c): return e")}),
        "rai": RAI,
        "cost": {"tag_value": "fraud-scoring-api", "monthly_budget_usd": 25,
                 "usage": {"monthly_requests": 2_000_000, "request_duration_ms": 150, "monthly_log_gb": 2}},
        "alert_emails": ["ml-oncall@example.com", "finops@example.com"],
        "memory_mb": 512,
        "timeout_seconds": 10,
        "reserved_concurrency": 20,
    }
    return {**args, **overrides}


def endpoint_args(**overrides: Any) -> dict[str, Any]:
    args = {
        "endpoint_name": "fraud-model",
        "image_uri": IMAGE,
        "model_data_url": "s3://fraud-models/fraud-xgb/2026-10/model.tar.gz",
        "rai": RAI,
        "cost": {"tag_value": "fraud-scoring-model", "monthly_budget_usd": 40,
                 "usage": {"monthly_requests": 2_000_000, "request_duration_ms": 90}},
        "alert_emails": ["ml-oncall@example.com"],
    }
    return {**args, **overrides}


def run_function(**overrides: Any) -> MockRun:
    def program() -> None:
        fn = GovernedInferenceFunction("api", function_args(**overrides))
        pulumi.export("url", fn.endpoint_url)
        pulumi.export("cost", fn.estimated_monthly_cost)
        pulumi.export("budget", fn.monthly_budget_usd)
        pulumi.export("alarms", fn.alarm_names)
        pulumi.export("log_group", fn.log_group_name)
        pulumi.export("budget_name", fn.budget_name)

    return run_program(program, config={"aws:region": "us-east-1"})


def run_endpoint(**overrides: Any) -> MockRun:
    def program() -> None:
        ep = GovernedSageMakerEndpoint("model", endpoint_args(**overrides))
        pulumi.export("url", ep.endpoint_url)
        pulumi.export("capture_uri", ep.capture_uri)
        pulumi.export("cost", ep.estimated_monthly_cost)

    return run_program(program, config={"aws:region": "eu-west-1"})


def policy_of(registration: Any, key: str = "policy") -> dict[str, Any]:
    return json.loads(registration.inputs[key])


def statements(run: MockRun) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy_of(run.one("aws:iam/rolePolicy:RolePolicy"))["Statement"]}


@pytest.fixture(scope="module")
def fn_run() -> MockRun:
    return run_function()


@pytest.fixture(scope="module")
def ep_run() -> MockRun:
    return run_endpoint()


# -- GovernedInferenceFunction --------------------------------------------------------------


def test_function_registers_the_governed_set(fn_run):
    types = sorted(r.type for r in fn_run.registrations)
    assert types == sorted([
        "plangate:index:GovernedInferenceFunction",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy",
        FUNCTION, "aws:lambda/functionUrl:FunctionUrl",
        "aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:budgets/budget:Budget",
        "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
        "aws:costexplorer/anomalySubscription:AnomalySubscription",
    ])
    component = fn_run.one("plangate:index:GovernedInferenceFunction")
    assert all(r.parent == component.urn for r in fn_run.registrations if r is not component)


def test_function_properties(fn_run):
    fn = fn_run.one(FUNCTION).inputs
    assert fn["name"] == "fraud-api"
    assert fn["tracingConfig"] == {"mode": "Active"}
    assert fn["reservedConcurrentExecutions"] == 20
    assert fn["memorySize"] == 512 and fn["timeout"] == 10
    assert fn["architectures"] == ["arm64"]
    assert fn["packageType"] == "Zip" and fn["runtime"] == "python3.12" and fn["handler"] == "handler.handler"
    assert fn["loggingConfig"] == {"logFormat": "JSON", "logGroup": "/aws/lambda/fraud-api"}
    group = fn_run.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["name"] == "/aws/lambda/fraud-api" and group["retentionInDays"] == 30


def test_function_tags_carry_rai_metadata_selector_usage_and_cost_tag(fn_run):
    tags = fn_run.one(FUNCTION).inputs["tags"]
    assert tags == {
        P + "model-id": "fraud-xgb-2026-10",
        P + "model-card-url": "https://models.example.com/fraud-xgb/card",
        P + "data-lineage-url": "https://lineage.example.com/datasets/txn-2026q3",
        P + "risk-tier": "limited",
        P + "accountable-owner": "jane.doe@example.com",
        "app": "ai-model-inference",
        "Project": "fraud-scoring-api",
        USAGE_TAG: "monthly_requests=2000000 request_duration_ms=150",
    }
    group_tags = fn_run.one("aws:cloudwatch/logGroup:LogGroup").inputs["tags"]
    assert group_tags == {"Project": "fraud-scoring-api", USAGE_TAG: "monthly_data_ingested_gb=2"}


def test_function_role_is_least_privilege(fn_run):
    trust = policy_of(fn_run.one("aws:iam/role:Role"), "assumeRolePolicy")
    assert trust["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
    }]
    grants = statements(fn_run)
    assert set(grants) == {"WriteOwnLogs", "WriteTraces"}
    assert grants["WriteOwnLogs"]["Resource"] == (
        f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:/aws/lambda/fraud-api:*")
    assert grants["WriteTraces"]["Action"] == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    assert fn_run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []


def test_function_url_requires_iam(fn_run):
    url = fn_run.one("aws:lambda/functionUrl:FunctionUrl").inputs
    assert url == {"functionName": "fraud-api", "authorizationType": "AWS_IAM"}
    assert fn_run.outputs["url"] == "https://api-url.lambda-url.us-east-1.on.aws/"


def test_function_alarms(fn_run):
    alarms = {r.inputs["name"]: r.inputs for r in fn_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert fn_run.outputs["alarms"] == ["fraud-api-errors", "fraud-api-throttles", "fraud-api-p99-duration"]
    topic_arn = f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:topic/fraud-api-alarms"
    for alarm in alarms.values():
        assert alarm["namespace"] == "AWS/Lambda"
        assert alarm["dimensions"] == {"FunctionName": "fraud-api"}
        assert alarm["alarmActions"] == [topic_arn] and alarm["period"] == 300
    assert (alarms["fraud-api-errors"]["metricName"], alarms["fraud-api-errors"]["statistic"],
            alarms["fraud-api-errors"]["threshold"]) == ("Errors", "Sum", 1)
    assert alarms["fraud-api-throttles"]["metricName"] == "Throttles"
    p99 = alarms["fraud-api-p99-duration"]
    assert (p99["metricName"], p99["extendedStatistic"], p99["threshold"], p99["comparisonOperator"]) == (
        "Duration", "p99", 8000, "GreaterThanThreshold")  # 80% of the 10 s timeout
    assert "statistic" not in p99
    emails = {r.name: (r.inputs["protocol"], r.inputs["endpoint"])
              for r in fn_run.of_type("aws:sns/topicSubscription:TopicSubscription")}
    assert emails == {"api-alarm-email-0": ("email", "ml-oncall@example.com"),
                      "api-alarm-email-1": ("email", "finops@example.com")}


def test_function_budget_and_anomaly_monitor_are_scoped_to_the_cost_tag(fn_run):
    budget = fn_run.one("aws:budgets/budget:Budget").inputs
    assert (budget["name"], budget["budgetType"], budget["limitAmount"], budget["limitUnit"], budget["timeUnit"]) == (
        "fraud-api-monthly", "COST", "25.00", "USD", "MONTHLY")
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": ["user:Project$fraud-scoring-api"]}]
    assert [(n["notificationType"], n["threshold"]) for n in budget["notifications"]] == [
        ("ACTUAL", 80), ("FORECASTED", 100)]
    assert budget["notifications"][0]["subscriberEmailAddresses"] == ["ml-oncall@example.com", "finops@example.com"]
    monitor = fn_run.one("aws:costexplorer/anomalyMonitor:AnomalyMonitor").inputs
    assert monitor["monitorType"] == "CUSTOM"
    assert json.loads(monitor["monitorSpecification"]) == {
        "Tags": {"Key": "Project", "Values": ["fraud-scoring-api"], "MatchOptions": ["EQUALS"]}}
    subscription = fn_run.one("aws:costexplorer/anomalySubscription:AnomalySubscription").inputs
    assert subscription["frequency"] == "DAILY"
    assert subscription["monitorArnLists"] == [
        f"arn:aws:costexplorer:us-east-1:{ACCOUNT_ID}:anomalymonitor/fraud-api-spend"]
    assert subscription["thresholdExpression"]["dimension"]["values"] == ["10"]
    assert fn_run.outputs["budget"] == 25 and fn_run.outputs["budget_name"] == "fraud-api-monthly"


def test_function_estimate_comes_from_the_cost_model(fn_run):
    # 2M requests x $0.20/M + 2M x 0.15 s x 0.5 GB x $0.0000133334 (arm64) + 2 GB logs x $0.50
    assert fn_run.outputs["cost"] == pytest.approx(3.40)
    assert fn_run.outputs["log_group"] == "/aws/lambda/fraud-api"


def test_http_api_with_jwt_authorizer():
    run = run_function(entry_point={"kind": EntryPointKind.HTTP_API, "jwt_issuer": "https://id.example.com/",
                                    "jwt_audience": ["scoring-clients"]})
    assert run.of_type("aws:lambda/functionUrl:FunctionUrl") == []
    api = run.one("aws:apigatewayv2/api:Api").inputs
    assert api["protocolType"] == "HTTP" and api["tags"][USAGE_TAG] == "monthly_requests=2000000"
    authorizer = run.one("aws:apigatewayv2/authorizer:Authorizer").inputs
    assert authorizer["authorizerType"] == "JWT"
    assert authorizer["jwtConfiguration"] == {"issuer": "https://id.example.com/", "audiences": ["scoring-clients"]}
    route = run.one("aws:apigatewayv2/route:Route").inputs
    assert (route["routeKey"], route["authorizationType"], route["authorizerId"]) == (
        "POST /predict", "JWT", "api-authorizer-id")
    assert route["target"] == "integrations/api-integration-id"
    permission = run.one("aws:lambda/permission:Permission").inputs
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["sourceArn"] == f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:fraud-api/*/*"
    assert run.outputs["url"] == "https://api.execute-api.us-east-1.amazonaws.com/"


def test_http_api_without_issuer_uses_iam():
    run = run_function(entry_point={"kind": "http_api", "route_key": "POST /score"})
    assert run.of_type("aws:apigatewayv2/authorizer:Authorizer") == []
    route = run.one("aws:apigatewayv2/route:Route").inputs
    assert (route["routeKey"], route["authorizationType"]) == ("POST /score", "AWS_IAM")


def test_image_package_on_x86_with_endpoint_and_capture_grants():
    run = run_function(code=None, image_uri=IMAGE, architecture=Architecture.X86_64,
                       invoke_endpoints=["Fraud-Model"],
                       capture={"bucket_name": "capture-bucket", "kms_key_arn": "arn:aws:kms:us-east-1:1:key/k"})
    fn = run.one(FUNCTION).inputs
    assert (fn["packageType"], fn["imageUri"], fn["architectures"]) == ("Image", IMAGE, ["x86_64"])
    assert "runtime" not in fn and "handler" not in fn
    assert fn["environment"]["variables"] == {"CAPTURE_BUCKET": "capture-bucket", "CAPTURE_PREFIX": "capture/"}
    grants = statements(run)
    assert grants["InvokeModelEndpoints"]["Resource"] == [
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT_ID}:endpoint/fraud-model"]
    assert grants["WriteCapturedRecords"]["Resource"] == "arn:aws:s3:::capture-bucket/capture/*"
    assert grants["EncryptCapturedRecords"] == {"Sid": "EncryptCapturedRecords", "Effect": "Allow",
                                                "Action": ["kms:GenerateDataKey"],
                                                "Resource": "arn:aws:kms:us-east-1:1:key/k"}


def test_function_needs_exactly_one_package():
    with pytest.raises(ValueError, match="exactly one of code"):
        run_function(image_uri=IMAGE)


# -- GovernedSageMakerEndpoint --------------------------------------------------------------


def test_endpoint_registers_the_governed_set(ep_run):
    counts: dict[str, int] = {}
    for r in ep_run.registrations:
        counts[r.type] = counts.get(r.type, 0) + 1
    assert counts == {
        "plangate:index:GovernedSageMakerEndpoint": 1, "aws:kms/key:Key": 1, "aws:s3/bucket:Bucket": 1,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
        "aws:s3/bucketPolicy:BucketPolicy": 1, "aws:cloudwatch/logGroup:LogGroup": 1,
        "aws:iam/role:Role": 1, "aws:iam/rolePolicy:RolePolicy": 1, "aws:sagemaker/model:Model": 1,
        ENDPOINT_CONFIG: 1, "aws:sagemaker/endpoint:Endpoint": 1, "aws:sns/topic:Topic": 1,
        "aws:sns/topicSubscription:TopicSubscription": 1, "aws:cloudwatch/metricAlarm:MetricAlarm": 3,
        "aws:budgets/budget:Budget": 1, "aws:costexplorer/anomalyMonitor:AnomalyMonitor": 1,
        "aws:costexplorer/anomalySubscription:AnomalySubscription": 1,
    }


CAPTURE_KEY = CapturePolicy().caller_capture_key


def test_serverless_endpoint(ep_run):
    config = ep_run.one(ENDPOINT_CONFIG).inputs
    assert config["productionVariants"] == [{"variantName": "primary", "modelName": "fraud-model-model",
                                             "serverlessConfig": {"memorySizeInMb": 2048, "maxConcurrency": 5}}]
    # SageMaker Serverless Inference rejects DataCaptureConfig.
    assert "dataCaptureConfig" not in config
    assert config["tags"][USAGE_TAG] == "monthly_requests=2000000 request_duration_ms=90"
    model = ep_run.one("aws:sagemaker/model:Model").inputs
    assert model["primaryContainer"] == {"image": IMAGE, "modelDataUrl": "s3://fraud-models/fraud-xgb/2026-10/model.tar.gz"}
    endpoint = ep_run.one("aws:sagemaker/endpoint:Endpoint").inputs
    assert endpoint["name"] == "fraud-model" and endpoint["endpointConfigName"] == "model-config"
    for token in ("aws:sagemaker/model:Model", ENDPOINT_CONFIG, "aws:sagemaker/endpoint:Endpoint"):
        tags = ep_run.one(token).inputs["tags"]
        rai = {k: tags[k] for k in tags if k.startswith(P) and k != CAPTURE_KEY}
        assert rai == {P + k: RAI[field_name(k)] for k in RAI_KEYS[:5]}
        assert tags["Project"] == "fraud-scoring-model"
    # serverless cannot capture itself: the configuration says where the caller writes samples
    assert ep_run.one(ENDPOINT_CONFIG).inputs["tags"][CAPTURE_KEY] == (
        "s3://fraud-model-capture-123456789012/capture")
    assert ep_run.outputs["url"] == "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/fraud-model/invocations"


def test_capture_store_is_private_encrypted_and_expiring(ep_run):
    key = ep_run.one("aws:kms/key:Key").inputs
    assert key["enableKeyRotation"] is True and key["deletionWindowInDays"] == 30
    bucket = ep_run.one("aws:s3/bucket:Bucket").inputs
    assert bucket["bucket"] == f"fraud-model-capture-{ACCOUNT_ID}"
    sse = ep_run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs
    assert sse["rules"] == [{"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/model-capture-key"},
        "bucketKeyEnabled": True}]
    block = ep_run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                          "restrictPublicBuckets"))
    lifecycle = ep_run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
    assert lifecycle["rules"] == [{"id": "expire-captured-data", "status": "Enabled", "filter": {"prefix": "capture/"},
                                   "expiration": {"days": 90},
                                   "transitions": [{"days": 30, "storageClass": "STANDARD_IA"}]}]
    deny = policy_of(ep_run.one("aws:s3/bucketPolicy:BucketPolicy"))["Statement"][0]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    assert ep_run.outputs["capture_uri"] == f"s3://fraud-model-capture-{ACCOUNT_ID}/capture"


def test_endpoint_role_is_least_privilege(ep_run):
    trust = policy_of(ep_run.one("aws:iam/role:Role"), "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    grants = statements(ep_run)
    assert grants["PullImage"]["Resource"] == f"arn:aws:ecr:us-east-1:{ACCOUNT_ID}:repository/fraud-xgb"
    assert grants["ReadModelArtifacts"]["Resource"] == "arn:aws:s3:::fraud-models/fraud-xgb/2026-10/model.tar.gz"
    assert grants["WriteCapturedData"]["Resource"] == f"arn:aws:s3:::fraud-model-capture-{ACCOUNT_ID}/capture/*"
    assert grants["PublishMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}
    wildcard = {sid for sid, s in grants.items() if s["Resource"] == "*"}
    assert wildcard == {"EcrLogin", "PublishMetrics"}  # the two actions AWS scopes no finer


def test_endpoint_alarms_budget_and_log_group(ep_run):
    alarms = {r.inputs["name"]: r.inputs for r in ep_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert sorted(alarms) == ["fraud-model-4xx-errors", "fraud-model-5xx-errors", "fraud-model-p99-latency"]
    assert all(a["dimensions"] == {"EndpointName": "fraud-model", "VariantName": "primary"} for a in alarms.values())
    latency = alarms["fraud-model-p99-latency"]
    assert (latency["metricName"], latency["extendedStatistic"], latency["threshold"]) == (
        "ModelLatency", "p99", 1_000_000)  # microseconds
    budget = ep_run.one("aws:budgets/budget:Budget").inputs
    assert budget["limitAmount"] == "40.00"
    assert budget["costFilters"][0]["values"] == ["user:Project$fraud-scoring-model"]
    group = ep_run.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["name"] == "/aws/sagemaker/Endpoints/fraud-model" and group["retentionInDays"] == 30


def test_instance_endpoint_captures_data_natively():
    run = run_endpoint(instance={"instance_type": "ml.m5.large", "instance_count": 2},
                       capture={"sampling_percent": 10, "retention_days": 30})
    config = run.one(ENDPOINT_CONFIG).inputs
    assert config["productionVariants"][0] == {"variantName": "primary", "modelName": "fraud-model-model",
                                               "instanceType": "ml.m5.large", "initialInstanceCount": 2}
    assert config["dataCaptureConfig"] == {
        "enableCapture": True, "initialSamplingPercentage": 10,
        "destinationS3Uri": f"s3://fraud-model-capture-{ACCOUNT_ID}/capture",
        "kmsKeyId": f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/model-capture-key",
        "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
        "captureContentTypeHeader": {"jsonContentTypes": ["application/json"], "csvContentTypes": ["text/csv"]},
    }
    lifecycle = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
    assert lifecycle["rules"][0]["expiration"] == {"days": 30} and "transitions" not in lifecycle["rules"][0]
    # ml.m5.large x 2 x 730 h at $0.134 (eu-west-1 has its own price; 0 usage-based data)
    assert run.outputs["cost"] > 100


@pytest.mark.parametrize("overrides, problem", [
    ({"serverless": {"memory_mb": 2048, "max_concurrency": 5}, "instance": {"instance_type": "ml.m5.large"}},
     "serverless or instance capacity, not both"),
    ({"cost": {"tag_value": "fraud-scoring-model"}}, "no monthly budget for Project=fraud-scoring-model"),
])
def test_endpoint_refuses_bad_inputs(overrides, problem):
    with pytest.raises(ValueError, match=problem):
        run_endpoint(**overrides)


def test_arn_helpers_refuse_what_sagemaker_cannot_use():
    assert ecr_repository_arn(f"{ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/team/model@sha256:ab", "aws") == (
        f"arn:aws:ecr:eu-west-1:{ACCOUNT_ID}:repository/team/model")
    with pytest.raises(ValueError, match="not an ECR image"):
        ecr_repository_arn("docker.io/library/python:3.12", "aws")
    assert s3_object_arn("s3://b/k/model.tar.gz", "aws-cn") == "arn:aws-cn:s3:::b/k/model.tar.gz"
    with pytest.raises(ValueError, match="not an s3://bucket/key URL"):
        s3_object_arn("https://b.s3.amazonaws.com/k", "aws")


# -- budgets: one source --------------------------------------------------------------------


def test_budget_ceiling_comes_from_the_policy_file(tmp_path):
    policy = tmp_path / "plangate.yaml"
    policy.write_text("rules:\n  monthly-budget:\n    tags:\n      Project: {api: 25, '*': 60}\n")
    assert monthly_ceiling("Project", "api", None, str(policy)) == 25
    assert monthly_ceiling("Project", "other", None, str(policy)) == 60
    assert monthly_ceiling("Project", "api", 25.0, str(policy)) == 25
    assert monthly_ceiling("Project", "x", 12.5, None) == 12.5
    with pytest.raises(BudgetError, match="disagrees with the Project=api ceiling 25"):
        monthly_ceiling("Project", "api", 30, str(policy))
    with pytest.raises(BudgetError, match="sets no ceiling for Team=ml"):
        monthly_ceiling("Team", "ml", None, str(policy))


def test_rai_inputs_are_plangates_keys():
    fields = typing.get_type_hints(ResponsibleAiMetadata)
    assert list(fields) == [field_name(k) for k in RaiPolicy().required + RaiPolicy().high_risk_required]
    assert set(ResponsibleAiMetadata.__required_keys__) == {field_name(k) for k in RaiPolicy().required}


# -- the stack-wide transform ---------------------------------------------------------------


def test_transform_tags_what_lacks_tags_and_keeps_user_values():
    def program() -> None:
        import pulumi_aws as aws

        register_cost_allocation_tags(STACK_TAGS)
        aws.sqs.Queue("plain")
        aws.sqs.Queue("owned", tags={"owner": "someone", "Project": "mine", "Extra": "x"})
        aws.s3.BucketPolicy("untaggable", bucket="b", policy="{}")
        GovernedInferenceFunction("api", function_args())

    run = run_program(program)
    queues = {r.name: r.inputs["tags"] for r in run.of_type("aws:sqs/queue:Queue")}
    assert queues["plain"] == STACK_TAGS
    # never overwritten, and not doubled in another case
    assert queues["owned"] == {"CostCenter": "cc-1042", "Environment": "dev", "owner": "someone", "Project": "mine",
                               "Extra": "x"}
    assert "tags" not in run.one("aws:s3/bucketPolicy:BucketPolicy").inputs
    assert "tags" not in run.one("aws:lambda/functionUrl:FunctionUrl").inputs
    assert "tags" not in run.one("plangate:index:GovernedInferenceFunction").inputs
    fn_tags = run.one(FUNCTION).inputs["tags"]
    assert {k: fn_tags[k] for k in STACK_TAGS} == {**STACK_TAGS, "Project": "fraud-scoring-api"}


def test_without_the_transform_nothing_is_added():
    def program() -> None:
        import pulumi_aws as aws

        register_cost_allocation_tags(STACK_TAGS)
        aws.sqs.Queue("plain")

    run = run_program(program, apply_transforms=False)
    assert "tags" not in run.one("aws:sqs/queue:Queue").inputs


def test_taggable_is_read_from_pulumi_aws():
    assert taggable("aws:lambda/function:Function")
    assert taggable("aws:costexplorer/anomalyMonitor:AnomalyMonitor")
    assert not taggable("aws:lambda/functionUrl:FunctionUrl")
    assert not taggable("aws:autoscaling/group:Group")  # tags is a list of blocks there
    assert not taggable("aws:nosuchmodule/thing:Thing")
    assert not taggable("kubernetes:apps/v1:Deployment")
    assert not taggable("plangate:index:GovernedInferenceFunction")


def test_transform_values_are_checked_against_plangates_tag_policy():
    assert missing_required({"costcenter": "x"}, {"CostCenter": "y", "Owner": "o"}) == {"Owner": "o"}
    with pytest.raises(ValueError, match="^cost-allocation tags: missing tags: Project; empty tag values: Owner$"):
        check_values({"CostCenter": "cc-1", "Environment": "dev", "Owner": " "})
    with pytest.raises(ValueError, match="Environment='production' is not one of: dev, test, staging, prod"):
        check_values({**STACK_TAGS, "Environment": "production"})
    strict = TagPolicy(patterns={"CostCenter": "cc-[0-9]{4}"})
    with pytest.raises(ValueError, match=r"CostCenter='42' does not match cc-\[0-9\]\{4\}"):
        check_values({**STACK_TAGS, "CostCenter": "42"}, strict)
    assert check_values({**STACK_TAGS, "Team": "ml"}, strict) == {**STACK_TAGS, "Team": "ml"}
    # the rule's own comparison decides: AWS tag-policy wildcards, and key_case
    wildcard = TagPolicy(allowed_values={"CostCenter": ("cc-*",)})
    assert check_values({**STACK_TAGS, "CostCenter": "cc-1042"}, wildcard)["CostCenter"] == "cc-1042"
    with pytest.raises(ValueError, match="CostCenter='42' is not one of: cc-"):
        check_values({**STACK_TAGS, "CostCenter": "42"}, wildcard)
    folded = {("costcenter" if k == "CostCenter" else k): v for k, v in STACK_TAGS.items()}
    assert check_values(folded, TagPolicy(key_case="insensitive")) == folded
    with pytest.raises(ValueError, match="missing tags: CostCenter"):
        check_values(folded)


# -- the mocks themselves ---------------------------------------------------------------------


def test_an_invoke_that_is_not_mocked_fails_loudly():
    def program() -> None:
        import pulumi_aws as aws

        aws.get_availability_zones()

    with pytest.raises(Exception, match="invoke aws:index/getAvailabilityZones:getAvailabilityZones is not mocked"):
        run_program(program)


def test_components_import_nothing_heavy():
    code = ("import sys, components, components.provider\n"
            "print([m for m in ('numpy', 'sklearn', 'pandas', 'scipy', 'duckdb') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
