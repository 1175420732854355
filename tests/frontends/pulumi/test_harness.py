"""The wire form (`plangate.frontends.pulumi.wire`) and the public `PolicyPackHarness`, on
packs of its own (the plangate pack is driven in test_pack.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

from plangate.frontends.pulumi import wire
from plangate.frontends.pulumi.harness import (
    AnalyzerInfo,
    ConfigError,
    PackStartError,
    PolicyInfo,
    PolicyPackHarness,
    merge_config,
    parse_config_file,
    pulumi_token,
    to_pulumi,
)
from plangate.model import Resource

# --- wire -------------------------------------------------------------------------------------


def test_struct_round_trip_keeps_markers_and_whole_numbers():
    props = {"name": "scorer", "memorySize": 1024, "timeout": 2.5, "publish": True, "layers": ["a", 3],
             "role": wire.UNKNOWN, "environment": {"variables": {"KEY": wire.secret("s3cr3t")}}, "kms": None}
    back = wire.from_struct(wire.to_struct(props))
    assert back == props
    assert type(back["memorySize"]) is int and type(back["layers"][1]) is int  # 1024.0 on the wire
    assert wire.is_secret(back["environment"]["variables"]["KEY"]) and not wire.is_secret(back["role"])


def test_wire_and_the_loader_import_no_sdk():
    """The loader reads the markers from `wire`; neither may pull in protobuf, grpc or pulumi."""
    script = ("import sys\n"
              "import plangate.frontends.pulumi.wire, plangate.loaders.pulumi\n"
              "roots = ('google', 'grpc', 'pulumi', 'pulumi_policy')\n"
              "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
              "print(','.join(heavy))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == ""


MARKERS = (wire.UNKNOWN, wire.SIG_KEY, wire.SECRET_SIG, wire.ASSET_SIG, wire.ARCHIVE_SIG,
           wire.RESOURCE_REF_SIG, wire.OUTPUT_SIG)


def test_wire_markers_are_defined_once():
    """Pulumi's markers have one home: no other module of the package assigns them (a
    docstring may still show one in an example document)."""
    markers = "|".join(MARKERS)
    defined = re.compile(rf"^\s*\w+\s*(?::[^=]+)?=\s*[\"']({markers})[\"']", re.M)
    defining = {str(path.relative_to(ROOT)): len(defined.findall(path.read_text(encoding="utf-8")))
                for path in (ROOT / "plangate").rglob("*.py")}
    assert {path: n for path, n in defining.items() if n} == {"plangate/frontends/pulumi/wire.py": len(MARKERS)}


# --- configuration, merged as the engine merges it --------------------------------------------------

INFO = AnalyzerInfo(
    name="p", version="1", supports_config=True,
    policies=(PolicyInfo("tags", "d", "advisory", "resource",
                         config_schema={"required": {"type": "array", "items": {"type": "string"},
                                                     "default": ["Owner"]}}),
              PolicyInfo("size", "d", "mandatory", "resource",
                         config_schema={"max": {"type": "integer"}}, required=("max",))),
    initial_config={"size": {"enforcementLevel": "advisory", "properties": {"max": 3}}},
)


def test_config_file_parsed_as_the_engine_parses_it():
    assert parse_config_file({"a": "mandatory", "b": {"enforcementLevel": "disabled", "x": 1}, "c": {}}) == {
        "a": {"enforcementLevel": "mandatory", "properties": {}},
        "b": {"enforcementLevel": "disabled", "properties": {"x": 1}},
    }
    with pytest.raises(ConfigError, match="not a valid enforcement level"):
        parse_config_file({"a": "strict"})
    with pytest.raises(ConfigError, match="must be a string or object"):
        parse_config_file({"a": 3})


def test_config_layers_defaults_then_initial_then_given():
    assert merge_config(INFO, None) == {
        "tags": {"enforcementLevel": "advisory", "properties": {"required": ["Owner"]}},
        "size": {"enforcementLevel": "advisory", "properties": {"max": 3}},
    }
    given = parse_config_file({"all": "mandatory", "tags": {"required": ["team"]}, "size": {"max": 9}})
    merged = merge_config(INFO, given)
    assert merged["tags"] == {"enforcementLevel": "mandatory", "properties": {"required": ["team"]}}
    assert merged["size"] == {"enforcementLevel": "mandatory", "properties": {"max": 9}}
    with pytest.raises(ConfigError, match=r"size: max: 'nine' is not of type 'integer'"):
        merge_config(INFO, parse_config_file({"size": {"max": "nine"}}))


# --- Resource -> Pulumi form ---------------------------------------------------------------------


def test_to_pulumi_marks_unknown_and_secret_paths():
    res = Resource(type="aws_lambda_function", address="aws_lambda_function.scorer", source_format="tfplan",
                   properties={"function_name": "scorer", "memory_size": 1024, "role": None,
                               "environment": {"variables": {"KEY": "[secret]"}}},
                   tags={"team": "ml"}, unknown=frozenset({"role"}),
                   secret=frozenset({"environment.variables.KEY"}))
    token, props = to_pulumi(res)
    assert token == "aws:lambda/function:Function" == pulumi_token("aws_lambda_function")
    assert props["role"] == wire.UNKNOWN and props["memorySize"] == 1024
    assert props["environment"]["variables"]["KEY"] == wire.secret("[secret]")
    assert props["tags"] == {"team": "ml"}


# --- the harness on packs of its own -----------------------------------------------------------------

ONE_POLICY_PACK = '''
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def validate(args, report_violation):
    if args.props.get("size", 0) > 2:
        report_violation("size over 2")

PolicyPack("tiny", [ResourceValidationPolicy(name="size", description="small things only",
           validate=validate, enforcement_level=EnforcementLevel.MANDATORY)])
'''


def test_harness_drives_any_pack(tmp_path: Path):
    (tmp_path / "__main__.py").write_text(ONE_POLICY_PACK)
    with PolicyPackHarness(tmp_path, python=sys.executable) as pack:
        info = pack.get_info()
        assert (info.name, [p.name for p in info.policies]) == ("tiny", ["size"])
        pack.configure()
        (d,) = pack.analyze("aws:s3/bucket:Bucket", {"size": 3})
        assert (d.policy, d.enforcement, d.message, d.description) == ("size", "mandatory", "size over 2",
                                                                        "small things only")
        assert d.raw_message == "small things only\nsize over 2"
        assert pack.analyze("aws:s3/bucket:Bucket", {"size": 1}) == []
        assert pack.startup_seconds is not None and pack.startup_seconds > 0


def test_a_pack_that_fails_to_start_says_why(tmp_path: Path):
    (tmp_path / "__main__.py").write_text("raise SystemExit('no policies for you')\n")
    with pytest.raises(PackStartError, match="no policies for you"):
        PolicyPackHarness(tmp_path, python=sys.executable, timeout=30).start()


def test_harness_uses_the_packs_virtualenv(tmp_path: Path):
    (tmp_path / "PulumiPolicy.yaml").write_text(textwrap.dedent("""\
        runtime:
          name: python
          options:
            virtualenv: venv
        """))
    assert PolicyPackHarness(tmp_path).python == sys.executable  # no venv yet: this interpreter
    python = tmp_path / "venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    assert PolicyPackHarness(tmp_path).python == str(python)
