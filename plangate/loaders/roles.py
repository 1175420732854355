"""Execution roles: which AI invoke actions a Lambda function's role may call, from the same input.

A function whose execution role may invoke a SageMaker endpoint or a Bedrock model is an AI
inference workload (`plangate.rules.scope.is_inference`).  The role and its policies are other
resources of the plan, so the loaders link them once for the whole input (`link`) and record
what they found as a note on the function; rules read it back with `plangate.notes.role_actions` and never
re-link.  A front-end that sees one resource at a time (the Pulumi pack's resource policies,
Checkov) has no role to link, and relies on the tag, the environment or the SageMaker type.

What is linked: the function's ``role`` (an ARN or a name, when known at plan time) to an
``aws_iam_role`` of the input by ARN or name; that role's ``inline_policy`` blocks and
``managed_policy_arns``; ``aws_iam_role_policy`` (role by name or id) and
``aws_iam_role_policy_attachment`` (an ``aws_iam_policy`` of the input by ARN, or an
AWS-managed policy by name from `MANAGED`).  Only ``Allow`` statements' ``Action`` patterns of
the ``sagemaker:`` and ``bedrock:`` services (and ``*``) are recorded.

>>> from plangate.model import Resource
>>> from plangate.notes import role_actions
>>> role = Resource("aws_iam_role", "aws_iam_role.r", "example", {"name": "r", "inline_policy": [
...     {"policy": '{"Statement": {"Effect": "Allow", "Action": "bedrock:InvokeModel*", "Resource": "*"}}'}]})
>>> fn = Resource("aws_lambda_function", "aws_lambda_function.f", "example", {"role": "arn:aws:iam::1:role/r"})
>>> link([role, fn]); role_actions(fn)
('bedrock:InvokeModel*',)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from plangate.model import Resource, comparable
from plangate.notes import ROLE_NOTE

#: AWS-managed policies that allow invoking models, by name (the ARN's last part).
MANAGED: Mapping[str, tuple[str, ...]] = {
    "AmazonSageMakerFullAccess": ("sagemaker:*",),
    "AmazonBedrockFullAccess": ("bedrock:*",),
    "AdministratorAccess": ("*",),
    "PowerUserAccess": ("*",),
}
_SERVICES = ("sagemaker:", "bedrock:")


def link(resources: Sequence[Resource]) -> None:
    """Note on every Lambda function the invoke actions its role's policies allow."""
    functions = [r for r in resources if r.type == "aws_lambda_function"]
    if not functions:
        return
    roles: dict[str, Resource] = {}
    for r in resources:
        if r.type == "aws_iam_role":
            for key in ("name", "arn", "id"):
                value = _text(r.properties.get(key))
                if value:
                    roles[value] = r
    policies = {_text(r.properties.get("arn")): r for r in resources if r.type == "aws_iam_policy"}
    extra: dict[str, list[str]] = {}  # role address -> actions from separate policy resources
    for r in resources:
        role = roles.get(_text(r.properties.get("role")) or "")
        if role is None:
            continue
        if r.type == "aws_iam_role_policy":
            extra.setdefault(role.address, []).extend(_allowed(r.properties.get("policy")))
        elif r.type == "aws_iam_role_policy_attachment":
            extra.setdefault(role.address, []).extend(_attached(_text(r.properties.get("policy_arn")), policies))
    for fn in functions:
        value = _text(fn.properties.get("role"))
        role = roles.get(value or "") or roles.get((value or "").rsplit("/", 1)[-1])
        if role is None or fn.is_unknown("role"):
            continue
        found = [*_role_actions(role, policies), *extra.get(role.address, ())]
        actions = sorted({a for a in found if a == "*" or a.lower().startswith(_SERVICES)})
        if actions:
            fn.notes = (*fn.notes, ROLE_NOTE.format(role=role.address, actions=", ".join(actions)))


def _text(value: Any) -> str | None:
    value = comparable(value)
    return value if isinstance(value, str) and value else None


def _role_actions(role: Resource, policies: Mapping[str | None, Resource]) -> list[str]:
    found: list[str] = []
    inline = role.properties.get("inline_policy")
    for block in inline if isinstance(inline, list) else [inline] if isinstance(inline, Mapping) else []:
        if isinstance(block, Mapping):
            found.extend(_allowed(block.get("policy")))
    arns = role.properties.get("managed_policy_arns")
    for arn in arns if isinstance(arns, (list, tuple)) else ():
        found.extend(_attached(_text(arn), policies))
    return found


def _attached(arn: str | None, policies: Mapping[str | None, Resource]) -> list[str]:
    if not arn:
        return []
    if arn in policies:
        return _allowed(policies[arn].properties.get("policy"))
    return list(MANAGED.get(arn.rsplit("/", 1)[-1], ()))


def _allowed(document: Any) -> list[str]:
    """``Action`` patterns of the Allow statements of a policy (a JSON string or an object)."""
    document = comparable(document)
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []  # an unresolved expression or not JSON: nothing to read
    if not isinstance(document, Mapping):
        return []
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    out: list[str] = []
    for st in statements if isinstance(statements, list) else ():
        if isinstance(st, Mapping) and st.get("Effect", "Allow") == "Allow":
            out.extend(_strings(st.get("Action")))
    return out


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (v for v in value if isinstance(v, str))
