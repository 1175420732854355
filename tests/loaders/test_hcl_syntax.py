"""plangate's HCL reader (`hcl_syntax`) against python-hcl2, the reference parser (`hcl_oracle`).

Source-form values are compared as their characters less whitespace and commas, with ``:``
read as ``=``: python-hcl2 re-prints every expression, inside templates too (``{Name = "x"}``,
``(var.on ? 1 : 2)``, ``{"a" = 1}`` for ``{"a": 1}``, a comma for each newline between
object items) where plangate keeps the source text, which `plangate.loaders.hcl.evaluate`
only scans for references.  Block kinds, labels, keys, nesting, lines and every other
character must match, on every fixture tree, on snippets of each construct, and on generated
HCL; extra real trees can be added with ``PLANGATE_HCL_TREES=dir1:dir2``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import hcl_oracle  # tests/loaders/hcl_oracle.py: python-hcl2, the reference parser
import pytest
from conftest import ROOT, SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plangate.errors import InputError
from plangate.loaders.hcl import blocks
from plangate.loaders.hcl import syntax as hcl_syntax


def _tokens(value: object) -> object:
    """A source-form value with every string read as its characters less whitespace and commas,
    ``:`` as ``=`` and a number key's ``${…}`` dropped (see the module docstring)."""
    if isinstance(value, dict):
        return {_tokens(k): _tokens(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tokens(v) for v in value]
    if not isinstance(value, str):
        return value
    text = "".join(ch for ch in value if not ch.isspace() and ch != ",").replace(":", "=")
    return text[2:-1] if text.startswith("${") and text[2:-1].isdigit() else text


def _read(path: Path, parser) -> list[blocks.SourceBlock] | str:
    """The source blocks the loader reads from ``path`` with ``parser`` (expressions up to
    whitespace, see `_tokens`); an error as its message."""
    saved = hcl_syntax.parse
    hcl_syntax.parse = parser
    try:
        found = blocks.declared_blocks(path) if path.is_dir() else blocks._file_blocks(path)
        return [blocks.SourceBlock(b.kind, b.labels, _tokens(b.body), b.location) for b in found]
    except InputError as exc:
        assert "invalid HCL" not in exc.problem, str(exc)
        return str(exc)
    finally:
        hcl_syntax.parse = saved


def _trees() -> list[Path]:
    roots = [ROOT / "tests" / "fixtures", ROOT / "examples", SHARED / "corpus"]
    roots += [Path(p) for p in os.environ.get("PLANGATE_HCL_TREES", "").split(os.pathsep) if p]
    dirs = {p.parent for root in roots if root.exists() for p in root.rglob("*.tf")}
    return sorted(d for d in dirs if d.name != "invalid")


@pytest.mark.parametrize("directory", _trees(), ids=lambda p: str(p.relative_to(p.anchor)))
def test_every_fixture_directory_reads_the_same_as_with_python_hcl2(directory: Path) -> None:
    assert _read(directory, hcl_syntax.parse) == _read(directory, hcl_oracle.parse)


def test_the_benchmark_tree_reads_the_same(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from checkov_inputs import hcl_tree

    tree = hcl_tree(tmp_path / "tree", 2)
    dirs = sorted({p.parent for p in tree.rglob("*.tf")})
    assert len(dirs) == 4
    for directory in dirs:
        assert _read(directory, hcl_syntax.parse) == _read(directory, hcl_oracle.parse)


# ------------------------------------------------------------------ each construct

VALUES = [
    '"plain"', '"esc \\" \\\\ \\n \\u00e9"', '"${var.name}"', '"a-${var.name}-${local.env}"',
    '"nested ${join(",", ["a", "}"])} x"', '"$${literal} %%{literal}"', '"%{ if var.on }on%{ endif }"',
    "-1", "0", "42", "3.25", "1e3", "true", "false", "null", "string",
    "var.name", "local.env", "var.list[0]", 'var.map["k"]', "var.obj.key", "aws_instance.x[*].id",
    "aws_instance.x.*.id", "module.m.out", 'var.on ? "a" : "b"', "!var.on", "-var.n", "(var.name)",
    "var.a == var.b && var.c != 1 || var.d >= 2", "merge(local.common, { Name = \"x\" })",
    'provider::aws::arn_parse("arn:aws:iam::123456789012:role/x").account_id',
    "[for s in var.list : upper(s)]", "[for s in var.list : s if s != \"\"]",
    "{ for k, v in var.map : k => v... }", "length(var.list...)",
    "[]", "[1, 2, 3]", '["a", "b",]', "[\n  1,\n  # comment\n  2\n]", "[var.a, \"b\", [1, [2]]]",
    "{}", '{ a = 1, b = "x" }', "{\n  a = 1\n  b = 2 # trailing\n  c = [1, 2]\n}", '{ "quoted key" = 1 }',
    "{ (var.key) = 1 }", "{ a: 1, b: 2 }", '{ a = { b = { c = "deep" } } }', '{ a = var.x, b = "y" }',
    '["a", "b"][0]', '{ a = 1 }["a"]', "<<EOF\nline one\n  line ${var.name}\nEOF",
    "<<-EOT\n    indented\n      more\n    EOT", "var.n * 2 + 3 / 4 - 5 % 6", "tolist(var.set)[0]",
    "(\n  var.on\n  ? 1\n  : 2\n)", '"x" /* after */', '"x" // after',
]


@pytest.mark.parametrize("value", VALUES)
def test_each_kind_of_value_reads_the_same(tmp_path: Path, value: str) -> None:
    path = tmp_path / "main.tf"
    path.write_text(
        'variable "name" {\n  default = "svc"\n}\nvariable "list" {\n  default = ["a"]\n}\n'
        'variable "map" {\n  default = { k = "v" }\n}\nlocals {\n  env = "prod"\n  common = {}\n}\n'
        f'resource "aws_s3_bucket" "b" {{\n  x = {value}\n  tags = {{\n    Owner = {value}\n  }}\n}}\n'
    )
    assert _read(path, hcl_syntax.parse) == _read(path, hcl_oracle.parse)


LAYOUTS = {
    "one-line blocks": 'provider "aws" {\n  default_tags { tags = { Team = "ml" } }\n}\n'
                       'resource "aws_sqs_queue" "q" { name = "q" }\nresource "aws_sqs_queue" "r" {}\n',
    "nested and labelled blocks": 'resource "aws_security_group" "s" {\n  ingress {\n    from_port = 443\n  }\n'
                                  '  ingress {\n    from_port = 80\n  }\n  dynamic "egress" {\n'
                                  '    for_each = var.rules\n    content {\n      from_port = egress.value\n'
                                  '    }\n  }\n  lifecycle {\n    ignore_changes = [tags]\n  }\n}\n',
    "identifier labels": 'resource aws_sqs_queue q {\n  name = "q"\n}\n',
    "CRLF line endings": 'resource "aws_sqs_queue" "q" {\r\n  name = "q"\r\n  tags = {\r\n    Owner = "x"\r\n'
                         '  }\r\n}\r\n',
    "comments everywhere": '# top\n/* block\n comment */\nresource "aws_sqs_queue" "q" { # after brace\n'
                           '  // line\n  name = "q" # after value\n  tags = { /* inline */ Owner = "x" }\n}\n',
    "no final newline": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}',
    "module calls": 'module "api" {\n  source = "./modules/api"\n  tags = var.tags\n}\n'
                    'module "queue" {\n  source  = "terraform-aws-modules/sqs/aws"\n  version = "~> 4.0"\n}\n',
    "count and for_each": 'resource "aws_sqs_queue" "none" {\n  count = 0\n}\n'
                          'resource "aws_sqs_queue" "each" {\n  for_each = toset(["a"])\n  name = each.key\n}\n',
    "unicode": 'resource "aws_sqs_queue" "q" {\n  name = "naïve ☕"\n}\n',
    "sensitive variable": 'variable "token" {\n  default   = "s3cr3t"\n  sensitive = true\n}\n'
                          'resource "aws_lambda_function" "f" {\n  environment {\n    variables = '
                          '{ TOKEN = var.token }\n  }\n}\n',
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_each_layout_reads_the_same(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "main.tf"
    path.write_bytes(LAYOUTS[layout].encode())
    ours = _read(path, hcl_syntax.parse)
    assert ours == _read(path, hcl_oracle.parse)
    assert ours


def test_heredoc_and_nested_block_shapes_match_python_hcl2() -> None:
    text = ('resource "aws_iam_policy" "p" {\n  policy = <<-EOT\n    {"a": "${var.x}"}\n    EOT\n'
            '  dynamic "statement" {\n    for_each = var.s\n    content {}\n  }\n}\n')
    assert hcl_syntax.parse(text) == hcl_oracle.parse(text)


# ------------------------------------------------------------------ errors

INVALID = [
    ('resource "a" "b" {\n  x = 1\n', 2, None),
    ('resource "a" "b" {\n  x = @1\n}\n', 2, 7),
    ('resource "a" "b" {\n  x = \n}\n', 2, 7),
    ('resource "a" "b" {\n  x = [1, 2\n}\n', 3, 1),
    ('resource "a" "b" {\n  x = (1))\n}\n', 2, 10),
    ('resource "a" "b" {\n  x = "unterminated\n}\n', 2, 7),
    ('resource "a" "b" {\n  x = "${var.a"\n}\n', 2, 15),
    ('resource "a" "b" {\n  x == 1\n}\n', 2, 5),
    ('resource "a" "b" {\n  = 1\n}\n', 2, 3),
    ('resource "a" "b"\n', 1, 17),
    ("}\n", 1, 1),
    ("x = <<EOF\nabc\n", 1, 5),
]


# An expression's own syntax (an operator without operand, two values in a row) is tfparse's to
# report: tests/loaders/test_loader_hcl.py::test_expression_syntax_is_tfparse_s_diagnostic_as_one_clean_error


@pytest.mark.parametrize("text,line,column", INVALID)
def test_invalid_hcl_is_refused_by_both_with_a_position(tmp_path: Path, text: str, line: int,
                                                       column: int | None) -> None:
    with pytest.raises(Exception):  # noqa: B017 - python-hcl2 raises Lark's own exceptions
        hcl_oracle.parse(text)
    with pytest.raises(hcl_syntax.SyntaxProblem) as caught:
        hcl_syntax.parse(text)
    assert (caught.value.line, caught.value.column) == (line, column), caught.value.reason
    path = tmp_path / "main.tf"
    path.write_text(text)
    with pytest.raises(InputError, match=r"main\.tf:\d+(:\d+)?: invalid HCL: "):
        blocks._file_blocks(path)


def test_terraform_syntax_python_hcl2_lacks_is_read() -> None:
    """Strip markers, Unicode identifiers, a comment before a value."""
    parsed = hcl_syntax.parse('locals {\n  café = "${~ var.name ~}"\n  x = /* why */ 1\n}\n')
    assert parsed.blocks[0].body == {"café": '"${~ var.name ~}"', "x": 1}


def test_redefining_an_attribute_is_refused_as_terraform_does() -> None:
    with pytest.raises(hcl_syntax.SyntaxProblem, match="attribute name is already defined") as caught:
        hcl_syntax.parse('resource "a" "b" {\n  name = "x"\n  name = "y"\n}\n')
    assert caught.value.line == 3


# ------------------------------------------------------------------ generated HCL

_names = st.sampled_from(["a", "b", "name", "Owner", "x_1", "with-dash"])
_strings = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\$%'),
                   max_size=12).map(lambda s: f'"{s}"')
_references = st.sampled_from(["var.name", "local.env", "var.list[0]", "var.missing", "each.key"])
_templates = st.tuples(st.text("abc-", max_size=3), _references).map(lambda t: f'"{t[0]}${{{t[1]}}}"')
_scalars = st.one_of(_strings, _templates, _references, st.integers(-10**6, 10**6).map(str),
                     st.sampled_from(["true", "false", "null", "1.5", "upper(var.name)", 'var.on ? "a" : "b"']))


def _collections(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    lists = st.lists(children, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
    objects = st.dictionaries(_names, children, max_size=3).map(
        lambda d: "{\n" + "".join(f"  {k} = {v}\n" for k, v in d.items()) + "}")
    return st.one_of(lists, objects)


_values = st.recursive(_scalars, _collections, max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attributes=st.dictionaries(_names, _values, min_size=1, max_size=4), tags=_values)
def test_generated_resources_read_the_same(tmp_path: Path, attributes: dict[str, str], tags: str) -> None:
    body = "".join(f"  {k} = {v}\n" for k, v in attributes.items() if k != "tags")
    path = tmp_path / "main.tf"
    path.write_text('variable "name" {\n  default = "svc"\n}\nvariable "list" {\n  default = ["a"]\n}\n'
                    'locals {\n  env = "prod"\n}\n'
                    f'resource "aws_s3_bucket" "b" {{\n{body}  tags = {tags}\n}}\n')
    assert _read(path, hcl_syntax.parse) == _read(path, hcl_oracle.parse)


@pytest.mark.parametrize("text", [
    "x = " + '"${' * 3000 + "1" + '}"' * 3000 + "\n",
    "x = " + "[" * 3000 + "]" * 3000 + "\n",
    "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n",
    "a {\n" * 300 + "}\n" * 300,
], ids=["templates", "lists", "parentheses", "blocks"])
def test_deep_nesting_is_refused_not_a_recursion_error(text: str) -> None:
    with pytest.raises(hcl_syntax.SyntaxProblem, match="nested too deeply"):
        hcl_syntax.parse(text)


def test_a_heredoc_opening_with_trailing_blanks_reads_as_its_text(tmp_path: Path) -> None:
    path = tmp_path / "main.tf"
    path.write_text('resource "aws_sqs_queue" "q" {\n  name = <<EOF  \nqueue\nEOF\n}\n')
    assert blocks._file_blocks(path)[0].body["name"] == '"<<EOF\nqueue\nEOF"'  # heredocs keep their source form
