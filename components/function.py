"""GovernedInferenceFunction: a Lambda inference function that passes plangate by construction.

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
from components.inputs import (
    Architecture,
    EntryPoint,
    EntryPointKind,
    GovernedInferenceFunctionArgs,
)
from components.metadata import inference_selector, rai_tags, usage_tag


class GovernedInferenceFunction(GovernedComponent):
    """An AI inference Lambda function with everything plangate requires: cost-allocation and
    responsible-AI tags, X-Ray tracing, a log group with retention, a reserved-concurrency cap,
    a least-privilege role, an authenticated entry point, CloudWatch alarms (errors, throttles,
    p99 duration), an AWS Budget and a Cost Anomaly Detection monitor on its cost tag."""

    function_name: pulumi.Output[str]
    """Name of the Lambda function."""
    function_arn: pulumi.Output[str]
    """ARN of the Lambda function."""
    endpoint_url: pulumi.Output[str]
    """URL callers invoke: the function URL or the HTTP API stage URL (authenticated)."""
    log_group_name: pulumi.Output[str]
    """Log group the function writes to."""
    role_arn: pulumi.Output[str]
    """ARN of the function's execution role."""
    alarm_names: pulumi.Output[list[str]]
    """Names of the CloudWatch alarms (errors, throttles, p99 duration)."""
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

    def __init__(self, name: str, args: GovernedInferenceFunctionArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        cost = args["cost"]
        super().__init__("GovernedInferenceFunction", name, cost, args.get("tags"), opts)
        fn_name = args["function_name"]
        budget_usd = monthly_ceiling(self.cost_tag_key, self.cost_tag_value,
                                     cost.get("monthly_budget_usd"), cost.get("policy_file"))
        usage = cost.get("usage") or {}
        timeout = int(args.get("timeout_seconds", 30))

        group_name = f"/aws/lambda/{fn_name}"
        log_group = self.child(
            aws.cloudwatch.LogGroup, "logs", name=group_name,
            retention_in_days=int(args.get("log_retention_days", 30)),
            tags=self.tags(usage_tag({"monthly_data_ingested_gb": usage.get("monthly_log_gb", 1)})),
        )
        role, policy = iam.execution_role(self, f"{fn_name}-exec"[:64], "lambda.amazonaws.com",
                                          self._grants(args, log_group))
        function = self.child(
            aws.lambda_.Function, "function",
            depends_on=[log_group, policy],  # the group must exist before Lambda creates its own
            name=fn_name,
            role=role.arn,
            architectures=[Architecture(args.get("architecture", Architecture.ARM64)).value],
            memory_size=int(args.get("memory_mb", 1024)),
            timeout=timeout,
            reserved_concurrent_executions=int(args.get("reserved_concurrency", 10)),
            tracing_config={"mode": "Active"},
            logging_config={"log_format": "JSON", "log_group": group_name},
            environment={"variables": self._environment(args)},
            tags=self.tags(inference_selector(), rai_tags(args["rai"]), usage_tag({
                "monthly_requests": usage.get("monthly_requests"),
                "request_duration_ms": usage.get("request_duration_ms")})),
            **self._package(args),
        )
        endpoint_url = self._entry_point(args.get("entry_point") or {}, function, fn_name, usage)

        topic = telemetry.alarm_topic(self, f"{fn_name}-alarms", args["alert_emails"])
        thresholds = args.get("alarms") or {}
        alarms = telemetry.metric_alarms(self, fn_name, {"FunctionName": fn_name}, [
            telemetry.AlarmSpec("errors", "AWS/Lambda", "Errors", thresholds.get("errors", 1),
                                "Invocations of the inference function failed."),
            telemetry.AlarmSpec("throttles", "AWS/Lambda", "Throttles", thresholds.get("throttles", 1),
                                "Requests were throttled at the reserved-concurrency cap."),
            telemetry.AlarmSpec("p99-duration", "AWS/Lambda", "Duration",
                                thresholds.get("p99_latency_ms", timeout * 1000 * 0.8),
                                "p99 duration is close to the timeout.", statistic="p99",
                                comparison="GreaterThanThreshold"),
        ], topic)
        budget = telemetry.workload_budget(self, f"{fn_name}-monthly", budget_usd, args["alert_emails"],
                                           cost.get("budget_alert_percent", 80))
        monitor = telemetry.anomaly_detection(self, f"{fn_name}-spend", args["alert_emails"],
                                              cost.get("anomaly_threshold_usd", 10))

        self.function_name = function.name
        self.function_arn = function.arn
        self.endpoint_url = endpoint_url
        self.log_group_name = log_group.name
        self.role_arn = role.arn
        self.alarm_names = pulumi.Output.all(*[a.name for a in alarms])
        self.alarm_topic_arn = topic.arn
        self.budget_name = budget.name
        self.monthly_budget_usd = pulumi.Output.from_input(budget_usd)
        self.anomaly_monitor_arn = monitor.arn
        self.estimated_monthly_cost = pulumi.Output.from_input(self.estimated_monthly_usd())
        self.register_outputs({k: getattr(self, k) for k in _OUTPUTS})

    @staticmethod
    def _package(args: GovernedInferenceFunctionArgs) -> dict[str, Any]:
        """Zip or image package arguments; exactly one of code and image_uri."""
        code, image_uri = args.get("code"), args.get("image_uri")
        if (code is None) == (image_uri is None):
            raise ValueError("give exactly one of code (zip package) and image_uri (container image)")
        if image_uri is not None:
            return {"package_type": "Image", "image_uri": image_uri}
        return {"package_type": "Zip", "code": code,
                "handler": args.get("handler", "handler.handler"),
                "runtime": args.get("runtime", "python3.12")}

    @staticmethod
    def _environment(args: GovernedInferenceFunctionArgs) -> dict[str, pulumi.Input[str]]:
        env: dict[str, pulumi.Input[str]] = dict(args.get("environment") or {})
        capture = args.get("capture")
        if capture:
            env.setdefault("CAPTURE_BUCKET", capture["bucket_name"])
            env.setdefault("CAPTURE_PREFIX", capture.get("prefix", "capture/"))
        return env

    def _grants(self, args: GovernedInferenceFunctionArgs, log_group: aws.cloudwatch.LogGroup
                ) -> list[iam.Statement]:
        """Only what the function does: write its own logs and traces, invoke the endpoints it
        names, write captured records under its prefix."""
        statements = [
            iam.allow("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
                      pulumi.Output.concat(log_group.arn, ":*")),
            # X-Ray has no resource-level permissions: "*" is the narrowest scope it accepts.
            iam.allow("WriteTraces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
        ]
        endpoints = args.get("invoke_endpoints") or []
        if endpoints:
            # SageMaker endpoint ARNs are lower case whatever the endpoint name's case.
            statements.append(iam.allow("InvokeModelEndpoints", ["sagemaker:InvokeEndpoint"], [
                self.aws.arn("sagemaker", f"endpoint/{name.lower()}") for name in endpoints]))
        capture = args.get("capture")
        if capture:
            prefix = capture.get("prefix", "capture/")
            statements.append(iam.allow("WriteCapturedRecords", ["s3:PutObject"], pulumi.Output.concat(
                f"arn:{self.aws.partition}:s3:::", capture["bucket_name"], "/", prefix, "*")))
            statements.append(iam.allow("EncryptCapturedRecords", ["kms:GenerateDataKey"],
                                        capture["kms_key_arn"]))
        return statements

    def _entry_point(self, entry: EntryPoint, function: aws.lambda_.Function, fn_name: str,
                     usage: dict[str, Any]) -> pulumi.Output[str]:
        kind = EntryPointKind(entry.get("kind", EntryPointKind.FUNCTION_URL))
        if kind is EntryPointKind.FUNCTION_URL:
            url = self.child(aws.lambda_.FunctionUrl, "url", function_name=function.name,
                             authorization_type="AWS_IAM")
            return url.function_url
        return self._http_api(entry, function, fn_name, usage)

    def _http_api(self, entry: EntryPoint, function: aws.lambda_.Function, fn_name: str,
                  usage: dict[str, Any]) -> pulumi.Output[str]:
        api = self.child(aws.apigatewayv2.Api, "api", name=fn_name, protocol_type="HTTP",
                         tags=self.tags(usage_tag({"monthly_requests": usage.get("monthly_requests")})))
        integration = self.child(aws.apigatewayv2.Integration, "integration", api_id=api.id,
                                 integration_type="AWS_PROXY", integration_uri=function.invoke_arn,
                                 payload_format_version="2.0")
        route: dict[str, Any] = {"authorization_type": "AWS_IAM"}
        if entry.get("jwt_issuer"):
            authorizer = self.child(
                aws.apigatewayv2.Authorizer, "authorizer", api_id=api.id, name=f"{fn_name}-jwt",
                authorizer_type="JWT", identity_sources=["$request.header.Authorization"],
                jwt_configuration={"issuer": entry["jwt_issuer"], "audiences": list(entry.get("jwt_audience", []))},
            )
            route = {"authorization_type": "JWT", "authorizer_id": authorizer.id}
        self.child(aws.apigatewayv2.Route, "route", api_id=api.id,
                   route_key=entry.get("route_key", "POST /predict"),
                   target=pulumi.Output.concat("integrations/", integration.id), **route)
        stage = self.child(aws.apigatewayv2.Stage, "stage", api_id=api.id, name="$default", auto_deploy=True,
                           tags=self.tags())
        self.child(aws.lambda_.Permission, "api-permission", action="lambda:InvokeFunction",
                   function=function.name, principal="apigateway.amazonaws.com",
                   source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"))
        return stage.invoke_url


# The provider copies the docstring into the schema verbatim: drop the source indentation.
GovernedInferenceFunction.__doc__ = inspect.cleandoc(GovernedInferenceFunction.__doc__ or "")
_OUTPUTS = [name for name in GovernedInferenceFunction.__annotations__]
