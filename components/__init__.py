"""Governed serverless inference components for Pulumi.

```python
from components import GovernedInferenceFunction, register_cost_allocation_tags

register_cost_allocation_tags({"CostCenter": "cc-1042", "Owner": "ml-platform",
                               "Environment": "dev", "Project": "fraud-scoring"})
scorer = GovernedInferenceFunction("scorer", {
    "function_name": "fraud-scorer", "code": pulumi.FileArchive("./app"),
    "rai": {...}, "cost": {"tag_value": "fraud-scorer", "policy_file": "plangate.dev.yaml"},
    "alert_emails": ["ml-oncall@example.com"],
})
```

Everything a plangate rule asks of an inference workload is built in; the inputs are typed
(`components.inputs`), and the same classes are served to other languages by the component
provider (`components.provider`, plugin manifest ``components/PulumiPlugin.yaml``).
Only ``pulumi``, ``pulumi_aws`` and plangate's light core are imported.
"""

from components.endpoint import GovernedSageMakerEndpoint
from components.function import GovernedInferenceFunction
from components.inputs import (
    AlarmThresholds,
    Architecture,
    CaptureTarget,
    CostControls,
    DataCaptureArgs,
    EntryPoint,
    EntryPointKind,
    GovernedInferenceFunctionArgs,
    GovernedSageMakerEndpointArgs,
    InstanceCapacity,
    ResponsibleAiMetadata,
    ServerlessCapacity,
    UsageProfile,
)
from components.tagging import cost_allocation_transform, register_cost_allocation_tags

__all__ = [
    "AlarmThresholds",
    "Architecture",
    "CaptureTarget",
    "CostControls",
    "DataCaptureArgs",
    "EntryPoint",
    "EntryPointKind",
    "GovernedInferenceFunction",
    "GovernedInferenceFunctionArgs",
    "GovernedSageMakerEndpoint",
    "GovernedSageMakerEndpointArgs",
    "InstanceCapacity",
    "ResponsibleAiMetadata",
    "ServerlessCapacity",
    "UsageProfile",
    "cost_allocation_transform",
    "register_cost_allocation_tags",
]
