"""GovernedSageMakerEndpoint: a SageMaker endpoint that passes plangate by construction.

No ``from __future__ import annotations`` here: the component provider reads the output
annotations below at run time to build its schema.
"""

import inspect
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam, telemetry
from components.base import GovernedComponent
from components.budget import monthly_ceiling
from components.inputs import DataCaptureArgs, GovernedSageMakerEndpointArgs
from components.metadata import rai_tags, usage_tag
from plangate.rules.telemetry import CapturePolicy

VARIANT = "primary"
CAPTURE_PREFIX = "capture/"


def ecr_repository_arn(image_uri: str, partition: str) -> str:
    """``<acct>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@digest]`` → the repository ARN.

    SageMaker pulls inference images from ECR only, so any other URI is refused here rather
    than answered with a wildcard grant.
    """
    host, _, path = image_uri.partition("/")
    parts = host.split(".")
    if len(parts) < 6 or parts[1:3] != ["dkr", "ecr"] or not path:
        raise ValueError(f"image_uri {image_uri!r} is not an ECR image (<account>.dkr.ecr.<region>."
                         "amazonaws.com/<repository>:<tag>)")
    repository = path.split("@", 1)[0].rsplit(":", 1)[0]
    return f"arn:{partition}:ecr:{parts[3]}:{parts[0]}:repository/{repository}"


def s3_object_arn(url: str, partition: str) -> str:
    """``s3://bucket/key`` → the object's ARN (the only object the role may read)."""
    if not url.startswith("s3://") or "/" not in url[len("s3://"):]:
        raise ValueError(f"model_data_url {url!r} is not an s3://bucket/key URL")
    return f"arn:{partition}:s3:::{url[len('s3://'):]}"


class GovernedSageMakerEndpoint(GovernedComponent):
    """A SageMaker inference endpoint (serverless or instance based) with everything plangate
    requires: cost-allocation and responsible-AI tags, data capture to a KMS-encrypted S3 bucket
    with a lifecycle rule (drift telemetry), a concurrency or instance cap, a least-privilege
    execution role, a log group with retention, CloudWatch alarms, an AWS Budget and a Cost
    Anomaly Detection monitor on its cost tag."""

    endpoint_name: pulumi.Output[str]
    """Name of the SageMaker endpoint."""
    endpoint_arn: pulumi.Output[str]
    """ARN of the SageMaker endpoint."""
    endpoint_url: pulumi.Output[str]
    """Runtime URL callers invoke (SigV4-signed requests)."""
    log_group_name: pulumi.Output[str]
    """Log group the endpoint's containers write to."""
    capture_bucket_name: pulumi.Output[str]
    """KMS-encrypted bucket holding captured inference data."""
    capture_uri: pulumi.Output[str]
    """s3:// prefix of the captured inference data."""
    capture_kms_key_arn: pulumi.Output[str]
    """KMS key encrypting the captured data."""
    role_arn: pulumi.Output[str]
    """ARN of the execution role."""
    alarm_names: pulumi.Output[list[str]]
    """Names of the CloudWatch alarms (5XX errors, 4XX / throttles, p99 model latency)."""
    alarm_topic_arn: pulumi.Output[str]
    """SNS topic the alarms notify."""
    budget_name: pulumi.Output[str]
    """Name of the AWS Budget on the workload's cost tag."""
    monthly_budget_usd: pulumi.Output[float]
    """The budget's monthly limit in USD (the ceiling plangate enforces)."""
    anomaly_monitor_arn: pulumi.Output[str]
    """ARN of the Cost Anomaly Detection monitor."""
    estimated_monthly_cost: pulumi.Output[float]
    """plangate's estimate of the monthly cost in USD under the usage profile."""

    def __init__(self, name: str, args: GovernedSageMakerEndpointArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        cost = args["cost"]
        super().__init__("GovernedSageMakerEndpoint", name, cost, args.get("tags"), opts)
        ep_name = args["endpoint_name"]
        budget_usd = monthly_ceiling(self.cost_tag_key, self.cost_tag_value,
                                     cost.get("monthly_budget_usd"), cost.get("policy_file"))
        usage = cost.get("usage") or {}
        workload_tags = rai_tags(args["rai"])
        capture = args.get("capture") or {}

        key, bucket, capture_uri = self._capture_store(ep_name, capture, usage_tag({
            "storage_gb": usage.get("capture_storage_gb"),
            "monthly_tier_1_requests": usage.get("capture_monthly_writes")}))
        log_group = self.child(
            aws.cloudwatch.LogGroup, "logs", name=f"/aws/sagemaker/Endpoints/{ep_name}",
            retention_in_days=int(args.get("log_retention_days", 30)),
            tags=self.tags(usage_tag({"monthly_data_ingested_gb": usage.get("monthly_log_gb", 1)})),
        )
        role, policy = iam.execution_role(self, f"{ep_name}-exec"[:64], "sagemaker.amazonaws.com",
                                          self._grants(args, log_group, bucket, key))
        model = self.child(
            aws.sagemaker.Model, "model", depends_on=[policy], name=f"{ep_name}-model"[:63],
            execution_role_arn=role.arn,
            primary_container=self._container(args),
            tags=self.tags(workload_tags),
        )
        serverless = self._is_serverless(args)
        config = self.child(
            aws.sagemaker.EndpointConfiguration, "config",
            production_variants=[self._variant(args, model)],
            data_capture_config=None if serverless else {
                "enable_capture": True,
                "initial_sampling_percentage": int(capture.get("sampling_percent", 20)),
                "destination_s3_uri": capture_uri,
                "kms_key_id": key.arn,
                "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
                "capture_content_type_header": {"json_content_types": ["application/json"],
                                                "csv_content_types": ["text/csv"]},
            },
            tags=self.tags(workload_tags, usage_tag({
                "monthly_requests": usage.get("monthly_requests"),
                "request_duration_ms": usage.get("request_duration_ms")}),
                # where the entry point writes samples, since serverless cannot capture itself
                {CapturePolicy().caller_capture_key: capture_uri} if serverless else {}),
        )
        if serverless:
            # SageMaker Serverless Inference does not support DataCaptureConfig (CreateEndpoint
            # fails); the capture store is still made, for the caller to write samples into.
            pulumi.log.info(
                f"{ep_name}: SageMaker Serverless Inference cannot capture data itself; write "
                f"samples to capture_uri from the entry point (GovernedInferenceFunction.capture)",
                resource=self)
        endpoint = self.child(aws.sagemaker.Endpoint, "endpoint", name=ep_name,
                              endpoint_config_name=config.name, tags=self.tags(workload_tags))

        thresholds = args.get("alarms") or {}
        topic = telemetry.alarm_topic(self, f"{ep_name}-alarms", args["alert_emails"])
        alarms = telemetry.metric_alarms(self, ep_name, {"EndpointName": ep_name, "VariantName": VARIANT}, [
            telemetry.AlarmSpec("5xx-errors", "AWS/SageMaker", "Invocation5XXErrors",
                                thresholds.get("errors", 1), "The model container returned errors."),
            telemetry.AlarmSpec("4xx-errors", "AWS/SageMaker", "Invocation4XXErrors",
                                thresholds.get("throttles", 1),
                                "Requests were rejected, including throttling at the capacity cap."),
            # ModelLatency is reported in microseconds.
            telemetry.AlarmSpec("p99-latency", "AWS/SageMaker", "ModelLatency",
                                thresholds.get("p99_latency_ms", 1000) * 1000,
                                "p99 model latency is above its threshold.", statistic="p99",
                                comparison="GreaterThanThreshold"),
        ], topic)
        budget = telemetry.workload_budget(self, f"{ep_name}-monthly", budget_usd, args["alert_emails"],
                                           cost.get("budget_alert_percent", 80))
        monitor = telemetry.anomaly_detection(self, f"{ep_name}-spend", args["alert_emails"],
                                              cost.get("anomaly_threshold_usd", 10))

        self.endpoint_name = endpoint.name
        self.endpoint_arn = endpoint.arn
        self.endpoint_url = pulumi.Output.concat(
            f"https://runtime.sagemaker.{self.aws.region}.{self.aws.dns_suffix}/endpoints/", endpoint.name,
            "/invocations")
        self.log_group_name = log_group.name
        self.capture_bucket_name = bucket.bucket
        self.capture_uri = capture_uri
        self.capture_kms_key_arn = key.arn
        self.role_arn = role.arn
        self.alarm_names = pulumi.Output.all(*[a.name for a in alarms])
        self.alarm_topic_arn = topic.arn
        self.budget_name = budget.name
        self.monthly_budget_usd = pulumi.Output.from_input(budget_usd)
        self.anomaly_monitor_arn = monitor.arn
        self.estimated_monthly_cost = pulumi.Output.from_input(self.estimated_monthly_usd())
        self.register_outputs({k: getattr(self, k) for k in _OUTPUTS})

    @staticmethod
    def _is_serverless(args: GovernedSageMakerEndpointArgs) -> bool:
        if args.get("serverless") and args.get("instance"):
            raise ValueError("give serverless or instance capacity, not both")
        return not args.get("instance")

    @staticmethod
    def _variant(args: GovernedSageMakerEndpointArgs, model: aws.sagemaker.Model) -> dict[str, Any]:
        instance = args.get("instance")
        if instance:
            return {"variant_name": VARIANT, "model_name": model.name,
                    "instance_type": instance["instance_type"],
                    "initial_instance_count": int(instance.get("instance_count", 1))}
        capacity = args.get("serverless") or {"memory_mb": 2048, "max_concurrency": 5}
        serverless: dict[str, Any] = {"memory_size_in_mb": int(capacity["memory_mb"]),
                                      "max_concurrency": int(capacity["max_concurrency"])}
        if capacity.get("provisioned_concurrency"):
            serverless["provisioned_concurrency"] = int(capacity["provisioned_concurrency"])
        return {"variant_name": VARIANT, "model_name": model.name, "serverless_config": serverless}

    @staticmethod
    def _container(args: GovernedSageMakerEndpointArgs) -> dict[str, Any]:
        container: dict[str, Any] = {"image": args["image_uri"]}
        if args.get("model_data_url") is not None:
            container["model_data_url"] = args["model_data_url"]
        if args.get("environment"):
            container["environment"] = dict(args["environment"])
        return container

    def _capture_store(self, ep_name: str, capture: DataCaptureArgs, usage: dict[str, str]
                       ) -> tuple[aws.kms.Key, aws.s3.Bucket, pulumi.Output[str]]:
        """The KMS key, the bucket (private, TLS only, encrypted, expiring) and the capture URI."""
        key = self.child(aws.kms.Key, "capture-key", description=f"Inference data captured by {ep_name}",
                         enable_key_rotation=True, deletion_window_in_days=30, tags=self.tags())
        # Bucket names are global: the account id keeps two accounts' endpoints apart.
        bucket = self.child(aws.s3.Bucket, "capture", bucket=f"{ep_name}-capture-{self.aws.account_id}"[:63].lower(),
                            tags=self.tags(usage))
        self.child(aws.s3.BucketPublicAccessBlock, "capture-public-access", bucket=bucket.id,
                   block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                   restrict_public_buckets=True)
        self.child(aws.s3.BucketServerSideEncryptionConfiguration, "capture-encryption", bucket=bucket.id,
                   rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                                       "kms_master_key_id": key.arn},
                           "bucket_key_enabled": True}])
        self.child(aws.s3.BucketLifecycleConfiguration, "capture-lifecycle", bucket=bucket.id,
                   rules=[self._lifecycle_rule(capture)])
        self.child(aws.s3.BucketPolicy, "capture-tls-only", bucket=bucket.id, policy=pulumi.Output.json_dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                           "Action": "s3:*", "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
        }))
        return key, bucket, pulumi.Output.concat("s3://", bucket.bucket, "/", CAPTURE_PREFIX.rstrip("/"))

    @staticmethod
    def _lifecycle_rule(capture: DataCaptureArgs) -> dict[str, Any]:
        """Captured data moves to Standard-IA, then expires: drift analysis needs weeks of it,
        not years, and captured requests may hold personal data."""
        retention = int(capture.get("retention_days", 90))
        to_ia = int(capture.get("infrequent_access_after_days", 30))
        rule: dict[str, Any] = {"id": "expire-captured-data", "status": "Enabled",
                                "filter": {"prefix": CAPTURE_PREFIX},
                                "expiration": {"days": retention}}
        if 30 <= to_ia < retention:  # S3 moves objects to Standard-IA no sooner than 30 days
            rule["transitions"] = [{"days": to_ia, "storage_class": "STANDARD_IA"}]
        return rule

    def _grants(self, args: GovernedSageMakerEndpointArgs, log_group: aws.cloudwatch.LogGroup,
                bucket: aws.s3.Bucket, key: aws.kms.Key) -> list[iam.Statement]:
        """Pull its image and artifacts, write its logs and metrics, write captured data."""
        partition = self.aws.partition
        statements = [
            # GetAuthorizationToken has no resource-level permissions.
            iam.allow("EcrLogin", ["ecr:GetAuthorizationToken"], "*"),
            iam.allow("PullImage", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                    "ecr:GetDownloadUrlForLayer"],
                      pulumi.Output.from_input(args["image_uri"]).apply(
                          lambda uri: ecr_repository_arn(uri, partition))),
            iam.allow("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
                      pulumi.Output.concat(log_group.arn, ":*")),
            iam.allow("PublishMetrics", ["cloudwatch:PutMetricData"], "*",
                      {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}),
            iam.allow("WriteCapturedData", ["s3:PutObject"],
                      pulumi.Output.concat(bucket.arn, "/", CAPTURE_PREFIX, "*")),
            iam.allow("EncryptCapturedData", ["kms:GenerateDataKey", "kms:Encrypt"], key.arn),
        ]
        if args.get("model_data_url") is not None:
            statements.append(iam.allow("ReadModelArtifacts", ["s3:GetObject"],
                                        pulumi.Output.from_input(args["model_data_url"]).apply(
                                            lambda url: s3_object_arn(url, partition))))
        return statements


# The provider copies the docstring into the schema verbatim: drop the source indentation.
GovernedSageMakerEndpoint.__doc__ = inspect.cleandoc(GovernedSageMakerEndpoint.__doc__ or "")
_OUTPUTS = [name for name in GovernedSageMakerEndpoint.__annotations__]
