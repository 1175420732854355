"""Example stack: a governed scoring API in front of a governed serverless model endpoint.

`GovernedInferenceFunction` (Lambda, IAM-authenticated function URL) calls
`GovernedSageMakerEndpoint` (SageMaker Serverless Inference) and, because serverless
endpoints cannot capture data themselves, writes a sample of requests and predictions to
the endpoint's KMS-encrypted capture bucket.  A stack-wide transform adds the
cost-allocation tags to every resource, including the label queue created directly below.
Configuration: Pulumi.dev.yaml; the policy (budgets included): plangate.dev.yaml.
Running it against an AWS account with the policy pack: docs/components.md.
"""

import pulumi
import pulumi_aws as aws

from components import (
    Architecture,
    GovernedInferenceFunction,
    GovernedSageMakerEndpoint,
    register_cost_allocation_tags,
)

config = pulumi.Config()
# Registered first, so that it runs for every resource this program creates after it.
register_cost_allocation_tags(config.require_object("costAllocation"))

stack = pulumi.get_stack()
policy_file = config.require("policyFile")
alert_emails = config.require_object("alertEmails")
rai = config.require_object("rai")
model = config.require_object("model")
usage = config.require_object("usage")

# The scoring API's code: invoke the endpoint, capture a sample in SageMaker's capture format.
HANDLER = '''
import base64, json, os, random, time, uuid

import boto3

runtime = boto3.client("sagemaker-runtime")
s3 = boto3.client("s3")
ENDPOINT = os.environ["ENDPOINT_NAME"]
BUCKET = os.environ.get("CAPTURE_BUCKET")
PREFIX = os.environ.get("CAPTURE_PREFIX", "capture/")
SAMPLE = float(os.environ.get("CAPTURE_SAMPLING_PERCENT", "0")) / 100


def _captured(data, mode):
    return {"observedContentType": "application/json", "mode": mode, "data": data, "encoding": "JSON"}


def handler(event, context):
    body = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    answer = runtime.invoke_endpoint(EndpointName=ENDPOINT, ContentType="application/json", Body=body)
    prediction = answer["Body"].read().decode()
    if BUCKET and random.random() < SAMPLE:
        record = {"captureData": {"endpointInput": _captured(body, "INPUT"),
                                  "endpointOutput": _captured(prediction, "OUTPUT")},
                  "eventMetadata": {"eventId": str(uuid.uuid4()),
                                    "inferenceTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                  "eventVersion": "0"}
        key = f"{PREFIX}{ENDPOINT}/{time.strftime('%Y/%m/%d/%H', time.gmtime())}/{uuid.uuid4()}.jsonl"
        s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(record) + "\\n")
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": prediction}
'''

endpoint_name = f"fraud-model-{stack}"
endpoint = GovernedSageMakerEndpoint("fraud-model", {
    "endpoint_name": endpoint_name,
    "image_uri": model["imageUri"],
    "model_data_url": model["dataUrl"],
    "serverless": {"memory_mb": 2048, "max_concurrency": 5},
    "rai": rai,
    "cost": {"tag_value": "fraud-scoring-model", "policy_file": policy_file, "usage": usage["model"]},
    "alert_emails": alert_emails,
})

api = GovernedInferenceFunction("fraud-api", {
    "function_name": f"fraud-api-{stack}",
    "code": pulumi.AssetArchive({"handler.py": pulumi.StringAsset(HANDLER)}),
    "handler": "handler.handler",
    "architecture": Architecture.ARM64,
    "memory_mb": 512,
    "timeout_seconds": 10,
    "reserved_concurrency": 20,
    "environment": {"ENDPOINT_NAME": endpoint_name, "CAPTURE_SAMPLING_PERCENT": "20"},
    "invoke_endpoints": [endpoint_name],
    "capture": {"bucket_name": endpoint.capture_bucket_name, "kms_key_arn": endpoint.capture_kms_key_arn},
    "rai": rai,
    "cost": {"tag_value": "fraud-scoring-api", "policy_file": policy_file, "usage": usage["api"]},
    "alert_emails": alert_emails,
})

# Confirmed-fraud labels posted by case workers, read by the drift and fairness jobs. Created
# directly, not by a component: the transform gives it the cost-allocation tags.
labels = aws.sqs.Queue("fraud-labels", name=f"fraud-labels-{stack}", sqs_managed_sse_enabled=True,
                       message_retention_seconds=14 * 24 * 3600)

pulumi.export("api_url", api.endpoint_url)
pulumi.export("api_log_group", api.log_group_name)
pulumi.export("api_alarms", api.alarm_names)
pulumi.export("api_budget", api.budget_name)
pulumi.export("api_monthly_budget_usd", api.monthly_budget_usd)
pulumi.export("api_estimated_monthly_usd", api.estimated_monthly_cost)
pulumi.export("model_url", endpoint.endpoint_url)
pulumi.export("model_log_group", endpoint.log_group_name)
pulumi.export("model_alarms", endpoint.alarm_names)
pulumi.export("model_budget", endpoint.budget_name)
pulumi.export("model_monthly_budget_usd", endpoint.monthly_budget_usd)
pulumi.export("model_estimated_monthly_usd", endpoint.estimated_monthly_cost)
pulumi.export("capture_uri", endpoint.capture_uri)
pulumi.export("labels_queue_url", labels.url)
