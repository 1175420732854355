"""Errors the user can act on: one line naming the file, the position and the problem."""

from __future__ import annotations


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
