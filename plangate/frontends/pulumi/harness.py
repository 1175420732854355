"""Drive a Python policy pack the way ``pulumi preview --policy-pack DIR`` does, without the CLI.

`PolicyPackHarness` starts any Python CrossGuard pack directory as the Pulumi CLI starts it
(``python -u -m pulumi.policy <engine-address> <dir>`` with the ``PULUMI_*`` environment, in
the pack's directory), reads the port the pack prints, and speaks the Analyzer gRPC protocol
to it with the stubs shipped in the ``pulumi`` SDK.  Configuration is merged as the engine
merges it (schema defaults, then the pack's initial config, then a ``--policy-pack-config``
file) and validated against each policy's schema before ``Configure`` is sent.

```python
from plangate.frontends.pulumi.harness import PolicyPackHarness
from plangate.loaders.pulumi_wire import UNKNOWN, secret

with PolicyPackHarness("policypack") as pack:
    pack.configure({"all": "mandatory"})
    for d in pack.analyze("aws:s3/bucket:Bucket", {"bucket": "logs", "tags": UNKNOWN}):
        print(d.policy, d.enforcement, d.message)
```

Properties are plain Python values in the engine's wire form (`plangate.loaders.pulumi_wire`):
an unknown-at-preview value is the `UNKNOWN` sentinel string and a secret is ``secret(value)``
(the signature object), which is what the SDK's decoder (``json_format.MessageToDict`` +
``deserialize_properties``) expects.

`to_pulumi` turns a plangate `Resource` (as rule examples build them) back into a Pulumi type
token and camelCase properties with unknown and secret markers, so a pack can be checked
against the same examples as the scanner.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plangate.loaders.pulumi_wire import UNKNOWN, from_struct, secret, to_struct

# The engine never dials back a Python pack during analysis; the address only has to parse.
DUMMY_ENGINE = "127.0.0.1:1"
_MAX_MESSAGE = 400 * 1024 * 1024  # what pulumi-policy's server accepts
_LEVELS = ("advisory", "mandatory", "disabled", "remediate")  # proto enum order


# --- what the harness returns ----------------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    """One policy diagnostic; ``message`` is what the policy reported, without the policy
    description pulumi-policy puts in front of it (``raw_message`` keeps both)."""

    policy: str
    message: str
    enforcement: str  # advisory | mandatory | remediate | disabled
    urn: str = ""
    severity: str = ""  # low | medium | high | critical | "" (unspecified)
    description: str = ""
    pack: str = ""
    raw_message: str = ""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement: str
    kind: str  # resource | stack | unknown
    display_name: str = ""
    severity: str = ""
    remediation_steps: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    config_schema: Mapping[str, Any] = field(default_factory=dict)  # property -> JSON schema
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalyzerInfo:
    name: str
    version: str
    supports_config: bool
    policies: tuple[PolicyInfo, ...]
    initial_config: Mapping[str, Mapping[str, Any]]  # name -> {"enforcementLevel", "properties"}
    description: str = ""

    def policy(self, name: str) -> PolicyInfo:
        return next(p for p in self.policies if p.name == name)


@dataclass(frozen=True)
class Remediation:
    policy: str
    properties: dict[str, Any] | None  # the new properties, in wire form; None: no change
    diagnostic: str = ""
    description: str = ""


@dataclass(frozen=True)
class Provider:
    type: str  # e.g. pulumi:providers:aws
    props: Mapping[str, Any] = field(default_factory=dict)
    urn: str = ""
    name: str = "default"


@dataclass(frozen=True)
class StackResource:
    """A resource as the engine sends it to ``AnalyzeStack`` (outputs, in wire form)."""

    type: str
    props: Mapping[str, Any]
    urn: str = ""
    name: str = ""
    parent: str = ""
    provider: Provider | None = None
    dependencies: tuple[str, ...] = ()


class PackStartError(RuntimeError):
    """The pack exited or printed no port; the message carries its stderr."""


class ConfigError(ValueError):
    """Policy pack configuration the engine would refuse (bad level, schema violation)."""


# --- configuration, merged as the engine merges it --------------------------------------------


def parse_config_file(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A ``--policy-pack-config`` document as ``{policy: {"enforcementLevel", "properties"}}``.

    Values are an enforcement level string or an object with an optional ``enforcementLevel``
    and the policy's properties; empty entries are dropped, as the engine drops them.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        if isinstance(value, str):
            level, props = _level(value, name), {}
        elif isinstance(value, Mapping):
            props = dict(value)
            raw = props.pop("enforcementLevel", None)
            level = _level(raw, name) if raw is not None else None
        else:
            raise ConfigError(f"parsing {name!r}: {value!r} is not a valid value; must be a string or object")
        if level is None and not props:
            continue
        out[name] = {"enforcementLevel": level, "properties": props}
    return out


def _level(value: Any, name: str) -> str:
    if value not in _LEVELS:
        raise ConfigError(f"parsing enforcement level for {name!r}: {value!r} is not a valid enforcement level")
    return value


def merge_config(info: AnalyzerInfo, given: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Schema defaults, then the pack's initial config, then ``given`` (parsed file), as the
    engine's ``ReconcilePolicyPackConfig`` does; ``all`` sets every policy's level."""
    result = {
        p.name: {"enforcementLevel": p.enforcement,
                 "properties": {k: s["default"] for k, s in p.config_schema.items() if "default" in s}}
        for p in info.policies
    }
    for layer in (info.initial_config, given or {}):
        _apply(result, layer)
    errors = _validate(info, result)
    if errors:
        raise ConfigError("policy pack configuration is invalid: " + "; ".join(errors))
    return result


def _apply(result: dict[str, dict[str, Any]], layer: Mapping[str, Mapping[str, Any]]) -> None:
    everyone = (layer.get("all") or {}).get("enforcementLevel")
    if everyone:
        for entry in result.values():
            entry["enforcementLevel"] = everyone
    for name, given in layer.items():
        entry = result.setdefault(name, {"enforcementLevel": None, "properties": {}})
        if given.get("enforcementLevel"):
            entry["enforcementLevel"] = given["enforcementLevel"]
        entry["properties"] = {**entry["properties"], **(given.get("properties") or {})}


def _validate(info: AnalyzerInfo, config: Mapping[str, Mapping[str, Any]]) -> list[str]:
    try:
        import jsonschema
    except ImportError:  # the engine validates; without jsonschema the pack will complain instead
        return []
    errors = []
    for p in info.policies:
        schema: dict[str, Any] = {"type": "object", "properties": dict(p.config_schema)}
        if p.required:
            schema["required"] = list(p.required)
        props = config.get(p.name, {}).get("properties") or {}
        for err in jsonschema.Draft7Validator(schema).iter_errors(props):
            where = ".".join(map(str, err.absolute_path)) or "(root)"
            errors.append(f"{p.name}: {where}: {err.message}")
    return errors


def _read_config(config: Mapping[str, Any] | str | os.PathLike[str] | None) -> Mapping[str, Any]:
    if config is None:
        return {}
    if isinstance(config, (str, os.PathLike)):
        text = Path(config).read_text(encoding="utf-8")
        return json.loads(text) if text.strip() else {}
    return config


# --- the harness -------------------------------------------------------------------------------


class PolicyPackHarness:
    """Start a Python policy pack as the Pulumi CLI does and talk to it over gRPC.

    ``python`` defaults to the pack's virtualenv (``runtime.options.virtualenv`` in
    ``PulumiPolicy.yaml``) when it exists, else the current interpreter.  ``stack_config``
    becomes ``PULUMI_CONFIG`` (keys ``project:key``; non-string values JSON-encoded, as the
    CLI passes them) and is sent with ``stack_tags`` in ``ConfigureStack``.
    """

    def __init__(
        self,
        pack_dir: str | os.PathLike[str],
        *,
        python: str | None = None,
        project: str = "plangate-harness",
        stack: str = "dev",
        organization: str = "organization",
        dry_run: bool = True,
        stack_config: Mapping[str, Any] | None = None,
        stack_tags: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.python = python or _pack_python(self.pack_dir)
        self.project, self.stack, self.organization, self.dry_run = project, stack, organization, dry_run
        self.stack_config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (stack_config or {}).items()}
        self.stack_tags = dict(stack_tags or {})
        self.extra_env = dict(env or {})
        self.timeout = timeout
        self.port: int | None = None
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr = tempfile.TemporaryFile()
        self._channel: Any = None
        self._stub: Any = None
        self._info: AnalyzerInfo | None = None

    # process lifetime

    def __enter__(self) -> PolicyPackHarness:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def environment(self) -> dict[str, str]:
        env = {**os.environ, **self.extra_env,
               "PULUMI_PROJECT": self.project, "PULUMI_STACK": self.stack,
               "PULUMI_ORGANIZATION": self.organization,
               "PULUMI_DRY_RUN": "true" if self.dry_run else "false"}
        if self.stack_config:
            env["PULUMI_CONFIG"] = json.dumps(self.stack_config)
        return env

    def start(self) -> None:
        import grpc
        from pulumi.runtime.proto import analyzer_pb2_grpc

        began = time.perf_counter()
        self._proc = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", DUMMY_ENGINE, str(self.pack_dir)],
            cwd=self.pack_dir, env=self.environment(),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        self.port = self._read_port()
        self.startup_seconds = time.perf_counter() - began
        options = [("grpc.max_receive_message_length", _MAX_MESSAGE),
                   ("grpc.max_send_message_length", _MAX_MESSAGE)]
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=options)
        grpc.channel_ready_future(self._channel).result(timeout=self.timeout)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self.configure_stack()

    def _read_port(self) -> int:
        """The first stdout line is the port (as the CLI reads it); later output is drained."""
        assert self._proc is not None and self._proc.stdout is not None
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self._proc.stdout

        def pump() -> None:
            for line in iter(stdout.readline, b""):
                lines.put(line)
            lines.put(b"")

        threading.Thread(target=pump, daemon=True).start()
        try:
            first = lines.get(timeout=self.timeout)
        except queue.Empty:
            self.close()
            raise PackStartError(f"{self.pack_dir}: no port within {self.timeout}s\n{self.stderr()}") from None
        try:
            return int(first.strip())
        except ValueError:
            self.close()
            raise PackStartError(f"{self.pack_dir}: expected a port on stdout, got {first!r}\n"
                                 f"{self.stderr()}") from None

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()

    # the Analyzer protocol

    def configure_stack(self) -> None:
        """``ConfigureStack`` as the engine sends it once the plugin is up."""
        from pulumi.runtime.proto import analyzer_pb2

        self._stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self.stack, project=self.project, organization=self.organization,
            dry_run=self.dry_run, config=self.stack_config, tags=self.stack_tags,
        ), timeout=self.timeout)

    def get_info(self) -> AnalyzerInfo:
        from google.protobuf import empty_pb2

        raw = self._stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=self.timeout)
        self._info = AnalyzerInfo(
            name=raw.name, version=raw.version, supports_config=raw.supportsConfig,
            policies=tuple(_policy_info(p) for p in raw.policies),
            initial_config={k: {"enforcementLevel": _LEVELS[v.enforcementLevel],
                                "properties": from_struct(v.properties)}
                            for k, v in raw.initialConfig.items()},
            description=raw.description,
        )
        return self._info

    def configure(self, config: Mapping[str, Any] | str | os.PathLike[str] | None = None
                  ) -> dict[str, dict[str, Any]]:
        """Merge ``config`` (a ``--policy-pack-config`` document, or its path) over the schema
        defaults and initial config, validate it, send ``Configure``; returns what was sent."""
        from pulumi.runtime.proto import analyzer_pb2

        info = self._info or self.get_info()
        merged = merge_config(info, parse_config_file(_read_config(config)))
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, entry in merged.items():
            level = entry["enforcementLevel"] or "advisory"
            request.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(
                enforcementLevel=_LEVELS.index(level), properties=to_struct(entry["properties"])))
        self._stub.Configure(request, timeout=self.timeout)
        return merged

    def analyze(self, type_token: str, props: Mapping[str, Any], *, urn: str | None = None,
                name: str | None = None, provider: Provider | None = None) -> list[Diagnostic]:
        """``Analyze`` one resource (its inputs, in wire form)."""
        request = self._resource_request(type_token, props, urn, name, provider)
        return _diagnostics(self._stub.Analyze(request, timeout=self.timeout))

    def _resource_request(self, type_token: str, props: Mapping[str, Any], urn: str | None,
                          name: str | None, provider: Provider | None) -> Any:
        """The ``AnalyzeRequest`` the engine sends for one resource (Analyze and Remediate)."""
        from pulumi.runtime.proto import analyzer_pb2

        name = name or _default_name(type_token)
        request = analyzer_pb2.AnalyzeRequest(
            type=type_token, properties=to_struct(props), urn=urn or self.urn(type_token, name),
            name=name, options=analyzer_pb2.AnalyzerResourceOptions())
        if provider is not None:
            request.provider.CopyFrom(_provider(provider))
        return request

    def analyze_request(self, request: Any) -> Any:
        """Send a prepared ``AnalyzeRequest`` and return the raw response (for benchmarks)."""
        return self._stub.Analyze(request, timeout=self.timeout)

    def analyze_stack(self, resources: Iterable[StackResource]) -> list[Diagnostic]:
        """``AnalyzeStack`` over the whole resource set."""
        from pulumi.runtime.proto import analyzer_pb2

        request = analyzer_pb2.AnalyzeStackRequest()
        for r in resources:
            name = r.name or _default_name(r.type)
            item = analyzer_pb2.AnalyzerResource(
                type=r.type, properties=to_struct(r.props), urn=r.urn or self.urn(r.type, name),
                name=name, parent=r.parent, dependencies=list(r.dependencies),
                options=analyzer_pb2.AnalyzerResourceOptions())
            if r.provider is not None:
                item.provider.CopyFrom(_provider(r.provider))
            request.resources.append(item)
        return _diagnostics(self._stub.AnalyzeStack(request, timeout=self.timeout))

    def remediate(self, type_token: str, props: Mapping[str, Any], *, urn: str | None = None,
                  name: str | None = None, provider: Provider | None = None) -> list[Remediation]:
        """``Remediate`` one resource; policies at the ``remediate`` level may rewrite it."""
        request = self._resource_request(type_token, props, urn, name, provider)
        response = self._stub.Remediate(request, timeout=self.timeout)
        return [Remediation(r.policyName, from_struct(r.properties) if r.HasField("properties") else None,
                            r.diagnostic, r.description) for r in response.remediations]

    def urn(self, type_token: str, name: str) -> str:
        return f"urn:pulumi:{self.stack}::{self.project}::{type_token}::{name}"


def _pack_python(pack_dir: Path) -> str:
    """The interpreter the CLI would use: the pack's virtualenv when it exists."""
    manifest = pack_dir / "PulumiPolicy.yaml"
    if manifest.is_file():
        import yaml

        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        runtime = data.get("runtime")
        venv = (runtime.get("options") or {}).get("virtualenv") if isinstance(runtime, Mapping) else None
        if venv:
            candidate = (pack_dir / venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
            if candidate.exists():
                return str(candidate)
    return sys.executable


def _default_name(type_token: str) -> str:
    return type_token.rsplit(":", 1)[-1].lower() or "resource"


def _provider(p: Provider) -> Any:
    from pulumi.runtime.proto import analyzer_pb2

    return analyzer_pb2.AnalyzerProviderResource(
        type=p.type, properties=to_struct(p.props), name=p.name,
        urn=p.urn or f"urn:pulumi:dev::harness::{p.type}::{p.name}")


def _severity(value: int) -> str:
    from pulumi.runtime.proto import analyzer_pb2

    name = analyzer_pb2.PolicySeverity.Name(value).removeprefix("POLICY_SEVERITY_").lower()
    return "" if name == "unspecified" else name


def _policy_info(p: Any) -> PolicyInfo:
    from pulumi.runtime.proto import analyzer_pb2

    kind = analyzer_pb2.PolicyType.Name(p.policy_type).removeprefix("POLICY_TYPE_").lower()
    return PolicyInfo(
        name=p.name, description=p.description, enforcement=_LEVELS[p.enforcementLevel], kind=kind,
        display_name=p.displayName, severity=_severity(p.severity),
        remediation_steps=p.remediation_steps, url=p.url, tags=tuple(p.tags),
        config_schema=from_struct(p.configSchema.properties), required=tuple(p.configSchema.required),
    )


def _diagnostics(response: Any) -> list[Diagnostic]:
    out = []
    for d in response.diagnostics:
        message = d.message
        if d.description and message.startswith(d.description + "\n"):
            message = message[len(d.description) + 1:]
        elif message == d.description:
            message = ""
        out.append(Diagnostic(d.policyName, message, _LEVELS[d.enforcementLevel], d.urn,
                              _severity(d.severity), d.description, d.policyPackName, d.message))
    return out


# --- plangate Resource → Pulumi token and properties (for conformance tests) -----------------

# Kubernetes API group/version per kind; the canonical type keeps only the kind.
_K8S_GROUP = {
    "deployment": "apps/v1", "stateful_set": "apps/v1", "daemon_set": "apps/v1",
    "replica_set": "apps/v1", "job": "batch/v1", "cron_job": "batch/v1",
    "inference_service": "serving.kserve.io/v1beta1",
    "llm_inference_service": "serving.kserve.io/v1alpha1",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _pascal(name: str) -> str:
    camel = _camel(name)
    return camel[:1].upper() + camel[1:]


def pulumi_token(canonical: str) -> str:
    """The Pulumi type token that `plangate.types.pulumi_type` maps onto ``canonical``.

    >>> pulumi_token("aws_sagemaker_endpoint_configuration")
    'aws:sagemaker/endpointConfiguration:EndpointConfiguration'
    """
    from plangate import types

    # the bridge's own token first (aws_db_instance is aws:rds/instance:Instance); of its aliases the
    # shortest, since the bridge's legacy module names are the long ones (elasticloadbalancingv2 → lb)
    bridged = [t for t, tf_type in types.pulumi_aws_types().items() if tf_type == canonical]
    if bridged:
        return min(bridged, key=len)
    if canonical.startswith("kubernetes_"):
        kind = canonical.removeprefix("kubernetes_")
        token = f"kubernetes:{_K8S_GROUP.get(kind, 'core/v1')}:{_pascal(kind)}"
    else:
        package, rest = canonical.split("_", 1)
        module_of = {prefix: module for module, prefix in types._MODULE_PREFIX.items()}
        prefix = next((p for p in module_of if rest.startswith(p + "_")), rest.split("_", 1)[0])
        member = rest[len(prefix) + 1:]
        token = f"{package}:{module_of.get(prefix, prefix)}/{_camel(member)}:{_pascal(member)}"
    if types.pulumi_type(token) != canonical:
        raise ValueError(f"no Pulumi token maps onto {canonical!r} (tried {token!r})")
    return token


def to_pulumi(resource: Any) -> tuple[str, dict[str, Any]]:
    """A plangate `Resource` as (type token, Pulumi properties in wire form).

    Properties go back to camelCase (user map keys untouched), tags to ``tags``, Kubernetes
    labels / annotations to ``metadata`` and the derived ``pod_metadata`` to the pod template
    (``spec.template.metadata``); each unknown path holds the `UNKNOWN` sentinel and each
    secret path its value wrapped by `secret`.  Names must map back through `plangate.types`
    to the same snake_case paths; ``ValueError`` says when a shape has no Pulumi form.
    """
    from plangate import types

    renames = {snake: pulumi for pulumi, snake in types.PROPERTY_RENAMES.get(resource.type, {}).items()}
    props: dict[str, Any] = {}
    for key, value in resource.properties.items():
        name = renames.get(key) or _camel(key)
        props[name] = value if key in types.FREEFORM_KEYS else _camel_tree(value)
    if resource.tags:
        props["tags"] = dict(resource.tags)
    if resource.type.startswith("kubernetes_"):
        _kubernetes_metadata(resource, props)
    for path in sorted(resource.secret):
        root, _, key = path.partition(".")
        if root == "tags" and key in props.get("tags", {}):  # a tag key may hold dots: one key
            props["tags"][key] = _as_secret(props["tags"][key])
            continue
        _mark(props, _pulumi_path(path, renames), _as_secret)
    for path in sorted(resource.unknown):
        _mark(props, _pulumi_path(path, renames), lambda _: UNKNOWN)
    return pulumi_token(resource.type), props


def _as_secret(value: Any) -> Any:
    """A secret as the engine sends it: the plaintext wrapped (a redacted stand-in gives back
    the value it hides), or the engine's ``[secret]`` text when the value was never known."""
    from plangate.model import comparable

    plain = comparable(value)
    return "[secret]" if plain is None and value is not None else secret(plain)


def _kubernetes_metadata(resource: Any, props: dict[str, Any]) -> None:
    """Labels / annotations under ``metadata`` and the pod template's under
    ``spec.template.metadata``, where a Pulumi Kubernetes resource holds them."""
    meta = {k: dict(v) for k, v in (("labels", resource.labels), ("annotations", resource.annotations)) if v}
    if meta:
        props.setdefault("metadata", {}).update(meta)
    pod = props.pop("podMetadata", None)
    if pod is not None:
        props.setdefault("spec", {}).setdefault("template", {})["metadata"] = pod


def _camel_tree(value: Any) -> Any:
    from plangate import types

    if isinstance(value, dict):
        for key in value:
            if key not in types.FREEFORM_KEYS and types.snake(_camel(key)) != key:
                raise ValueError(f"property {key!r} has no Pulumi spelling that maps back to it "
                                 "(a Terraform-only shape)")
        return {_camel(k): (v if k in types.FREEFORM_KEYS else _camel_tree(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_tree(v) for v in value]
    return value


def _pulumi_path(path: str, renames: Mapping[str, str]) -> list[str]:
    from plangate import types

    out: list[str] = []
    freeform = False
    for index, part in enumerate(path.split(".")):
        if freeform or part.isdigit():
            out.append(part)
        else:
            name = renames.get(part) if index == 0 else None
            out.append(name or _camel(part))
            if types.snake(out[-1]) != part and name is None:
                raise ValueError(f"property {part!r} of {path!r} does not survive camelCase and back")
        freeform = freeform or part in types.FREEFORM_KEYS
    return out


def _mark(props: dict[str, Any], path: Sequence[str], wrap: Any) -> None:
    """Replace the value at ``path`` (creating maps on the way) by ``wrap(value)``."""
    node: Any = props
    for part in path[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
            continue
        child = node.get(part)
        if not isinstance(child, (dict, list)):
            child = node[part] = {}
        node = child
    last = path[-1]
    if isinstance(node, list):
        node[int(last)] = wrap(node[int(last)])
    else:
        node[last] = wrap(node.get(last))
