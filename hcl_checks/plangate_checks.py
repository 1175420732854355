"""plangate's rules as Checkov external checks, generated in a loop from the rule registry.

    checkov -d infra --external-checks-dir hcl_checks
    checkov -f plan.json --framework terraform_plan --external-checks-dir hcl_checks

Every check translates Checkov's view of a resource into plangate's `Resource`
(`plangate.checkov_adapter`), runs the rule through plangate's engine and reports the
verdict; no rule logic lives here.  Which checks exist and their ids come from
`plangate.checkov_ids`, the same definition ``docs/rules.md`` is generated from.  Settings,
enforcement and waivers come from ``plangate.yaml`` (``$PLANGATE_CONFIG``, else the file in
the working directory, as ``plangate scan`` reads it).

This is the only file that imports Checkov.  Checkov imports every ``.py`` file in the
directory and swallows the errors of those that fail, so a missing plangate would make these
checks vanish while the scan still exits 0: `_fail_loudly` prevents that.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any, Iterator

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_log = logging.getLogger("plangate.checkov")

INSTALL = (
    "install plangate into the Python environment that runs checkov "
    "(`{python} -m pip install plangate`, or from a checkout `{python} -m pip install -e <repo>`)"
)


class _Tripwire(BaseResourceCheck):
    """Stands in for our checks in a Checkov worker process when they cannot load.

    Raising SystemExit there would end only that worker, and Checkov's fork runner drops a
    worker that sends no result without a word.  Checkov's filter reads every registered
    check's ``bc_id`` before running it, outside any ``try``; raising there travels back to
    the main process as an ordinary exception, and Checkov exits 2 printing it.
    """

    def __init__(self, problem: str) -> None:
        self._problem = problem
        super().__init__(name="plangate checks could not load", id="CKV_PG_SETUP",
                         categories=[CheckCategories.CONVENTION], supported_resources=["*"])

    @property
    def bc_id(self) -> str | None:
        if not hasattr(self, "_armed"):
            return None  # read while registering
        raise RuntimeError(self._problem)

    @bc_id.setter
    def bc_id(self, value: str | None) -> None:
        self._armed = True  # BaseCheck.__init__ assigns it once; from then on, trip

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        raise RuntimeError(self._problem)


class _K8sTripwire(BaseK8Check):
    __doc__ = _Tripwire.__doc__
    bc_id = _Tripwire.bc_id

    def __init__(self, problem: str) -> None:
        self._problem = problem
        super().__init__(name="plangate checks could not load", id="CKV_K8S_PG_SETUP",
                         categories=[CheckCategories.KUBERNETES], supported_entities=["*"])

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        raise RuntimeError(self._problem)


def _fail_loudly(problem: str) -> None:
    """Stop the scan with ``problem`` on stderr and a non-zero exit, never quietly."""
    message = f"plangate Checkov checks ({__file__}): {problem}"
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    if multiprocessing.parent_process() is None:
        # The main process: Checkov's main turns SystemExit into exit code 2.
        raise SystemExit(2)
    _Tripwire(message)
    _K8sTripwire(message)


try:
    from plangate import checkov_adapter as adapter
    from plangate import checkov_ids
    from plangate import policy as policy_file
    from plangate.errors import ConfigError, InputError
    from plangate.rules import RULES
except ImportError as exc:  # plangate absent, or a dependency of it
    _fail_loudly(f"cannot import plangate ({exc}); " + INSTALL.format(python=sys.executable))
    RULES = ()


def _load_policy() -> Any:
    """plangate.yaml as ``plangate scan`` reads it, or None after failing loudly."""
    try:
        return policy_file.load(os.environ.get("PLANGATE_CONFIG"), RULES)
    except ConfigError as exc:
        _fail_loudly(f"invalid policy file: {exc}")
        return None


# --- context Checkov does not put in a resource's conf ---------------------------------------

_provider_tags_by_graph: dict[int, tuple[Any, dict[str, Any]]] = {}
_plan_facts_by_file: dict[str, dict[str, Any] | None] = {}


def _vertices(graph: Any) -> Iterator[dict[str, Any]]:
    """Vertex attributes of Checkov's graph (rustworkx by default, networkx if configured)."""
    try:
        items = graph.nodes(data=True)  # networkx: (id, attributes)
    except TypeError:
        items = graph.nodes()  # rustworkx: payloads are (index, attributes)
    for item in items:
        attrs = item[1] if isinstance(item, tuple) and len(item) == 2 else item
        if isinstance(attrs, dict):
            yield attrs


def _provider_tags(graph: Any) -> dict[str, Any]:
    """Provider address (``aws.default``, ``aws.west``) → its default tags (HCL).

    Checkov evaluates provider blocks into its graph but never merges ``default_tags`` into
    the resources; each resource names its provider in ``__provider_address__``.
    """
    if graph is None:
        return {}
    cached = _provider_tags_by_graph.get(id(graph))
    if cached is not None and cached[0] is graph:
        return cached[1]
    found: dict[str, Any] = {}
    for attrs in _vertices(graph):
        if attrs.get("block_type_") != "provider":
            continue
        for body in (attrs.get("config_") or {}).values():
            if isinstance(body, dict) and "default_tags" in body:
                block = adapter.as_map(body["default_tags"]) or {}
                tags = block.get("tags")
                address = str(body.get("__address__") or attrs.get("__address__") or "")
                found[address] = adapter.ProviderTags(
                    tags=tags if isinstance(tags, dict) else {},
                    whole_unresolved=adapter.is_unresolved(tags),
                )
    _provider_tags_by_graph[id(graph)] = (graph, found)
    return found


def _plan_facts(file: str) -> dict[str, Any] | None:
    """Per-address facts from the plan file Checkov is scanning (None: not a plan)."""
    if file not in _plan_facts_by_file:
        from plangate.loaders.source import read_json

        try:
            plan = read_json(Path(file))
        except InputError:
            plan = None
        is_plan = isinstance(plan, dict) and ("resource_changes" in plan or "planned_values" in plan)
        _plan_facts_by_file[file] = adapter.plan_facts(plan) if is_plan else None
    return _plan_facts_by_file[file]


# --- the checks ---------------------------------------------------------------------------------


class _Verdicts:
    """What every generated check shares: its rule, the policy, and reporting a verdict."""

    def _setup(self, spec: Any, policy: Any) -> None:
        self.spec = spec
        self.rule = spec.rule
        self.policy = adapter.single_rule_policy(policy, spec.rule)
        self.severity = Severities[spec.rule.severity.value.upper()]

    def _report(self, resource: Any) -> CheckResult:
        verdict = adapter.verdict(self.rule, resource, self.policy)
        self.details = list(verdict.details)
        # Checkov copies the name into each record right after this scan (see Verdict.name).
        self.name = verdict.name(self.rule.title)
        self.evaluated_keys = []
        if verdict.result == adapter.UNKNOWN:
            # Checkov drops UNKNOWN records from every report; say it where CI logs show it.
            _log.warning("plangate %s undecided on %s (%s): %s", self.id, resource.address,
                         resource.location or "?", "; ".join(verdict.details))
        return CheckResult[verdict.result]


class TerraformRuleCheck(_Verdicts, BaseResourceCheck):
    """A rule on Terraform resources, in HCL (framework terraform) and plan JSON
    (terraform_plan): Checkov runs one resource registry for both."""

    def __init__(self, spec: Any, policy: Any) -> None:
        categories = [CheckCategories[checkov_ids.CATEGORY[spec.rule.category]]]
        super().__init__(name=spec.rule.title, id=spec.check_id, categories=categories,
                         supported_resources=list(spec.resource_types),
                         guideline=spec.rule.url)
        self._setup(spec, policy)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.name = self.rule.title
        file = adapter.attribute(conf.get("__file__"))
        facts = _plan_facts(file) if isinstance(file, str) else None
        if facts is not None:
            address = conf.get("__address__") or ""
            resource = adapter.terraform_resource(
                self.entity_type, conf, plan=facts.get(address) or adapter.PlanFacts(),
                file=file)
        else:
            providers = _provider_tags(self.graph)
            resource = adapter.terraform_resource(
                self.entity_type, conf,
                provider_tags=providers.get(str(conf.get("__provider_address__") or "")),
                file=self.entity_path.split(":", 1)[0].lstrip("/"))
        return self._report(resource)


class KubernetesRuleCheck(_Verdicts, BaseK8Check):
    """A rule on Kubernetes objects (every kind: the rule decides which it looks at)."""

    def __init__(self, spec: Any, policy: Any) -> None:
        categories = [CheckCategories.KUBERNETES,
                      CheckCategories[checkov_ids.CATEGORY[spec.rule.category]]]
        super().__init__(name=spec.rule.title, id=spec.check_id, categories=categories,
                         supported_entities=["*"], guideline=spec.rule.url)
        self._setup(spec, policy)

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.name = self.rule.title
        resource = adapter.kubernetes_resource(conf, self.entity_path.split(":", 1)[0])
        if resource is None or not self.rule.applies(resource.type):
            return CheckResult.UNKNOWN  # not an object the rule looks at: no record
        return self._report(resource)


def register(policy: Any) -> list[Any]:
    """One Checkov check per rule × framework, for the rules the policy leaves enabled."""
    enabled = {r.id for r in policy.enabled()}
    checks: list[Any] = []
    for spec in checkov_ids.check_specs(RULES):
        if spec.rule.id not in enabled:
            continue
        kind = TerraformRuleCheck if spec.framework == checkov_ids.TERRAFORM else KubernetesRuleCheck
        checks.append(kind(spec, policy))
    return checks


_POLICY = _load_policy() if RULES else None
CHECKS = register(_POLICY) if _POLICY is not None else []
