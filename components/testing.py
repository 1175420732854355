"""Run a Pulumi program under Pulumi's mocks and hand its resources to plangate.

`run_program` runs a program in this process with `pulumi.runtime.set_mocks`, as the engine
would at preview: every registration is recorded in the engine's wire form *after* the
stack's resource transforms (which the stock mock monitor records but never runs), every
invoke the components use is answered, and any other invoke fails loudly instead of
returning None.  `MockRun.preview()` is the run as a ``pulumi preview --json`` document, so
plangate's own Pulumi loader reads it (`MockRun.resources`) and the policy pack harness gets
the same properties (`MockRun.stack_resources`).

Pulumi's runtime settings are process-wide; for one clean program per process use the
command line, which prints the run as JSON::

    python -m components.testing PROGRAM.py --config config.json [--no-transforms]
"""

from __future__ import annotations

import argparse
import inspect
import json
import runpy
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks, rpc
from pulumi.runtime.sync_await import _sync_await

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Registration:
    """One resource registration as the engine received it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]  # wire form (camelCase keys, engine markers), transforms applied


class AwsMocks(pulumi.runtime.Mocks):
    """Answers the AWS invokes the components make, and invents computed outputs."""

    INVOKES = ("aws:index/getCallerIdentity:getCallerIdentity", "aws:index/getPartition:getPartition",
               "aws:index/getRegion:getRegion")

    def __init__(self, region: str = DEFAULT_REGION, account_id: str = ACCOUNT_ID) -> None:
        self.region, self.account_id = region, account_id

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        answers = {
            self.INVOKES[0]: {"accountId": self.account_id, "id": self.account_id, "userId": "AIDAEXAMPLE",
                              "arn": f"arn:aws:iam::{self.account_id}:user/ci"},
            self.INVOKES[1]: {"partition": "aws", "id": "aws", "dnsSuffix": "amazonaws.com",
                              "reverseDnsPrefix": "com.amazonaws"},
            self.INVOKES[2]: {"region": self.region, "name": self.region, "id": self.region,
                              "endpoint": f"ec2.{self.region}.amazonaws.com", "description": self.region},
        }
        if args.token not in answers:
            # The stock mocks would return None here and the program would read garbage.
            raise NotImplementedError(f"invoke {args.token} is not mocked")
        return answers[args.token]

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        name = args.inputs.get("name") or args.inputs.get("bucket") or args.name
        state = {**args.inputs, "name": name, **self._computed(args.typ, str(name))}
        return f"{args.name}-id", state

    def _computed(self, token: str, name: str) -> dict[str, Any]:
        service = token.split(":")[1].split("/")[0] if token.count(":") == 2 else "mock"
        kind = token.rsplit(":", 1)[-1].lower()
        arn = f"arn:aws:{service}:{self.region}:{self.account_id}:{kind}/{name}"
        extra: dict[str, Any] = {"arn": arn}
        if token == "aws:lambda/function:Function":
            extra["invokeArn"] = (f"arn:aws:apigateway:{self.region}:lambda:path/2015-03-31/functions/"
                                  f"{arn}/invocations")
        elif token == "aws:lambda/functionUrl:FunctionUrl":
            extra["functionUrl"] = f"https://{name}.lambda-url.{self.region}.on.aws/"
        elif token == "aws:apigatewayv2/api:Api":
            extra["apiEndpoint"] = f"https://{name}.execute-api.{self.region}.amazonaws.com"
            extra["executionArn"] = f"arn:aws:execute-api:{self.region}:{self.account_id}:{name}"
        elif token == "aws:apigatewayv2/stage:Stage":
            extra["invokeUrl"] = f"https://api.execute-api.{self.region}.amazonaws.com/"
        elif token == "aws:cloudwatch/logGroup:LogGroup":
            extra["arn"] = f"arn:aws:logs:{self.region}:{self.account_id}:log-group:{name}"
        elif token == "aws:s3/bucket:Bucket":
            extra["arn"] = f"arn:aws:s3:::{name}"
        elif token == "aws:sqs/queue:Queue":
            extra["url"] = f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{name}"
        return extra


class RecordingMonitor(mocks.MockMonitor):
    """The stock mock monitor, plus what the engine does that it does not: run the stack's
    resource transforms on each registration, and keep what was registered in wire form."""

    def __init__(self, mock: pulumi.runtime.Mocks, apply_transforms: bool = True) -> None:
        super().__init__(mock)
        self.apply_transforms = apply_transforms
        self.registrations: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack" and self.apply_transforms and self._stack_transforms:
            self._transform(request)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(Registration(
                urn=response.urn, type=request.type, name=request.name, parent=request.parent,
                custom=request.custom, inputs=json_format.MessageToDict(request.object)))
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if "::pulumi:pulumi:Stack::" in request.urn:
            self.stack_outputs = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)

    def _transform(self, request: Any) -> None:
        """Call each stack transform with the deserialized properties, as the engine's
        callback server does, and put the result back in the request."""
        mocks._ensure_event_loop()
        props = rpc.deserialize_properties(request.object)
        for transform in self._stack_transforms:
            args = pulumi.ResourceTransformArgs(request.custom, request.type, request.name, props,
                                                pulumi.ResourceOptions())
            result = transform(args)
            if inspect.isawaitable(result):
                result = _sync_await(result)
            if result is not None:
                props = result.props
        request.object.CopyFrom(_sync_await(rpc.serialize_properties(props, {})))


@dataclass
class MockRun:
    """What a program registered under mocks, and its stack outputs."""

    project: str
    stack: str
    config: dict[str, Any]
    registrations: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == token]

    def one(self, token: str) -> Registration:
        found = self.of_type(token)
        assert len(found) == 1, f"{len(found)} registrations of {token}"
        return found[0]

    def preview(self) -> dict[str, Any]:
        """The run as ``pulumi preview --json`` prints it (every resource a create step)."""
        stack_urn = f"urn:pulumi:{self.stack}::{self.project}::pulumi:pulumi:Stack::{self.project}-{self.stack}"
        steps = [{"op": "create", "urn": stack_urn,
                  "newState": {"urn": stack_urn, "type": "pulumi:pulumi:Stack", "custom": False, "inputs": {}}}]
        for r in self.registrations:
            steps.append({"op": "create", "urn": r.urn, "newState": {
                "urn": r.urn, "type": r.type, "custom": r.custom, "inputs": r.inputs,
                "parent": r.parent or stack_urn}})
        return {"config": {k: v if isinstance(v, str) else json.dumps(v) for k, v in self.config.items()},
                "steps": steps}

    def resources(self) -> list[Any]:
        """plangate `Resource`s, read by plangate's own Pulumi preview loader."""
        from plangate.loaders.pulumi import from_preview

        return from_preview(self.preview(), f"{self.project}-{self.stack} (mocks)")

    def stack_resources(self) -> list[Any]:
        """The registrations as the policy pack harness sends them to ``AnalyzeStack``."""
        from plangate.frontends.pulumi.harness import StackResource

        return [StackResource(type=r.type, props=r.inputs, urn=r.urn, name=r.name, parent=r.parent)
                for r in self.registrations]

    def to_json(self) -> dict[str, Any]:
        return {"project": self.project, "stack": self.stack, "config": self.config,
                "outputs": self.outputs,
                "registrations": [r.__dict__ for r in self.registrations]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MockRun:
        return cls(data["project"], data["stack"], dict(data["config"]),
                   [Registration(**r) for r in data["registrations"]], dict(data["outputs"]))


def run_program(program: Callable[[], Any], *, project: str = "project", stack: str = "dev",
                config: Mapping[str, Any] | None = None, apply_transforms: bool = True,
                account_id: str = ACCOUNT_ID) -> MockRun:
    """Run ``program`` under mocks (a preview) and return what it registered.

    ``config`` keys are full Pulumi config keys (``aws:region``, ``<project>:<key>``); values
    that are not strings are passed JSON-encoded, as the CLI passes structured config.
    """
    config = dict(config or {})
    region = str(config.get("aws:region", DEFAULT_REGION))
    monitor = RecordingMonitor(AwsMocks(region, account_id), apply_transforms)
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor)
    pulumi.runtime.set_all_config({k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()})
    run = MockRun(project, stack, config)
    settings = pulumi.runtime.settings
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    # set_mocks leaves a finished root stack behind; the program gets a fresh one, as under
    # the engine, so that its exports are registered as the stack's outputs.
    settings.set_root_resource(None)  # type: ignore[arg-type]
    _sync_await(pulumi.runtime.stack.run_in_stack(program))
    run.registrations = list(monitor.registrations)
    run.outputs = _plain(monitor.stack_outputs)
    return run


def run_file(path: str | Path, **kwargs: Any) -> MockRun:
    """`run_program` on a program file such as a project's ``__main__.py``."""
    path = Path(path).resolve()

    def program() -> None:
        sys.path.insert(0, str(path.parent))
        try:
            runpy.run_path(str(path), run_name="__main__")
        finally:
            sys.path.remove(str(path.parent))

    return run_program(program, **kwargs)


def stack_config(project_dir: str | Path, stack: str) -> tuple[str, dict[str, Any]]:
    """The project name and the stack's config with full keys (``<project>:key``), read from
    ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` as the CLI reads them."""
    import yaml

    root = Path(project_dir)
    project = yaml.safe_load((root / "Pulumi.yaml").read_text(encoding="utf-8"))["name"]
    raw = yaml.safe_load((root / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8")) or {}
    config = {}
    for key, value in (raw.get("config") or {}).items():
        config[key if ":" in key else f"{project}:{key}"] = value
    return project, config


def _plain(value: Any) -> Any:
    """Stack outputs as JSON data (secrets unwrapped: these are mock values)."""
    if isinstance(value, dict):
        if rpc.is_rpc_secret(value):
            return _plain(rpc.unwrap_rpc_secret(value))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.output.Unknown):
        return None
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.testing",
                                     description="Run a Pulumi program under mocks; print what it registered.")
    parser.add_argument("program", help="program file, e.g. __main__.py")
    parser.add_argument("--config", help="JSON file: full config keys to values (default: Pulumi.<stack>.yaml)")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--no-transforms", action="store_true",
                        help="record registrations as an engine without the stack's transforms would")
    args = parser.parse_args(argv)
    project, config = stack_config(Path(args.program).resolve().parent, args.stack)
    if args.config:
        config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    run = run_file(args.program, project=project, stack=args.stack, config=config,
                   apply_transforms=not args.no_transforms)
    json.dump(run.to_json(), sys.stdout, indent=1, sort_keys=True, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
