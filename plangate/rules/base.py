"""How a rule is declared: once, with its metadata, settings, scope and examples.

A resource rule is a pure function ``(Resource, settings) -> Iterable[str | Unknown]``: each
string is a violation message, each `Unknown` says what could not be decided at plan time.
A stack rule is a pure function of the scan's `StackContext` (the resource set, the waivers,
the cost estimate; see `plangate.rules.context`) and yields ``(Resource, str | Unknown)`` pairs.
Front-ends (scanner, Pulumi pack, Checkov checks) call `Rule.check` / `Rule.check_stack`
and translate the answers; none of them holds rule logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plangate.model import Enforcement, Resource, Severity, Unknown
from plangate.rules.context import StackContext, context_for
from plangate.settings import NoSettings
from plangate.waiver import Waiver

ResourceCheck = Callable[[Resource, Any], Iterable["str | Unknown"]]
StackCheck = Callable[[StackContext, Any], Iterable[tuple[Resource, "str | Unknown"]]]

DOCS_URL = "https://github.com/plangate/plangate/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Frameworks:
    """Where a rule sits in the frameworks auditors ask about."""

    finops: str = ""  # FinOps Framework capability
    nist_ai_rmf: str = ""  # NIST AI RMF 1.0 subcategory
    eu_ai_act: str = ""  # EU AI Act article


@dataclass(frozen=True)
class Example:
    """A resource (or, for stack rules, a set) and exactly what the rule says about it.

    ``says`` lists the violation messages, ``undecided`` the `Unknown` messages, in order.
    ``settings`` overrides the rule's defaults for this example only.
    """

    resource: Mapping[str, Any] | None = None
    resources: tuple[Mapping[str, Any], ...] = ()
    says: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    waivers: tuple[Mapping[str, Any], ...] = ()  # plangate.yaml waivers, for rules about the policy
    today: str = ""  # the date waivers are judged on (YYYY-MM-DD; '' = today)

    @property
    def passes(self) -> bool:
        return not self.says and not self.undecided

    def build(self) -> list[Resource]:
        specs = self.resources or ((self.resource,) if self.resource is not None else ())
        return [_resource(spec, index) for index, spec in enumerate(specs)]

    def context(self) -> StackContext:
        """The stack context a stack rule sees for this example."""
        waivers = tuple(Waiver(w["rule"], w["resource"], w.get("reason", "example"), w.get("owner", "team"),
                               dt.date.fromisoformat(w["expires"]), index)
                        for index, w in enumerate(self.waivers))
        today = dt.date.fromisoformat(self.today) if self.today else dt.date.today()
        return StackContext(self.build(), waivers, today, "plangate.yaml")


def _resource(spec: Mapping[str, Any], index: int) -> Resource:
    data = dict(spec)
    data.setdefault("address", f"{data['type']}.example{index or ''}")
    data.setdefault("source_format", "example")
    for key in ("unknown", "secret"):
        data[key] = frozenset(data.get(key, ()))
    return Resource(**data)


def Pass(name: str = "", settings: Mapping[str, Any] | None = None, **resource: Any) -> Example:
    return Example(resource=resource, name=name, settings=settings or {})


def Fail(
    *says: str, name: str = "", settings: Mapping[str, Any] | None = None, **resource: Any
) -> Example:
    assert says, "a failing example names the messages it expects"
    return Example(resource=resource, says=says, name=name, settings=settings or {})


def Undecided(
    *undecided: str, name: str = "", settings: Mapping[str, Any] | None = None, **resource: Any
) -> Example:
    return Example(resource=resource, undecided=undecided, name=name, settings=settings or {})


def StackExample(
    *resources: Mapping[str, Any],
    says: Sequence[str] = (),
    undecided: Sequence[str] = (),
    name: str = "",
    settings: Mapping[str, Any] | None = None,
    waivers: Sequence[Mapping[str, Any]] = (),
    today: str = "",
) -> Example:
    return Example(
        resources=tuple(resources),
        says=tuple(says),
        undecided=tuple(undecided),
        name=name,
        settings=settings or {},
        waivers=tuple(waivers),
        today=today,
    )


@dataclass(frozen=True)
class Rule:
    id: str
    slug: str
    title: str
    severity: Severity
    category: str  # finops | responsible-ai | telemetry | security | governance
    description: str
    remediation: str
    applies_to: frozenset[str]  # canonical resource types the rule looks at
    settings_type: type = NoSettings
    frameworks: Frameworks = Frameworks()
    examples: tuple[Example, ...] = ()
    enforcement: Enforcement = Enforcement.MANDATORY  # the default level
    locked: bool = False  # enforcement cannot be lowered by configuration
    check: ResourceCheck | None = None
    check_stack: StackCheck | None = None

    @property
    def scope(self) -> str:
        return "stack" if self.check_stack is not None else "resource"

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.id.lower()}-{self.slug}"

    def applies(self, resource_type: str) -> bool:
        """Whether the rule looks at this type (``kubernetes_*`` style entries match prefixes)."""
        if resource_type in self.applies_to:
            return True
        return any(t.endswith("*") and resource_type.startswith(t[:-1]) for t in self.applies_to)

    def evaluate(self, res: Resource, settings: Any) -> list[str | Unknown]:
        """A resource rule's answers for one resource (empty: it passes or does not apply)."""
        if self.check is None or not self.applies(res.type):
            return []
        return list(self.check(res, settings))

    def example_settings(self, example: Example) -> Any:
        from plangate.settings import parse

        return parse(self.settings_type, example.settings, f"{self.id} example {example.name!r}")

    def run_example(self, example: Example) -> tuple[list[str], list[str]]:
        """(violation messages, unknown messages) this rule gives for ``example``."""
        settings = self.example_settings(example)
        if self.check_stack is not None:
            answers = [a for _, a in self.evaluate_stack(example.context(), settings)]
        else:
            answers = [a for res in example.build() for a in self.evaluate(res, settings)]
        says = [a for a in answers if isinstance(a, str)]
        undecided = [a.message for a in answers if isinstance(a, Unknown)]
        return says, undecided

    def evaluate_stack(
        self, resources: Sequence[Resource] | StackContext, settings: Any
    ) -> list[tuple[Resource, str | Unknown]]:
        """A stack rule's answers for a resource set (or a context the engine prepared)."""
        if self.check_stack is None:
            return []
        return list(self.check_stack(context_for(resources), settings))


def rule(
    *,
    id: str,
    slug: str,
    title: str,
    severity: Severity,
    category: str,
    applies_to: Iterable[str],
    remediation: str,
    settings: type = NoSettings,
    frameworks: Frameworks = Frameworks(),
    examples: Sequence[Example] = (),
    enforcement: Enforcement = Enforcement.MANDATORY,
    locked: bool = False,
    stack: bool = False,
) -> Callable[[Callable[..., Any]], Rule]:
    """Declare a rule; the function's docstring is its description."""

    def wrap(fn: Callable[..., Any]) -> Rule:
        return Rule(
            id=id,
            slug=slug,
            title=title,
            severity=severity,
            category=category,
            description=" ".join((fn.__doc__ or "").split()),
            remediation=remediation,
            applies_to=frozenset(applies_to),
            settings_type=settings,
            frameworks=frameworks,
            examples=tuple(examples),
            enforcement=enforcement,
            locked=locked,
            check=None if stack else fn,
            check_stack=fn if stack else None,
        )

    return wrap
