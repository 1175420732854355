# Written by the plangate team: a governed inference function and an ungoverned one.

variable "environment" {
  type    = string
  default = "prod"
}

variable "model_id" {
  type    = string
  default = "churn-lgbm-2026-09"
}

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      CostCenter  = "cc-2210"
      Owner       = "growth-ml"
      Environment = var.environment
      Project     = "churn-prediction"
    }
  }
}

resource "aws_iam_role" "inference" {
  name               = "churn-inference"
  assume_role_policy = file("${path.module}/assume-role.json")
}

resource "aws_lambda_function" "churn" {
  function_name                  = "churn-scorer"
  role                           = aws_iam_role.inference.arn
  runtime                        = "python3.12"
  handler                        = "app.handler"
  filename                       = "build/churn.zip"
  memory_size                    = 1769
  timeout                        = 20
  architectures                  = ["arm64"]
  reserved_concurrent_executions = 20

  tracing_config {
    mode = "Active"
  }

  tags = {
    app                                 = "ai-model-inference"
    "ai.plangate.dev/model-id"          = var.model_id
    "ai.plangate.dev/model-card-url"    = "https://models.example.com/churn/card"
    "ai.plangate.dev/data-lineage-url"  = "https://lineage.example.com/datasets/crm-2026q2"
    "ai.plangate.dev/risk-tier"         = "limited"
    "ai.plangate.dev/accountable-owner" = "amir.k@example.com"
  }
}

resource "aws_cloudwatch_log_group" "churn" {
  name              = "/aws/lambda/churn-scorer"
  retention_in_days = 14
}

resource "aws_lambda_function_url" "churn" {
  function_name      = aws_lambda_function.churn.function_name
  authorization_type = "AWS_IAM"
}

resource "aws_apigatewayv2_api" "public" {
  name          = "churn-public"
  protocol_type = "HTTP"
  tags = {
    Environment = "" # overrides the default tag with an empty value
  }
}

resource "aws_apigatewayv2_route" "predict" {
  api_id    = aws_apigatewayv2_api.public.id
  route_key = "POST /predict"
}

module "feature_store" {
  source = "./modules/feature-store"
}
