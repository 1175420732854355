"""plangate's rules as Checkov external checks, generated in a loop from the rule registry.

    checkov -d infra --external-checks-dir hcl_checks
    checkov -f plan.json --framework terraform_plan --external-checks-dir hcl_checks

Every check translates Checkov's view of a resource into plangate's `Resource`
(`plangate.frontends.checkov.adapter`), runs the rule through plangate's engine and reports the
verdict; no rule logic lives here.  Which checks exist and their ids come from
`plangate.rules.checkov_ids`, the same definition ``docs/rules.md`` is generated from.  Settings,
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
import signal
import sys
from collections.abc import Iterator
from typing import Any

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_log = logging.getLogger("plangate.checkov")

INSTALL = (
    "install plangate into the Python environment that runs checkov "
    "(`{python} -m pip install plangate`, or from a checkout `{python} -m pip install -e <repo>`)"
)


def _checkov_main_pid() -> int | None:
    """Checkov's main process, when this runs in one of its fork / spawn worker processes."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return None
    frame = sys._getframe()
    while frame is not None:  # fork workers run under parallel_runner's func_wrapper
        if frame.f_code.co_name == "func_wrapper" and "parallelizer" in frame.f_code.co_filename:
            return parent.pid
        frame = frame.f_back
    spawned = multiprocessing.current_process().name.startswith("SpawnPoolWorker")
    return parent.pid if spawned else None


def _fail_loudly(problem: str) -> None:
    """Stop the scan with ``problem`` on stderr and a non-zero exit, never quietly."""
    print(f"ERROR: plangate Checkov checks ({__file__}): {problem}", file=sys.stderr, flush=True)
    main = _checkov_main_pid()
    if main is not None:
        # In a worker, SystemExit ends only the worker, and Checkov drops a worker that sends
        # no result without a word; an exception sent back makes the main process exit while
        # other workers block on full pipes (it then hangs).  So end Checkov itself.
        os.kill(main, signal.SIGTERM)
    raise SystemExit(2)  # the main process: Checkov turns this into exit code 2


try:
    from plangate import policy as policy_file
    from plangate.errors import ConfigError, InputError
    from plangate.frontends.checkov import adapter
    from plangate.rules import RULES, checkov_ids
except ImportError as exc:  # plangate absent, or a dependency of it
    _fail_loudly(f"cannot import plangate ({exc}); " + INSTALL.format(python=sys.executable))


def _load_policy() -> Any:
    """plangate.yaml as ``plangate scan`` reads it; an invalid file stops the scan."""
    try:
        return policy_file.load(os.environ.get("PLANGATE_CONFIG"), RULES)
    except ConfigError as exc:
        _fail_loudly(f"invalid policy file: {exc}")


# --- context Checkov does not put in a resource's conf ---------------------------------------

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


class _GraphIndex:
    """Provider default tags for HCL resources, from Checkov's graph.

    Checkov evaluates provider blocks into graph vertices but never merges ``default_tags``
    into resources, and its ``__provider_address__`` is missing whenever the provider block
    sits in another file than the resource (providers.tf beside main.tf) and carries no
    directory, so several root modules in one scan look alike.  The conf a check receives
    is the very dict held by the resource's vertex, so the vertex is found by identity, and
    the provider by the vertex's root-module directory and the resource's ``provider``.

    Checkov also gives a map or list variable without a default its type's empty value
    (``tags = var.tags`` arrives as ``{}``): the vertex's rendering breadcrumbs say which
    attributes came from such a variable, so those are reported unknown, not empty.
    """

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.resources: dict[int, dict[str, Any]] = {}
        self.providers: dict[tuple[str, str], Any] = {}
        self.variable_has_default: dict[tuple[str, str], bool] = {}
        self.modules: dict[tuple[str, str], dict[str, Any]] = {}
        for attrs in _vertices(graph):
            kind = attrs.get("block_type_")
            if kind == "resource":
                for by_name in (attrs.get("config_") or {}).values():
                    for body in (by_name.values() if isinstance(by_name, dict) else ()):
                        self.resources[id(body)] = attrs
            elif kind == "provider":
                self._add_provider(attrs)
            elif kind == "variable":
                key = (os.path.dirname(str(attrs.get("file_path_") or "")),
                       str(attrs.get("block_name_") or ""))
                self.variable_has_default[key] = "default" in attrs
            elif kind == "module":
                key = (os.path.dirname(str(attrs.get("file_path_") or "")),
                       str(attrs.get("block_name_") or ""))
                self.modules[key] = attrs

    def _add_provider(self, attrs: dict[str, Any]) -> None:
        folder = os.path.dirname(str(attrs.get("file_path_") or ""))
        name = str(attrs.get("block_name_") or "")
        for body in (attrs.get("config_") or {}).values():
            if not isinstance(body, dict):
                continue
            block = adapter.as_map(body.get("default_tags")) or {}
            tags = block.get("tags")
            ignore = adapter.as_map(body.get("ignore_tags")) or {}
            self.providers[(folder, name)] = adapter.ProviderTags(
                tags=adapter.as_map(tags) or {},
                whole_unresolved=adapter.is_unresolved(adapter.attribute(tags)),
                ignored=(ignore.get("keys"), ignore.get("key_prefixes")),  # as_map has read them
            )

    def provider_tags(self, resource_type: str, conf: dict[str, Any]) -> Any:
        attrs = self.resources.get(id(conf))
        if attrs is None:
            return None
        name = adapter.attribute(conf.get("provider"))
        name = name if isinstance(name, str) and name else resource_type.split("_", 1)[0]
        own = os.path.dirname(str(attrs.get("file_path_") or ""))
        for folder in (own, _root_folder(attrs)):  # a module's own provider block, else root's
            if (folder, name) in self.providers:
                return self.providers[(folder, name)]
        return None


    def file_of(self, conf: dict[str, Any]) -> str:
        return str((self.resources.get(id(conf)) or {}).get("file_path_") or "")

    def typed_defaults(self, conf: dict[str, Any]) -> set[str]:
        """Attribute paths Checkov filled with an empty value for a variable it could not
        resolve (``tags``, ``tags.Owner``, or a top-level attribute name)."""
        attrs = self.resources.get(id(conf))
        crumbs = (attrs or {}).get("rendering_breadcrumbs_")
        if not isinstance(crumbs, dict):
            return set()
        found = set()
        for path, trail in crumbs.items():
            if path.endswith("_") or attrs.get(path) not in ({}, [], "", None):
                continue  # Checkov's own keys end in "_"; a non-empty value was resolved
            if self._from_unset_variable(trail):
                head = path.split(".", 1)[0]
                found.add(path if head == "tags" else head)
        return found

    def _from_unset_variable(self, trail: Any, depth: int = 0) -> bool:
        """Whether a breadcrumb trail ends in a variable nobody set, following module inputs
        back to the caller (a module variable's default is whatever the call passed)."""
        steps = [step for step in trail if isinstance(step, dict)] if isinstance(trail, list) else []
        for position, step in enumerate(steps):
            folder = os.path.dirname(str(step.get("path") or ""))
            name = str(step.get("name") or "")
            if step.get("type") == "variable" and not self.variable_has_default.get(
                    (folder, name), True):
                return True
            following = steps[position + 1] if position + 1 < len(steps) else None
            if (step.get("type") == "module" and following is not None
                    and following.get("type") == "variable" and depth < 16):
                call = self.modules.get((folder, name)) or {}
                inputs = call.get("rendering_breadcrumbs_") or {}
                if self._from_unset_variable(inputs.get(following.get("name")), depth + 1):
                    return True
        return False


def _root_folder(attrs: dict[str, Any]) -> str:
    """The directory of the root module a resource vertex was instantiated from."""
    path = str(attrs.get("file_path_") or "")
    module = attrs.get("source_module_object_")
    while module:  # the module call's file, then the call that called it, up to the root
        path = str(_field(module, "path") or path)
        module = _field(module, "nested_tf_module")
    return os.path.dirname(path)


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


_indexes: dict[int, _GraphIndex] = {}


def _graph_index(graph: Any) -> _GraphIndex | None:
    if graph is None:
        return None
    index = _indexes.get(id(graph))
    if index is None or index.graph is not graph:
        index = _indexes[id(graph)] = _GraphIndex(graph)
    return index


def _plan_facts(file: str) -> dict[str, Any] | None:
    """Per-address facts from plangate's own reading of the plan Checkov is scanning
    (None when plangate does not read the file as a plan)."""
    if file not in _plan_facts_by_file:
        from plangate.loaders import load

        try:
            _plan_facts_by_file[file] = adapter.plan_facts(load(file, "tfplan"))
        except InputError as exc:
            _log.warning("plangate cannot read %s as a Terraform plan (%s); "
                         "checking Checkov's values only", file, exc)
            _plan_facts_by_file[file] = None
    return _plan_facts_by_file[file]


# --- the checks ---------------------------------------------------------------------------------


_last: tuple[dict[str, Any], Any] | None = None  # the last conf translated, and its Resource


class _Verdicts:
    """What every generated check shares: its rule, the policy, and reporting a verdict."""

    def _setup(self, spec: Any, policy: Any) -> None:
        self.spec = spec
        self.rule = spec.rule
        self.policy = adapter.single_rule_policy(policy, spec.rule)
        self.severity = Severities[spec.rule.severity.value.upper()]

    def run(self, *args: Any, **kwargs: Any) -> Any:
        # The name may carry the previous resource's messages (see _report); a suppressed
        # resource is never scanned, so reset it before Checkov records anything.
        self.name = self.rule.title
        return super().run(*args, **kwargs)  # type: ignore[misc]

    def _judge(self, conf: dict[str, Any]) -> CheckResult:
        global _last
        try:
            # Checkov runs every check of an entity in a row on the same conf object, so the
            # translation is done once per resource, not once per check.
            if _last is not None and _last[0] is conf:
                resource = _last[1]
            else:
                resource = self._resource(conf)
                _last = (conf, resource)
            if resource is None or not self.rule.applies(resource.type):
                return CheckResult.UNKNOWN  # not a resource the rule looks at: no record
            return self._report(resource)
        except Exception as exc:
            # A plangate bug must neither pass quietly (Checkov's Terraform registry turns an
            # exception into an unreported UNKNOWN) nor crash the scan (its Kubernetes
            # registry does not catch, and a crashed worker can hang a multi-framework run).
            _log.error("plangate %s could not evaluate %s", self.id, self.entity_path,
                       exc_info=True)
            self.details = [f"plangate could not evaluate this resource: {exc!r}"]
            self.name = f"{self.rule.title}: {self.details[0]}"
            return CheckResult.FAILED

    def _resource(self, conf: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _report(self, resource: Any) -> CheckResult:
        verdict = adapter.verdict(self.rule, resource, self.policy)
        self.details = list(verdict.details)
        # Checkov copies the name into each record right after this scan (see Verdict.name).
        self.name = verdict.name(self.rule.title)
        self.evaluated_keys = []
        if verdict.result == adapter.UNKNOWN:
            # Checkov drops UNKNOWN records from every report; say it where CI logs show it.
            _log.warning("plangate %s on %s (%s): %s", self.id, resource.address,
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
        return self._judge(conf)

    def _resource(self, conf: dict[str, Any]) -> Any:
        file = adapter.attribute(conf.get("__file__"))  # only plan JSON confs carry it
        facts = _plan_facts(file) if isinstance(file, str) else None
        if facts is not None:
            address = str(conf.get("__address__") or "")
            return adapter.plan_resource(
                self.entity_type, conf, facts.get(address) or adapter.PlanFacts(), file)
        index = _graph_index(self.graph)
        return adapter.hcl_resource(
            self.entity_type, conf,
            index.provider_tags(self.entity_type, conf) if index else None,
            index.file_of(conf) if index else self.entity_path.split(":", 1)[0],
            unresolved=index.typed_defaults(conf) if index else ())


class KubernetesRuleCheck(_Verdicts, BaseK8Check):
    """A rule on Kubernetes objects (every kind: the rule decides which it looks at)."""

    def __init__(self, spec: Any, policy: Any) -> None:
        categories = [CheckCategories.KUBERNETES,
                      CheckCategories[checkov_ids.CATEGORY[spec.rule.category]]]
        super().__init__(name=spec.rule.title, id=spec.check_id, categories=categories,
                         supported_entities=["*"], guideline=spec.rule.url)
        self._setup(spec, policy)

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._judge(conf)

    def _resource(self, conf: dict[str, Any]) -> Any:
        return adapter.kubernetes_resource(conf, self.entity_path.split(":", 1)[0])


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


CHECKS = register(_load_policy())
