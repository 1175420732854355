"""Every exported rule's examples as the manifests an admission controller is handed, with what
plangate says of each — the one home the CEL and Rego example tests share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from plangate.interop import admission
from plangate.loaders.k8s import from_bytes
from plangate.rules import RULES

EXPORTED = admission.exported_rules(RULES)


def says(rule, res, settings) -> list[str]:
    """plangate's messages for one resource, sorted."""
    return sorted(a for a in rule.evaluate(res, settings) if isinstance(a, str))


def example_cases() -> list[Any]:
    return [pytest.param(rule, example, id=f"{rule.slug}[{i}] {example.name}")
            for rule in EXPORTED for i, example in enumerate(rule.examples)]


def admitted(rule, example, settings) -> Iterator[tuple[dict, list[str]]]:
    """Each resource of ``example`` as a manifest, with plangate's messages on it read back.

    A Kubernetes example must read back as itself; an AWS example is admitted as a Deployment,
    opted in as its original is (SageMaker always is).  An example with a secret value is
    skipped: Kubernetes annotations have no secret form."""
    resources = example.build()
    if any(res.secret for res in resources):
        pytest.skip("a sensitive value has no annotation form: Kubernetes annotations are never secret")
    for res in resources:
        obj = admission.manifest(res)
        if not res.type.startswith("kubernetes_"):
            obj["metadata"]["labels"].update(dict(getattr(settings, "selector", {})))
        (loaded,) = from_bytes(yaml.safe_dump(obj).encode(), "example.yaml", strict=True)
        ours = says(rule, loaded, settings)
        if res.type.startswith("kubernetes_"):
            assert ours == sorted(example.says), "the manifest reads back as the example"
        yield obj, ours
