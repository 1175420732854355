"""The priced resource types, declared once: each type the cost model prices, with the usage
keys it accepts, and the types AWS does not bill by themselves.

This module is light on purpose (no pricing code): budget rules, the usage-file reader and
the cost model import it to know what is priced without loading the pricing functions.
"""

from __future__ import annotations

_NUMBER, _TEXT = "number", "text"

# Usage keys each priced type accepts (Infracost's names where Infracost has the type).
USAGE_KEYS: dict[str, dict[str, str]] = {
    "aws_lambda_function": {"monthly_requests": _NUMBER, "request_duration_ms": _NUMBER},
    "aws_lambda_provisioned_concurrency_config": {
        "monthly_duration_hrs": _NUMBER, "monthly_requests": _NUMBER,
        "request_duration_ms": _NUMBER, "memory_mb": _NUMBER, "architecture": _TEXT,
    },
    "aws_sagemaker_endpoint_configuration": {
        "monthly_requests": _NUMBER, "request_duration_ms": _NUMBER,
        "monthly_inference_seconds": _NUMBER, "monthly_data_processed_in_gb": _NUMBER,
        "monthly_data_processed_out_gb": _NUMBER,
    },
    "aws_sagemaker_endpoint": {},
    "aws_api_gateway_rest_api": {"monthly_requests": _NUMBER},
    "aws_apigatewayv2_api": {
        "monthly_requests": _NUMBER, "request_size_kb": _NUMBER, "monthly_messages": _NUMBER,
        "message_size_kb": _NUMBER, "monthly_connection_mins": _NUMBER,
    },
    "aws_cloudwatch_log_group": {
        "monthly_data_ingested_gb": _NUMBER, "storage_gb": _NUMBER, "monthly_data_scanned_gb": _NUMBER,
    },
    "aws_s3_bucket": {
        "storage_gb": _NUMBER, "monthly_tier_1_requests": _NUMBER, "monthly_tier_2_requests": _NUMBER,
        # Infracost nests S3 usage per storage class; the Standard class is priced here.
        "standard.storage_gb": _NUMBER, "standard.monthly_tier_1_requests": _NUMBER,
        "standard.monthly_tier_2_requests": _NUMBER,
    },
    "aws_dynamodb_table": {
        "storage_gb": _NUMBER, "monthly_write_request_units": _NUMBER,
        "monthly_read_request_units": _NUMBER,
    },
    "aws_sqs_queue": {"monthly_requests": _NUMBER, "request_size_kb": _NUMBER},
    "aws_sfn_state_machine": {
        "monthly_transitions": _NUMBER, "monthly_requests": _NUMBER,
        "workflow_duration_ms": _NUMBER, "memory_mb": _NUMBER,
    },
    "aws_bedrock_provisioned_model_throughput": {"monthly_hours": _NUMBER},
    "aws_instance": {"operating_system": _TEXT, "monthly_hrs": _NUMBER},
}

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

#: Every type the cost model prices (a parser in plangate.cost.priced is registered for each).
PRICED_TYPES: frozenset[str] = frozenset(USAGE_KEYS)
