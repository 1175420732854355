"""What every subcommand shares: exit codes, the one-line usage error, output and dates."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: one line, exit 2
        from plangate.errors import one_line

        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {one_line(message)}\n")


def emit(text: str, output: str | None) -> None:
    """``text`` to ``output`` (whole or not at all), or to stdout."""
    if output:
        from plangate.atomic import write_text

        write_text(output, text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def add_command(sub: argparse._SubParsersAction, doc: str | None) -> argparse.ArgumentParser:
    r"""A subcommand described once, by its module's docstring: the first paragraph
    ``\`\`plangate NAME\`\`: help.`` names it and gives the one-line help, the rest is its description."""
    head, _, body = (doc or "").strip().partition("\n\n")
    command, _, summary = head.partition(": ")
    name = command.strip("`").removeprefix("plangate ")
    # argparse %-formats a command's help, not its description
    help_text = " ".join(summary.split()).rstrip(".").replace("%", "%%")
    return sub.add_parser(name, help=help_text, description=" ".join(body.split()) or None)


def warn(text: str) -> None:
    """One ``plangate: warning:`` line on stderr: something the user should know that is not an error."""
    from plangate.errors import one_line

    print(f"plangate: warning: {one_line(text)}", file=sys.stderr)


@contextmanager
def numeric_warnings() -> Iterator[None]:
    """Warnings of the numeric core, in our words: a `DegenerateWarning`
    (`plangate.analytics.degenerate`) becomes one `warn` line, each message once; a raw
    ``RuntimeWarning`` from numpy, pandas or scipy (a case nobody foresaw) becomes one line saying
    where it arose instead of the library's text and source line.  Other warnings pass through."""
    import warnings

    said: set[str] = set()
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        # looked up, not imported: a scan never loads plangate.analytics (tests/analytics/test_outliers.py)
        degenerate = sys.modules.get("plangate.analytics.degenerate")
        if degenerate is not None and issubclass(category, degenerate.DegenerateWarning):
            text = str(message)
        elif issubclass(category, RuntimeWarning):
            where = filename.replace("\\", "/").rsplit("/site-packages/", 1)[-1].rsplit("/plangate/", 1)[-1]
            text = f"numeric trouble in {where}: {message} (an input nobody foresaw; values shown n/a are affected)"
        else:
            shown(message, category, filename, lineno, file, line)
            return
        if text not in said:
            said.add(text)
            warn(text)

    with warnings.catch_warnings():
        # every time, not once per place: a second run in one process (tests) says it again
        warnings.filterwarnings("always", category=UserWarning, module=r"plangate\.")
        warnings.showwarning = show
        yield


def today(value: str | None) -> dt.date:
    """The date waivers and budgets are judged on: ``--today`` when given (tests pin it)."""
    from plangate.errors import PlangateError

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PlangateError(f"--today: expected YYYY-MM-DD, got {value!r}") from None


def add_input_format(p: argparse.ArgumentParser) -> None:
    """The options that say what to read: ``--input-format`` and ``--skip-path``."""
    p.add_argument("--input-format", choices=_InputFormats(), dest="input_format", metavar="FORMAT",
                   help="force the input format instead of detecting it: %(choices)s (docs/input-formats.md)")
    p.add_argument("--skip-path", dest="skip_path", action="append", default=[], metavar="REGEX",
                   help="skip files and folders below the given folders whose path (relative to the working "
                        "directory) matches REGEX, as Checkov's --skip-path does; repeatable")


class _InputFormats:
    """The registered input formats' names (`plangate.loaders.formats`), asked for only when
    argparse checks a value or prints help: building a parser loads no loader."""

    def __contains__(self, name: object) -> bool:
        from plangate.loaders.formats import REGISTRY

        return name in REGISTRY

    def __iter__(self) -> Iterator[str]:
        from plangate.loaders.formats import REGISTRY

        return iter(REGISTRY)


def add_audit_log(p: argparse.ArgumentParser) -> None:
    """``--audit-log FILE``: every command that decides something takes it."""
    p.add_argument("--audit-log", dest="audit_log", metavar="FILE",
                   help="append this decision to the audit log FILE (check it with `plangate audit verify`)")


def record_decision(args: argparse.Namespace, command: str, inputs: Sequence[str],
                    result: Mapping[str, Any]) -> None:
    """Append one decision to ``--audit-log`` when it was given: the command, the digests of
    its input files, and ``result`` (verdicts, counts, rule ids — never secret values)."""
    path = getattr(args, "audit_log", None)
    if not path:
        return
    from plangate.audit.record import append_decision

    append_decision(path, command=command, inputs=inputs, result=result)


def conclude(args: argparse.Namespace, command: str, text: str, inputs: Sequence[str],
             result: Mapping[str, Any], failed: bool) -> int:
    """The end of a report command: write the report, record the decision, and exit 1 only when
    ``failed`` (the command's --fail-on-... flag was given and its condition holds)."""
    emit(text, args.output)
    record_decision(args, command, inputs, result)
    return EXIT_VIOLATIONS if failed else EXIT_OK


def _number(text: str, convert: Callable[[str], Any], accept: Callable[[Any], bool], form: str, bound: str) -> Any:
    """The one home of numeric argparse types: ``convert`` the text, then check it lies in range."""
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {form}, got {text!r}") from None
    if not accept(value):
        raise argparse.ArgumentTypeError(f"expected {bound}, got {text!r}")
    return value


def amount(text: str) -> float:
    """An argparse type: a finite number >= 0 (dollars, percents, thresholds)."""
    return _number(text, float, lambda v: v >= 0 and math.isfinite(v), "a number >= 0", "a finite number >= 0")


def finite(text: str) -> float:
    """An argparse type: any finite number."""
    return _number(text, float, math.isfinite, "a number", "a finite number")


def share(text: str) -> float:
    """An argparse type: a number between 0 and 1."""
    return _number(text, float, lambda v: 0 <= v <= 1, "a number between 0 and 1", "a number between 0 and 1")


def count(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    return _number(text, int, lambda v: v >= 0, "a whole number", "a whole number >= 0")


def add_report_output(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """``-f/--format`` (default table), ``-o/--output`` and ``--audit-log``: the tail every report command shares."""
    p.add_argument("-f", "--format", choices=formats, default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", help="write the report to FILE (atomically)")
    add_audit_log(p)


def add_lake_reading(p: argparse.ArgumentParser) -> None:
    """``--engine``, ``--lock-timeout`` and ``--cost``: how a command reads the billing lake."""
    add_lake_access(p)
    p.add_argument("--cost", default="BilledCost", help="cost column (default BilledCost)")


def add_lake_access(p: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--lock-timeout``: how a command opens the lake."""
    add_engine(p)
    add_lock_timeout(p)


def add_engine(p: argparse.ArgumentParser) -> None:
    """``--engine``: the engine reading the lake (`plangate.lake.open_lake`)."""
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                   help="engine reading the lake (default duckdb; spark: a local session, Java needed)")


def add_lock_timeout(p: argparse.ArgumentParser) -> None:
    """``--lock-timeout``: how long to wait for a lake another process holds (plangate.lake.lock)."""
    p.add_argument("--lock-timeout", dest="lock_timeout", type=amount, metavar="SECONDS",
                   help="wait this long for a lake another process holds locked "
                        "(default: $PLANGATE_LOCK_TIMEOUT, else 30)")


def iso_date(text: str) -> dt.date:
    """An argparse type: a day as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def named_path(text: str) -> tuple[str, str]:
    """An argparse type: ``NAME=FILE`` (a function, endpoint or alias name and its evidence file)."""
    name, sep, path = text.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=FILE, got {text!r}")
    return name.strip(), path.strip()
