"""Which resources are AI inference workloads, and where their metadata lives.

AWS resources carry metadata as tags; Kubernetes objects as labels and annotations, where a
pod controller's pod template counts too (Kubecost and Kyverno's autogen read the pods).
"""

from __future__ import annotations

from collections.abc import Mapping

from plangate.model import Resource
from plangate.types import SAGEMAKER


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


def is_inference(res: Resource, selector: Mapping[str, str]) -> bool:
    """SageMaker resources always; Lambda functions and Kubernetes workloads when selected."""
    return res.type in SAGEMAKER or (bool(selector) and selected(res, selector))
