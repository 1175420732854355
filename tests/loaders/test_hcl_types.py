"""Variable type constraints: the ones Terraform refuses are reported, never handed to tfparse.

tfparse's Go converter dereferences a nil type on every constraint Terraform refuses ("Invalid
type specification", "Variables not allowed", "Function calls not allowed" in a default) and the
Go runtime aborts the whole process: before this check, ``plangate scan`` on such a folder died
with exit 134 and a Go stack.  Each case's verdict is Terraform 1.11.4's ``terraform validate``
(recorded here; `test_the_verdicts_are_terraforms` asks the CLI again where it is installed).
The snippets were written by the plangate team.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from plangate.loaders import hcl, load

VALID = [
    "string", "number", "bool", "any", "list", "map", "list(string)", "list( string )", "set(number)",
    "map(list(bool))", "tuple([])", "tuple([string, number])", "tuple([string,])", "object({})",
    "object({a=string,})", "object({a: string})", 'object({a=optional(string,"x")})',
    'object({a = optional(list(string), ["a", "b"])})', "map(object({a=optional(number)}))",
    'object({a=optional(object({b=optional(string,"q")}),{})})', 'object({a=optional(string, "${1}")})',
    "object({\n    a = string # the name\n    b = optional(number, -1)\n  })",
    'object({a=optional(map(string), {k = "v", "q" = "w"})})', "list(string) # a comment",
]
INVALID = [
    "set", "foo", "foo.bar", "list(foo)", "map(any,string)", 'object({a="x"})', "optional(string)",
    'object({"a"=string})', "list(optional(string))", "object({a=optional(string, var.y)})",
    'object({a=optional(string,"x",1)})', "list(list)", "object", "tuple", "any(string)", "number == 2", "5",
    "null", "true", "[string]", "{a=string}", "object({a=optional(list(string), tolist([]))})",
]


def _folder(tmp_path: Path, constraint: str, resource: bool = True) -> Path:
    text = f'variable "x" {{\n  type = {constraint}\n}}\nvariable "y" {{\n  default = "z"\n}}\n'
    if resource:
        text += 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "main.tf").write_text(text)
    return tmp_path


@pytest.mark.parametrize("constraint", VALID)
def test_a_type_terraform_accepts_is_scanned(tmp_path: Path, constraint: str) -> None:
    assert [r.address for r in load(_folder(tmp_path, constraint))] == ["aws_sqs_queue.q"]


@pytest.mark.parametrize("constraint", INVALID)
def test_a_type_terraform_refuses_makes_the_root_not_checked_without_asking_tfparse(
        tmp_path: Path, constraint: str) -> None:
    folder = _folder(tmp_path, constraint)
    (got,) = load(folder)
    # a literal list or object is shown as the parser read it
    shown = {"[string]": '["string"]', "{a=string}": '{"a": "string"}'}.get(constraint, " ".join(constraint.split()))
    assert (got.type, got.address, got.location.line) == (hcl.MODULE_CALL, "(root module)", 1)
    assert got.notes == (f"Terraform rejects this configuration: {folder / 'main.tf'}:1: variable \"x\": type = "
                         f"{shown} is not a type constraint (Invalid type specification): nothing in this root "
                         "module was checked; fix the configuration or scan the plan JSON",)


def test_a_json_file_writes_its_type_as_a_string(tmp_path: Path) -> None:
    """``"type": "list(string)"`` is how .tf.json declares a type (it was reported as a quoted
    type, a root Terraform plans said not checked); ``"type": "foo"`` and ``5`` are refused."""
    for constraint, refused in [("list(string)", None), ("string", None),
                                ("foo", "type = foo is not a type constraint (Invalid type specification)"),
                                (5, "type = 5 is not a type constraint (Invalid type specification)")]:
        doc = {"variable": {"x": {"type": constraint, "default": None}},
               "resource": {"aws_sqs_queue": {"q": {"name": "q"}}}}
        (tmp_path / "main.tf.json").write_text(json.dumps(doc))
        got = load(tmp_path)
        if refused is None:
            assert [r.address for r in got] == ["aws_sqs_queue.q"], constraint
        else:
            assert [r.address for r in got] == ["(root module)"] and refused in got[0].notes[0], constraint


def test_a_refused_type_in_a_called_module_is_reported_too(tmp_path: Path) -> None:
    _folder(tmp_path / "modules" / "m", "list(foo)", resource=False)
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./modules/m"\n  x      = []\n}\n')
    (got,) = load(tmp_path)
    assert got.address == "(root module)" and 'variable "x": type = list(foo) is not a type' in got.notes[0]


@pytest.mark.skipif(shutil.which("terraform") is None, reason="the Terraform CLI is not installed here")
@pytest.mark.parametrize("constraint,valid", [*((c, True) for c in VALID), *((c, False) for c in INVALID)])
def test_the_verdicts_are_terraforms(tmp_path: Path, constraint: str, valid: bool) -> None:
    folder = _folder(tmp_path, constraint, resource=False)  # no provider: validate runs without init
    done = subprocess.run(["terraform", "validate", "-no-color"], cwd=folder, capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode == 0) == valid, done.stderr

