"""The public `PolicyPackHarness`, on packs of its own (the plangate pack is driven in
test_pack.py; the wire form it speaks is tested in tests/loaders/test_pulumi_wire.py)."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

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
from plangate.loaders import pulumi_wire as wire
from plangate.model import Resource

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
