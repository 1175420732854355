"""Which resources are AI inference workloads, and where their metadata lives.

AWS resources carry metadata as tags; Kubernetes objects as labels and annotations, where a
pod controller's pod template counts too (Kubecost and Kyverno's autogen read the pods).

An inference workload is, in this order:

1. any SageMaker model, endpoint or serving resource;
2. a resource the selector tag / label selects (``app=ai-model-inference`` by default): the
   explicit opt-in;
3. not a resource carrying the opt-out tag (``ai.plangate.dev/inference=false`` by default);
4. a Lambda function that calls a model: its execution role may call one of the invoke actions
   (``sagemaker:InvokeEndpoint*``, ``bedrock:InvokeModel*``; linked by
   `plangate.loaders.roles`, read back with `plangate.notes.role_actions`), or its environment
   names an endpoint or model (a variable name such as ``SAGEMAKER_ENDPOINT_NAME`` /
   ``BEDROCK_MODEL_ID``, or a value that is a SageMaker endpoint or Bedrock model ARN or
   runtime URL).

`Detection` holds the settings of steps 3 and 4; PG-RAI-001 exposes them in plangate.yaml.

When what would decide it is unknown until apply (a selector or opt-out tag, a Lambda function's
environment variables: Terraform marks the whole map unknown when one value is), `classify`
answers `Unknown` naming it, so the inference rules say "unknown", never skip in silence.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plangate.model import Resource, Unknown, comparable
from plangate.notes import role_actions
from plangate.settings import mapping_setting
from plangate.types import SAGEMAKER

#: The tag / label pairs that mark a workload as AI inference unless plangate.yaml says otherwise.
DEFAULT_SELECTOR: Mapping[str, str] = {"app": "ai-model-inference"}


def selector_setting(doc: str) -> Any:
    """The ``selector`` setting every inference rule has: one default, its own description."""
    return mapping_setting(DEFAULT_SELECTOR, doc)


@dataclass(frozen=True)
class InferenceScope:
    """Settings of a rule about inference Lambda functions: the selector, and what the rule adds."""

    selector: dict[str, str] = selector_setting(
        "Tag pairs that mark a Lambda function as AI inference (SageMaker resources always are; "
        "'' matches any value).")


def pod_metadata(res: Resource, part: str) -> dict[str, str]:
    """``labels`` or ``annotations`` of a pod controller's pod template ({} when none)."""
    meta = res.properties.get("pod_metadata")
    if isinstance(meta, Mapping) and isinstance(meta.get(part), Mapping):
        return dict(meta[part])
    return {}


def selector_keys(res: Resource) -> dict[str, str]:
    """The key / value pairs a selector may match: tags (AWS) or labels (Kubernetes)."""
    if res.provider == "kubernetes":
        return {**pod_metadata(res, "labels"), **res.labels}
    return res.tags


def metadata(res: Resource) -> dict[str, str]:
    """Where responsible-AI metadata is read: tags, or object + pod template annotations."""
    if res.provider == "kubernetes":
        return {**pod_metadata(res, "annotations"), **res.annotations}
    return res.tags


def selected(res: Resource, selector: Mapping[str, str]) -> bool:
    """True when every selector pair is present (an empty selector value matches any value)."""
    keys = selector_keys(res)
    return all(k in keys and (not v or keys[k] == v) for k, v in selector.items())


@dataclass(frozen=True)
class Detection:
    """How a Lambda function that nobody tagged is recognised as calling a model."""

    opt_out: Mapping[str, str] = field(default_factory=lambda: {"ai.plangate.dev/inference": "false"})
    invoke_actions: tuple[str, ...] = ("sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync",
                                       "sagemaker:InvokeEndpointWithResponseStream", "bedrock:InvokeModel",
                                       "bedrock:InvokeModelWithResponseStream")
    env_names: tuple[str, ...] = (r"(?i)\w*(sagemaker\w*endpoint|endpoint_name|bedrock\w*model|model_id|model_arn"
                                  r"|inference_endpoint)\w*",)
    env_values: tuple[str, ...] = (r"arn:aws[\w-]*:sagemaker:[\w-]*:\d*:endpoint/\S+",
                                   r"arn:aws[\w-]*:bedrock:\S+",
                                   r"https://(runtime\.sagemaker|bedrock-runtime)\.[\w.-]+\S*")


DEFAULT_DETECTION = Detection()
_LAMBDA = "aws_lambda_function"


def inference_signals(res: Resource, detect: Detection = DEFAULT_DETECTION) -> list[str]:
    """Why a Lambda function calls a model (empty: no sign of it), for messages and docs."""
    if res.type != _LAMBDA:
        return []
    signals = []
    allowed = role_actions(res)
    may_call = [a for a in detect.invoke_actions
                if any(fnmatch.fnmatchcase(a.lower(), pattern.lower()) for pattern in allowed)]
    if may_call:
        signals.append(f"execution role may call {', '.join(may_call)}")
    variables = res.get("environment.variables")
    for name, value in (variables.items() if isinstance(variables, Mapping) else ()):
        plain = comparable(value)
        if any(re.fullmatch(p, str(name)) for p in detect.env_names) or (
                isinstance(plain, str) and any(re.fullmatch(p, plain.strip()) for p in detect.env_values)):
            signals.append(f"environment variable {name} names an endpoint or model")
    return signals


def is_inference(res: Resource, selector: Mapping[str, str], detect: Detection = DEFAULT_DETECTION) -> bool:
    """SageMaker resources always; Lambda functions and Kubernetes workloads when selected;
    untagged Lambda functions that call a model, unless they carry the opt-out tag."""
    if res.type in SAGEMAKER or (bool(selector) and selected(res, selector)):
        return True
    if detect.opt_out and selected(res, detect.opt_out):
        return False
    return bool(inference_signals(res, detect))


def classify(res: Resource, selector: Mapping[str, str], detect: Detection = DEFAULT_DETECTION) -> bool | Unknown:
    """`is_inference`, or `Unknown` when it is not known to be one and what would decide it is
    unknown until apply."""
    if is_inference(res, selector, detect):
        return True
    if res.provider == "kubernetes":
        return False
    keys = [*selector, *(detect.opt_out or {})]
    undecided = [f"tags.{k}" for k in keys if k not in res.tags and res.is_unknown(f"tags.{k}")]
    if res.type == _LAMBDA and not (detect.opt_out and selected(res, detect.opt_out)):
        # the whole map, the block holding it, or one of its values (which may be an endpoint ARN)
        plain = (re.sub(r"\.\d+(?=\.|$)", "", p) for p in res.unknown)
        if res.is_unknown("environment.variables") or any(p.startswith("environment.variables.") for p in plain):
            undecided.append("environment.variables")
    if not undecided:
        return False
    return Unknown(f"whether this is an AI inference workload is unknown until apply ({', '.join(undecided)})",
                   tuple(undecided))
