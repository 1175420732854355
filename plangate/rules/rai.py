"""Responsible-AI metadata on inference workloads, and the EU AI Act's prohibited tier."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from plangate.model import Resource, Severity, Unknown, comparable, redact
from plangate.rules.base import Fail, Frameworks, Pass, Undecided, rule
from plangate.rules.scope import DEFAULT_DETECTION, DEFAULT_SELECTOR, Detection, classify, metadata, selector_setting
from plangate.settings import SettingsError, mapping_setting, setting
from plangate.types import INFERENCE_CANDIDATES, SAGEMAKER

#: An endpoint configuration is the template its endpoint instantiates: the metadata is read on
#: the model and the endpoint, and a third report on the configuration would add nothing.
_RAI_TYPES = (SAGEMAKER - {"aws_sagemaker_endpoint_configuration"}) | INFERENCE_CANDIDATES

_URL = re.compile(r"https?://[^\s/]+\S*")

# What each metadata key records, for messages a reviewer can act on.
MEANING = {
    "model-id": "model identifier",
    "model-card-url": "model card URL",
    "data-lineage-url": "data lineage URL",
    "risk-tier": "EU AI Act risk tier",
    "accountable-owner": "accountable owner",
    "human-oversight-contact": "human oversight contact",
    "evaluation-evidence": "evaluation evidence reference",
}
URL_KEYS = ("model-card-url", "data-lineage-url")
PROHIBITED_TIER = "unacceptable"


@dataclass(frozen=True)
class RaiPolicy:
    prefix: str = setting(
        "ai.plangate.dev/",
        "Prefix of the metadata keys (AWS tag keys and Kubernetes annotation keys).",
    )
    selector: dict[str, str] = selector_setting(
        "Tag (AWS) or label (Kubernetes) pairs that mark a Lambda function or Kubernetes "
        "workload as AI inference; SageMaker resources always are. '' matches any value.",
    )
    required: tuple[str, ...] = setting(
        ("model-id", "model-card-url", "data-lineage-url", "risk-tier", "accountable-owner"),
        "Metadata keys (after the prefix) every inference workload carries.",
    )
    high_risk_required: tuple[str, ...] = setting(
        ("human-oversight-contact", "evaluation-evidence"),
        "Further keys required when the risk tier is high.",
    )
    risk_tiers: tuple[str, ...] = setting(
        ("minimal", "limited", "high"),
        "Accepted risk tiers (unacceptable is always denied by PG-RAI-002).",
    )
    opt_out: dict[str, str] = mapping_setting(
        DEFAULT_DETECTION.opt_out,
        "Tag pairs that mark a Lambda function as not AI inference although it seems to call a "
        "model (the selector tag still opts in).",
    )
    invoke_actions: tuple[str, ...] = setting(
        DEFAULT_DETECTION.invoke_actions,
        "IAM actions that make a Lambda function AI inference when its execution role (linked "
        "in the same plan) may call one of them.",
    )
    env_names: tuple[str, ...] = setting(
        DEFAULT_DETECTION.env_names,
        "Regular expressions: a Lambda environment variable whose whole name matches one names "
        "an endpoint or model.",
    )
    env_values: tuple[str, ...] = setting(
        DEFAULT_DETECTION.env_values,
        "Regular expressions: a Lambda environment variable whose whole value matches one (an "
        "endpoint or model ARN, a runtime URL) names an endpoint or model.",
    )

    def __post_init__(self) -> None:
        for name in ("env_names", "env_values"):
            for index, pattern in enumerate(getattr(self, name)):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise SettingsError(f"{name}[{index}]: not a regular expression: {exc}") from None

    @property
    def detection(self) -> Detection:
        return Detection(self.opt_out, self.invoke_actions, self.env_names, self.env_values)


def _metadata_root(res: Resource) -> str:
    return "annotations" if res.provider == "kubernetes" else "tags"


def _selected(res: Resource, cfg: RaiPolicy) -> bool | Unknown:
    return classify(res, cfg.selector, cfg.detection)


P = "ai.plangate.dev/"
_GOOD = {
    P + "model-id": "fraud-xgb-2026-10",
    P + "model-card-url": "https://models.example.com/fraud-xgb/card",
    P + "data-lineage-url": "https://lineage.example.com/datasets/txn-2026q3",
    P + "risk-tier": "limited",
    P + "accountable-owner": "jane.doe@example.com",
}
_SELECT = dict(DEFAULT_SELECTOR)


@rule(
    id="PG-RAI-001",
    slug="responsible-ai-metadata",
    title="AI inference workloads are documented as responsible AI systems",
    severity=Severity.HIGH,
    category="responsible-ai",
    applies_to=_RAI_TYPES,
    settings=RaiPolicy,
    remediation=(
        "Add the responsible-AI metadata as tags (AWS) or annotations (Kubernetes): model id, "
        "model card URL, data lineage URL, risk tier and accountable owner; for high-risk "
        "systems also a human-oversight contact and an evaluation-evidence reference."
    ),
    frameworks=Frameworks(nist_ai_rmf="GOVERN 1.6, MAP 1.1", eu_ai_act="Art. 11, Art. 14"),
    examples=[
        Pass(type="aws_sagemaker_endpoint", tags=_GOOD),
        Fail(
            f"missing {P}model-card-url (model card URL)",
            f"missing {P}data-lineage-url (data lineage URL)",
            type="aws_sagemaker_model",
            tags={k: v for k, v in _GOOD.items() if "url" not in k},
            name="SageMaker is always in scope",
        ),
        Pass(type="aws_lambda_function", tags={"app": "billing-api"}, name="not an inference function"),
        Fail(
            f"missing {P}model-id (model identifier)",
            type="aws_lambda_function",
            tags={k: v for k, v in _GOOD.items() if "model-id" not in k},
            properties={"environment": {"variables": {"SAGEMAKER_ENDPOINT_NAME": "fraud-xgb-prod"}}},
            name="untagged, but its environment names a SageMaker endpoint",
        ),
        Fail(
            f"missing {P}model-id (model identifier)",
            type="aws_lambda_function",
            tags={k: v for k, v in _GOOD.items() if "model-id" not in k},
            properties={"environment": {"variables": {
                "TARGET": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku"}}},
            name="untagged, but an environment value is a Bedrock model ARN",
        ),
        Fail(
            f"missing {P}model-id (model identifier)",
            type="aws_lambda_function",
            tags={k: v for k, v in _GOOD.items() if "model-id" not in k},
            notes=("execution role aws_iam_role.scorer may call: bedrock:InvokeModel*",),
            name="untagged, but its execution role may call bedrock:InvokeModel",
        ),
        Pass(
            type="aws_lambda_function",
            tags={"ai.plangate.dev/inference": "false"},
            properties={"environment": {"variables": {"SAGEMAKER_ENDPOINT_NAME": "shadow-ep"}}},
            name="the opt-out tag wins over detection",
        ),
        Pass(
            type="aws_lambda_function",
            properties={"environment": {"variables": {"SAGEMAKER_ENDPOINT_NAME": "fraud-xgb-prod"}}},
            settings={"env_names": []},
            name="detection is configurable: no variable names count",
        ),
        Pass(
            type="aws_lambda_function",
            properties={"environment": {"variables": {"TABLE_NAME": "orders"}}},
            name="an environment that names no endpoint or model",
        ),
        Pass(
            type="aws_sagemaker_endpoint_configuration",
            name="an endpoint configuration is not checked: its model and endpoint carry the metadata",
        ),
        Fail(
            f"missing {P}model-id (model identifier)",
            type="aws_lambda_function",
            tags={**{k: v for k, v in _GOOD.items() if "model-id" not in k}, **_SELECT},
        ),
        Fail(
            f"{P}model-card-url='wiki page' is not a URL",
            type="aws_sagemaker_endpoint",
            tags={**_GOOD, P + "model-card-url": "wiki page"},
        ),
        Fail(
            f"{P}risk-tier='medium' is not one of: minimal, limited, high",
            type="aws_sagemaker_endpoint",
            tags={**_GOOD, P + "risk-tier": "medium"},
        ),
        Fail(
            f"missing {P}human-oversight-contact (human oversight contact), required for high risk",
            f"missing {P}evaluation-evidence (evaluation evidence reference), required for high risk",
            type="aws_sagemaker_endpoint",
            tags={**_GOOD, P + "risk-tier": "high"},
        ),
        Pass(
            type="kubernetes_deployment",
            labels=_SELECT,
            properties={"pod_metadata": {"annotations": _GOOD}},
            name="annotations on the pod template count",
        ),
        Fail(
            "missing ai.apexlogic.com/model-id (model identifier)",
            "missing ai.apexlogic.com/model-card-url (model card URL)",
            "missing ai.apexlogic.com/data-lineage-url (data lineage URL)",
            type="kubernetes_deployment",
            labels=_SELECT,
            settings={
                "prefix": "ai.apexlogic.com/",
                "required": ["model-id", "model-card-url", "data-lineage-url"],
            },
            name="the three annotations a Gatekeeper policy requires on Deployments",
        ),
        Fail(
            f"{P}model-card-url=[secret] is not a URL",
            type="aws_sagemaker_endpoint",
            tags={**_GOOD, P + "model-card-url": redact("wiki page")},
            secret={f"tags.{P}model-card-url"},
            name="a sensitive value is checked and shown as [secret]",
        ),
        Pass(
            type="aws_sagemaker_endpoint",
            tags={**_GOOD, P + "model-card-url": redact("https://models.example.com/private/card")},
            secret={f"tags.{P}model-card-url"},
            name="a sensitive URL that is a URL passes",
        ),
        Undecided(
            "responsible-AI metadata is unknown until apply",
            type="aws_sagemaker_endpoint",
            unknown={"tags"},
        ),
        Pass(
            type="aws_sagemaker_endpoint",
            tags={**_GOOD, P + "risk-tier": "unacceptable"},
            name="the prohibited tier is PG-RAI-002's finding, not reported twice",
        ),
    ],
)
def responsible_ai_metadata(res: Resource, cfg: RaiPolicy) -> Iterator[str | Unknown]:
    """Every AI inference workload (SageMaker models and endpoints always; Lambda functions
    and Kubernetes / KServe workloads selected by a tag or label; Lambda functions whose
    execution role may call sagemaker:InvokeEndpoint or bedrock:InvokeModel, or whose
    environment names an endpoint or model, unless tagged ai.plangate.dev/inference=false;
    endpoint configurations are left to their model and endpoint) records its model id,
    model card and data lineage URLs, EU AI Act risk tier and accountable owner; high-risk
    systems also name a human-oversight contact and their evaluation evidence."""
    selected = _selected(res, cfg)
    if selected is not True:
        if isinstance(selected, Unknown):
            yield selected
        return
    root = _metadata_root(res)
    if res.is_unknown(root):
        yield Unknown("responsible-AI metadata is unknown until apply", (root,))
        return
    values = metadata(res)
    undecided: list[str] = []

    def value(key: str) -> str | None:
        """The value checks compare: a sensitive one's real value (messages show [secret])."""
        full = cfg.prefix + key
        raw = values.get(full)
        got = comparable(raw)
        if res.is_unknown(f"{root}.{full}") or (raw is not None and got is None):
            undecided.append(full)  # unknown until apply, or a secret the input did not carry
            return None
        return None if got is None else str(got)

    for key in cfg.required:
        got = value(key)
        if got is None and cfg.prefix + key not in undecided:
            yield f"missing {cfg.prefix}{key} ({MEANING.get(key, key)})"
        elif got is not None and not got.strip():
            yield f"empty {cfg.prefix}{key} ({MEANING.get(key, key)})"
        elif got and key in URL_KEYS and not _URL.fullmatch(got.strip()):
            shown = res.show(f"{root}.{cfg.prefix}{key}", values[cfg.prefix + key])
            yield f"{cfg.prefix}{key}={shown} is not a URL"
    tier = value("risk-tier")
    if tier is not None and tier.strip() and tier != PROHIBITED_TIER and tier not in cfg.risk_tiers:
        shown = res.show(f"{root}.{cfg.prefix}risk-tier", values[cfg.prefix + "risk-tier"])
        yield f"{cfg.prefix}risk-tier={shown} is not one of: {', '.join(cfg.risk_tiers)}"
    if tier == "high":
        for key in cfg.high_risk_required:
            got = value(key)
            if not (got or "").strip() and cfg.prefix + key not in undecided:
                yield f"missing {cfg.prefix}{key} ({MEANING.get(key, key)}), required for high risk"
    if undecided:
        yield Unknown(f"unknown until apply: {', '.join(undecided)}",
                      tuple(f"{root}.{k}" for k in undecided))


@dataclass(frozen=True)
class ProhibitedPolicy:
    prefix: str = setting("ai.plangate.dev/", "Prefix of the risk-tier key (as in PG-RAI-001).")


@rule(
    id="PG-RAI-002",
    slug="prohibited-ai-risk-tier",
    title="No workload is classified as an unacceptable-risk AI system",
    severity=Severity.CRITICAL,
    category="responsible-ai",
    applies_to=SAGEMAKER | INFERENCE_CANDIDATES,
    settings=ProhibitedPolicy,
    locked=True,
    remediation=(
        "Systems in the EU AI Act's unacceptable-risk tier are prohibited practices: they "
        "cannot be deployed. Re-assess the classification or withdraw the system."
    ),
    frameworks=Frameworks(nist_ai_rmf="GOVERN 1.1", eu_ai_act="Art. 5"),
    examples=[
        Fail(
            "risk tier is 'unacceptable': a prohibited AI practice under the EU AI Act (Art. 5)",
            type="aws_lambda_function",
            tags={P + "risk-tier": "unacceptable"},
            name="any resource that says so, selected or not",
        ),
        Pass(type="kubernetes_deployment", annotations={P + "risk-tier": "high"}),
        Fail(
            "risk tier is 'unacceptable': a prohibited AI practice under the EU AI Act (Art. 5)",
            type="aws_sagemaker_endpoint",
            tags={P + "risk-tier": redact("unacceptable")},
            secret={f"tags.{P}risk-tier"},
            name="a sensitive tier is still compared",
        ),
    ],
)
def prohibited_ai_risk_tier(res: Resource, cfg: ProhibitedPolicy) -> Iterator[str | Unknown]:
    """A workload whose risk tier is 'unacceptable' is always denied: its enforcement cannot
    be lowered by configuration and no waiver is honoured for a prohibited practice."""
    raw = metadata(res).get(cfg.prefix + "risk-tier", "")
    tier = comparable(raw)  # a sensitive tier is still compared
    if tier is None and raw is not None:
        yield Unknown(f"{cfg.prefix}risk-tier is secret and not in the input, so not checked",
                      (f"{_metadata_root(res)}.{cfg.prefix}risk-tier",))
    elif str(tier or "").strip().lower() == PROHIBITED_TIER:
        yield "risk tier is 'unacceptable': a prohibited AI practice under the EU AI Act (Art. 5)"
