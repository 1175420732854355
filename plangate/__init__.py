"""plangate: plan-time FinOps and responsible-AI guardrails for Pulumi, Terraform and Kubernetes."""

__version__ = "0.1.0"
