"""The schemas the exported documents are validated against (fixtures, see
tests/fixtures/interop/crds/PROVENANCE.md), made strict as ``kubectl apply`` is: a field the schema
does not declare is an error (the API server's strict field validation), except under
``x-kubernetes-preserve-unknown-fields``."""

from __future__ import annotations

import json
from typing import Any

from conftest import FIXTURES

CRDS = FIXTURES / "interop" / "crds"


def strict(schema: Any) -> Any:
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: (v if k == "properties" else strict(v)) for k, v in schema.items()}
    if "properties" in schema:
        out["properties"] = {name: strict(s) for name, s in schema["properties"].items()}
        if "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
    return out


def kyverno_validating_policy() -> dict:
    return strict(json.loads((CRDS / "kyverno-validatingpolicy-v1.schema.json").read_text()))


def kubernetes(kind: str) -> dict:
    """The OpenAPI schema of admissionregistration.k8s.io/v1 ``kind``, its references resolved in
    the same document."""
    doc = strict(json.loads((CRDS / "kubernetes-validatingadmissionpolicy-v1.openapi.json").read_text()))
    return {**doc, "$ref": f"#/components/schemas/io.k8s.api.admissionregistration.v1.{kind}"}
