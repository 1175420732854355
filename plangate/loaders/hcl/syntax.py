"""HCL native syntax → blocks and attribute values, for `plangate.loaders.hcl.blocks`.

Why a parser of our own: python-hcl2 builds a full Lark parse tree and then transforms it: 0.13-0.17 MB/s on the
configuration files of the benchmark's trees, 34-54 times slower than this module in four runs (the last line of
``benchmarks/hcl_parse.py``).  The loader needs only block types, labels and lines, and each attribute's value as a
literal, a collection of literals, or "an expression" in source form.  python-hcl2 stays the oracle: tests parse every
fixture (and any real tree named in ``PLANGATE_HCL_TREES``) with both and require the same.

The output is the serialised form python-hcl2 8 gives:

- A block body is a dict: attributes by name; nested blocks as ``name: [body, …]``, with one ``{'"label"': …}`` level
  per label (``dynamic "ingress" {…}`` → ``{"dynamic": [{'"ingress"': {...}}]}``).  Top-level blocks come out as `Block`
  with their labels (in source form too) and the line of their first token.
- Quoted strings and heredocs keep their source form, quotes included (``'"eu-${var.r}"'``, ``'"<<EOF\\n…\\nEOF"'``);
  numbers, ``true``, ``false`` and ``null`` are Python values; a lone identifier (``type = string``) is its name; every
  other expression is its source text wrapped in ``${…}``.  Object keys: identifiers as is, quoted keys with their
  quotes, anything else ``${…}``.

Expressions are read only as far as finding where they end (every character is part of an HCL token, brackets balance,
strings close); the rest of their syntax is tfparse's to report (`run.check_syntax`).  Errors are `SyntaxProblem` with a
line and column; the loader turns them into `InputError` naming the file.  Redefining an attribute, or using one name
for an attribute and a block, is an error, as in Terraform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Block", "Parsed", "SyntaxProblem", "arguments", "conditional", "parse"]

MAX_DEPTH = 128  # blocks, collections and templates nested in each other; deeper is refused


@dataclass(slots=True)
class Block:
    kind: str  # resource, variable, locals, provider, module, …
    labels: tuple[str, ...]  # source form: quoted labels keep their quotes
    body: dict[str, Any]  # serialised body (see the module docstring)
    line: int


@dataclass(slots=True)
class Parsed:
    blocks: list[Block]
    attributes: dict[str, Any]  # top-level attributes: only meaningful in .tfvars files


class SyntaxProblem(Exception):
    """Invalid HCL at ``line`` (1-based) and ``column`` (1-based, None when not useful)."""

    def __init__(self, reason: str, line: int, column: int | None) -> None:
        super().__init__(reason)
        self.reason, self.line, self.column = reason, line, column


def parse(text: str) -> Parsed:
    """Blocks and top-level attributes of one file's text; raises `SyntaxProblem`."""
    parsed = Parsed([], {})
    try:
        _Parser(text).body(0, parsed.attributes, parsed.blocks, depth=0)
        return parsed
    except RecursionError:  # MAX_DEPTH keeps well clear of it; a last guard, not a path
        raise SyntaxProblem("nested too deeply", 1, None) from None


def arguments(text: str) -> list[Any]:
    """Comma-separated expressions (a call's arguments) in source form, read as a list; raises `SyntaxProblem`."""
    got = parse(f"x = [\n{text}\n]").attributes["x"]
    return got if isinstance(got, list) else []


def conditional(source: Any) -> tuple[str, str, str] | None:
    """``COND``, ``A`` and ``B`` of an expression in source form that is one ``${COND ? A : B}`` at its top level
    (outside brackets and strings), else None."""
    text = source[2:-1] if isinstance(source, str) and source[:2] == "${" else ""
    parser, marks, pos = _Parser(text), [], 0
    try:
        while (pos := parser.scan(pos, "?:")) < len(text):
            marks.append(pos)
            pos += 1
    except SyntaxProblem:
        return None
    if len(marks) != 2 or text[marks[0]] != "?":
        return None
    q, c = marks
    return text[:q].strip(), text[q + 1:c].strip(), text[c + 1:].strip()


# --- tokens --------------------------------------------------------------------------------------

_IDENT = r"[^\W\d][\w-]*"
# Whitespace, newlines and comments between body items.
_GAP = re.compile(r"(?:[ \t\r\n\f]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.S)
_INLINE = re.compile(r"[ \t\r\f]*")
_INLINE_OR_COMMENT = re.compile(r"(?:[ \t\r\f]+|/\*.*?\*/)*", re.S)  # before a value
_NAME = re.compile(_IDENT)
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")  # a fraction or an exponent: a float
# Inside a quoted string: plain text, escapes and $${ / %%{ (escaped template marks).
_STRING_TEXT = re.compile(r'(?:[^"\\$%\n]+|\\[^\n]|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*')
_HEREDOC_OPEN = re.compile(rf"<<(-?)({_IDENT})[ \t]*\r?\n")
_TOKEN = re.compile(
    r"(?P<space>[ \t\r\f~]+)"  # ~: the strip markers of ${~ … ~}
    r"|(?P<newline>\n)"
    r"|(?P<comment>#[^\n]*|//[^\n]*|/\*.*?\*/)"
    r'|(?P<string>")'
    rf"|(?P<heredoc><<-?{_IDENT}[ \t]*\r?\n)"
    r"|(?P<open>[(\[{])"
    r"|(?P<close>[)\]}])"
    r"|(?P<operand>[\w.]+)"  # names with their steps (var.a.b, x.*.id: `*` is an operator), numbers
    r"|(?P<op>==|!=|<=|>=|&&|\|\||=>|::|[-+*/%<>!?:=,])", re.S)
_CLOSER = {"(": ")", "[": "]", "{": "}"}
_KEYWORDS = {"true": True, "false": False, "null": None}


# --- the parser ----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.n = text, len(text)
        self._line_pos, self._line = 0, 1  # where line_at last counted to, and that position's line
        self._templates = 0  # strings being read inside other strings' interpolations

    def line_at(self, pos: int) -> int:
        """1-based line of ``pos``, counted on from the last call's: called for the top-level blocks, in order."""
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def problem(self, reason: str, pos: int, column: bool = True) -> SyntaxProblem:
        pos = min(pos, self.n)
        col = pos - self.text.rfind("\n", 0, pos) if column else None
        return SyntaxProblem(reason, self.text.count("\n", 0, pos) + 1, col)

    def unexpected(self, pos: int) -> SyntaxProblem:
        if pos >= self.n:
            return self.end_of_file()
        if self.text[pos] in "\r\n":
            return self.problem("unexpected end of line", pos)
        shown = re.match(r"\S{1,40}", self.text[pos:pos + 40])
        return self.problem(f"unexpected {shown.group() if shown else self.text[pos]!r}", pos)

    def end_of_file(self, expected: str | None = None) -> SyntaxProblem:
        reason = "unexpected end of file" + (f", expected {expected!r}" if expected else "")
        return SyntaxProblem(reason, max(1, self.text.count("\n") + (0 if self.text.endswith("\n") else 1)), None)

    def body(self, pos: int, out: dict[str, Any], top: list[Block] | None, depth: int) -> int:
        """Items from ``pos`` up to the closing ``}`` (nested) or the end of the file (top level,
        when ``top`` collects the blocks).  Returns the position after the ``}``."""
        text, n = self.text, self.n
        defined: dict[str, str] = {}  # name → "attribute" / "block"
        while True:
            pos = _GAP.match(text, pos).end()
            if pos >= n:
                if top is None:
                    raise self.end_of_file("}")
                return pos
            if text[pos] == "}":
                if top is not None:
                    raise self.unexpected(pos)
                return pos + 1
            word = _NAME.match(text, pos)
            if word is None:
                raise self.unexpected(pos)
            name = word.group()
            after = _INLINE.match(text, word.end()).end()
            what = "attribute" if text.startswith("=", after) and not text.startswith(("==", "=>"), after) else "block"
            if name in defined and "attribute" in (defined[name], what):
                raise self.problem(f"attribute {name} is already defined", pos)
            defined[name] = what
            if what == "attribute":
                # `value` ends at a newline, a comment, the end or a "}" (a one-line block's;
                # at the top level the loop refuses it)
                out[name], pos = self.value(after + 1, "\n}", depth)
            else:
                pos = self.block(name, pos, after, out, top, depth)

    def block(self, kind: str, start: int, pos: int, out: dict, top: list[Block] | None, depth: int) -> int:
        if depth >= MAX_DEPTH:
            raise self.problem("nested too deeply", start, column=False)
        text = self.text
        labels: list[str] = []  # source form: quoted labels keep their quotes
        while True:
            if pos >= self.n:
                raise self.end_of_file("{")
            c = text[pos]
            if c == "{":
                break
            if c == '"':
                end = self.string_end(pos + 1)
            elif (word := _NAME.match(text, pos)) is not None:
                end = word.end()
            else:
                raise self.unexpected(pos)
            labels.append(text[pos:end])
            pos = _INLINE.match(text, end).end()
        body: dict[str, Any] = {}
        line = self.line_at(start) if top is not None else 0
        pos = self.body(pos + 1, body, None, depth + 1)
        if top is not None:
            top.append(Block(kind, tuple(labels), body, line))
            return pos
        entry: Any = body
        for label in reversed(labels):
            entry = {label: entry}
        out.setdefault(kind, []).append(entry)
        return pos

    def value(self, pos: int, enders: str, depth: int) -> tuple[Any, int]:
        """The value starting at ``pos`` (after ``=``, ``[`` or ``,``) and the position where it
        ends: at one of ``enders`` (or a comment / the end of file when ``\\n`` ends it)."""
        if depth >= MAX_DEPTH:
            raise self.problem("nested too deeply", pos, column=False)
        text, n = self.text, self.n
        start = (_INLINE_OR_COMMENT if "\n" in enders else _GAP).match(text, pos).end()
        if start >= n:
            raise self.end_of_file()
        c = text[start]
        candidate: Any
        if c == '"':
            end = self.string_end(start + 1)
            candidate = text[start:end]
        elif c == "[" or c == "{":
            collection = self.collection(start, depth)
            if collection is None:  # a for expression
                return self.expression(start, enders)
            candidate, end = collection
        elif c == "<" and (opening := _HEREDOC_OPEN.match(text, start)) is not None:
            end = self.heredoc_end(start, opening)
            # the opening line as python-hcl2 gives it: marker, newline, no trailing blanks
            candidate = f'"<<{opening[1]}{opening[2]}\n{text[opening.end():end]}"'
        elif (number := _NUMBER.match(text, start)) is not None:
            candidate, end = (float if number[1] or number[2] else int)(number.group()), number.end()
        elif (word := _NAME.match(text, start)) is not None:
            candidate, end = _KEYWORDS.get(word.group(), word.group()), word.end()
        else:
            return self.expression(start, enders)
        if "\n" in enders:  # an attribute or object item: ends with its line
            stop = _INLINE.match(text, end).end()
            if stop >= n or text[stop] in enders or text.startswith(("#", "//", "/*"), stop):
                return candidate, stop
        else:  # a list element: the next separator may be lines away
            stop = _GAP.match(text, end).end()
            if stop < n and text[stop] in enders:
                return candidate, stop
        return self.expression(start, enders)  # more follows: an operation, an index, a call …

    def collection(self, start: int, depth: int) -> tuple[Any, int] | None:
        """A list or object constructor of values at ``start``, or None for a ``for`` expression."""
        text = self.text
        pos = _GAP.match(text, start + 1).end()
        if text.startswith("for", pos) and not _NAME.match(text, pos + 3):
            return None
        if text[start] == "[":
            items: list[Any] = []
            while True:
                pos = _GAP.match(text, pos).end()
                if text.startswith("]", pos):
                    return items, pos + 1
                item, pos = self.value(pos, ",]", depth + 1)  # at "," or "]", or the end
                items.append(item)
                if text.startswith(",", pos):
                    pos += 1
        obj: dict[str, Any] = {}
        while True:
            pos = _GAP.match(text, pos).end()
            if pos >= self.n:
                raise self.end_of_file("}")
            if text[pos] == "}":
                return obj, pos + 1
            key, pos = self.object_key(pos)
            obj[key], pos = self.value(pos, ",\n}", depth + 1)  # at one of them, a comment or the end
            if text.startswith(",", pos):
                pos += 1

    def object_key(self, pos: int) -> tuple[str, int]:
        """An object key in source form and the position after its ``=`` / ``:``."""
        text = self.text
        if text[pos] == '"':
            end = self.string_end(pos + 1)
            key = text[pos:end]
        else:
            word = _NAME.match(text, pos)
            if word is not None and not text.startswith((".", "[", "("), word.end()):
                key, end = word.group(), word.end()
            else:
                end = self.expression(pos, "=:")[1]
                key = "${" + text[pos:end].strip() + "}"
        end = _INLINE.match(text, end).end()
        if text.startswith(("==", "=>"), end) or not text.startswith(("=", ":"), end):
            raise self.unexpected(end)
        return key, end + 1

    def expression(self, start: int, enders: str) -> tuple[str, int]:
        """Any expression, as ``${source}``, checked token by token (see `scan`)."""
        end = self.scan(start, enders)
        return "${" + self.text[start:end].strip() + "}", end

    def scan(self, pos: int, enders: str) -> int:
        """The end of the expression at ``pos``: the first of ``enders`` (or, with ``\\n`` among
        them, a comment) outside brackets.  Only tokens, strings and brackets are checked here:
        tfparse reports the rest (an operator without its operand …) with file and line."""
        text, n = self.text, self.n
        closers: list[str] = []
        origin = pos
        while True:
            if pos >= n:
                if closers:
                    raise self.end_of_file(closers[-1])
                return pos
            token = _TOKEN.match(text, pos)
            if token is None:
                raise self.unexpected(pos)
            kind, value = token.lastgroup, token.group()
            if not closers and ((len(value) == 1 and value in enders) or (kind == "comment" and "\n" in enders)):
                if pos == origin:
                    raise self.unexpected(pos) if kind != "newline" else self.problem(
                        "expected a value before the end of the line", pos)
                return pos
            if kind == "close":
                if not closers or closers[-1] != value:
                    raise self.unexpected(pos)
                closers.pop()
            elif kind == "open":
                if len(closers) >= MAX_DEPTH:
                    raise self.problem("nested too deeply", pos, column=False)
                closers.append(_CLOSER[value])
            elif kind == "string":
                pos = self.string_end(token.end())
                continue
            elif kind == "heredoc":
                pos = self.heredoc_end(pos, _HEREDOC_OPEN.match(text, pos))
                continue
            pos = token.end()

    def string_end(self, pos: int) -> int:
        """The position after the quote closing the string whose text starts at ``pos``."""
        text, opening = self.text, pos - 1
        self._templates += 1  # not undone on an error: the parse stops there
        if self._templates > MAX_DEPTH:
            raise self.problem("nested too deeply", opening, column=False)
        while True:
            pos = _STRING_TEXT.match(text, pos).end()
            if pos >= self.n or text[pos] in "\n\\":  # a backslash here: before a newline or the end
                raise self.problem("unterminated string", opening)
            if text[pos] == '"':
                self._templates -= 1
                return pos + 1
            # ${ or %{: an interpolation or a directive, up to its closing brace
            end = self.scan(pos + 2, "}")
            if end >= self.n:
                raise self.end_of_file("}")
            pos = end + 1

    def heredoc_end(self, start: int, opening: re.Match[str]) -> int:
        """The position after the closing marker of the heredoc opened at ``start``."""
        marker = re.compile(rf"^[ \t]*{re.escape(opening.group(2))}[ \t\r]*$", re.M)
        closing = marker.search(self.text, opening.end())
        if closing is None:
            raise self.problem(f"unexpected {self.text[start:opening.end()].strip()!r}", start)
        return closing.end()
