"""Exposure: inference entry points that anyone on the internet can call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from plangate.model import Resource, Severity, Unknown
from plangate.rules.base import Fail, Frameworks, Pass, Undecided, rule
from plangate.settings import setting

_URL = "aws_lambda_function_url"
_METHOD = "aws_api_gateway_method"
_ROUTE = "aws_apigatewayv2_route"
_API = "aws_apigatewayv2_api"
_QUICK_CREATE = ("HTTP API quick create (target set) adds a $default route with no authorization: "
                 "anyone can invoke the target")


@rule(
    id="PG-EXP-001",
    slug="function-url-auth",
    title="Lambda function URLs require IAM authentication",
    severity=Severity.HIGH,
    category="security",
    applies_to={_URL},
    remediation=(
        "Set authorization_type = \"AWS_IAM\" and call the URL with signed requests, or put "
        "the function behind an API with an authorizer."
    ),
    frameworks=Frameworks(finops="Anomaly Management", nist_ai_rmf="MEASURE 2.7",
                          eu_ai_act="Art. 15"),
    examples=[
        Pass(type=_URL, properties={"authorization_type": "AWS_IAM"}),
        Fail("function URL is public (authorization_type NONE): anyone can invoke and bill it",
             type=_URL, properties={"authorization_type": "NONE"}),
        Undecided("authorization type is unknown until apply", type=_URL,
                  unknown={"authorization_type"}),
    ],
)
def function_url_auth(res: Resource, cfg: object) -> Iterator[str | Unknown]:
    """A Lambda function URL with authorization type NONE lets anyone invoke the model and
    run up its bill; inference endpoints require IAM-signed requests."""
    if res.is_unknown("authorization_type"):
        yield Unknown("authorization type is unknown until apply", ("authorization_type",))
    elif res.get("authorization_type") == "NONE":
        yield "function URL is public (authorization_type NONE): anyone can invoke and bill it"


@dataclass(frozen=True)
class RoutePolicy:
    exempt_methods: tuple[str, ...] = setting(
        ("OPTIONS",), "HTTP methods that may stay open (CORS pre-flight)."
    )


def _route_method(res: Resource) -> str:
    if res.type == _METHOD:
        return str(res.get("http_method") or "")
    return str(res.get("route_key") or "").split(" ", 1)[0]


@rule(
    id="PG-EXP-002",
    slug="api-route-auth",
    title="API Gateway routes and methods require authorization",
    severity=Severity.HIGH,
    category="security",
    applies_to={_METHOD, _ROUTE, _API},
    settings=RoutePolicy,
    remediation=(
        "Attach an authorizer (IAM, JWT / Cognito, or a Lambda authorizer) to the route or "
        "method; waive deliberate public routes (health checks) with an owner and expiry."
    ),
    frameworks=Frameworks(nist_ai_rmf="MEASURE 2.7", eu_ai_act="Art. 15"),
    examples=[
        Pass(type=_ROUTE, properties={"route_key": "POST /predict", "authorization_type": "JWT"}),
        Fail("route POST /predict has no authorization (authorization_type NONE)", type=_ROUTE,
             properties={"route_key": "POST /predict", "authorization_type": "NONE"}),
        Fail("route POST /predict has no authorization (authorization_type NONE)", type=_ROUTE,
             properties={"route_key": "POST /predict"}, name="NONE is the default"),
        Pass(type=_ROUTE, properties={"route_key": "OPTIONS /predict"}, name="CORS pre-flight"),
        Fail("method POST has no authorization (authorization NONE)", type=_METHOD,
             properties={"http_method": "POST", "authorization": "NONE"}),
        Pass(type=_METHOD, properties={"http_method": "POST", "authorization": "AWS_IAM"}),
        Undecided("authorization is unknown until apply", type=_METHOD,
                  properties={"http_method": "POST"}, unknown={"authorization"}),
        Fail(_QUICK_CREATE, type=_API, name="quick create: target names the Lambda function",
             properties={"protocol_type": "HTTP",
                         "target": "arn:aws:lambda:us-east-1:123456789012:function:scorer"}),
        Fail(_QUICK_CREATE, type=_API, properties={"protocol_type": "HTTP"}, unknown={"target"},
             name="a target known only after apply is still set"),
        Pass(type=_API, properties={"protocol_type": "HTTP", "name": "scoring"},
             name="routes declared on their own are checked one by one"),
    ],
)
def api_route_auth(res: Resource, cfg: RoutePolicy) -> Iterator[str | Unknown]:
    """Every API Gateway REST method and HTTP / WebSocket route in front of a workload
    requires an authorizer; only pre-flight methods are exempt by default.  An HTTP API
    created with ``target`` (quick create) gets a ``$default`` route that cannot carry an
    authorizer, so setting ``target`` fails too."""
    if res.type == _API:
        if res.is_unknown("target") or res.get("target") not in (None, ""):
            yield _QUICK_CREATE
        return
    field = "authorization" if res.type == _METHOD else "authorization_type"
    method = _route_method(res)
    if method.upper() in cfg.exempt_methods:
        return
    if res.is_unknown(field):
        yield Unknown("authorization is unknown until apply", (field,))
        return
    if (res.get(field) or "NONE") == "NONE":
        if res.type == _METHOD:
            yield f"method {method} has no authorization (authorization NONE)"
        else:
            yield f"route {res.get('route_key')} has no authorization (authorization_type NONE)"
