"""Errors the user can act on: one line naming the file, the position and the problem."""

from __future__ import annotations

import re


class PlangateError(Exception):
    """Bad input or usage (exit code 2).  ``str()`` is the one line the CLI prints."""


class InputError(PlangateError):
    def __init__(self, file: str, problem: str, line: int | None = None, column: int | None = None):
        self.file, self.problem, self.line, self.column = file, problem, line, column
        where = file
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {problem}")


class ConfigError(PlangateError):
    """A bad plangate.yaml, waiver, usage or price file; the text names file and key."""


def one_line(text: object) -> str:
    """``text`` as one terminal-safe line: a character that would start a line (``\\n``, ``\\x0b``,
    ``\\u2028`` …) or drive the terminal (``\\x1b``) — from a file name or a CSV header the user
    gave — is shown escaped, as Python writes it.

    >>> one_line("header: a\\x0bb, \\x1b[31mred")
    'header: a\\\\x0bb, \\\\x1b[31mred'
    """
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(text))


def first_line(error: BaseException | str, default: str = "") -> str:
    """The first non-blank line of an error's text, for a one-line message: YAML, CSV and
    DuckDB errors run to several lines (and some have none: then ``default``, or the type).

    >>> first_line(ValueError("while parsing a mapping\\n  in <unicode string>, line 2"))
    'while parsing a mapping'
    >>> first_line(KeyError()), first_line("", "cannot parse")
    ('KeyError', 'cannot parse')
    """
    text = error if isinstance(error, str) else str(error)
    fallback = default or ("" if isinstance(error, str) else type(error).__name__)
    return next((line.strip() for line in text.splitlines() if line.strip()), fallback)


def redacted_first_line(error: BaseException) -> str:
    """`first_line` without the cell values a data library quotes (Arrow: "Expected 3 columns,
    got 2: 4.25,abc"): a row of a table may hold personal data.

    >>> redacted_first_line(ValueError("CSV parse error: Expected 3 columns, got 2: 4.25,abc"))
    'CSV parse error: Expected 3 columns, got 2'
    >>> redacted_first_line(ValueError("could not convert 'alice' to double"))
    "could not convert '…' to double"
    """
    text = re.sub(r"(got \d+)\s*:.*", r"\1", first_line(error))
    return re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)[:300]
