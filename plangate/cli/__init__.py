"""``plangate`` command line.  Exit codes: 0 gate passed, 1 mandatory violations, 2 bad
input or usage (one line on stderr naming file, position and problem), 3 internal error.

One module per subcommand, each with ``register(subparsers)`` (which sets ``run`` as the
parser's default ``func``) and ``run(args) -> int``.  Command modules import only the
standard library at the top: ``plangate --version`` and parser building load nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from plangate.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_VIOLATIONS, Parser, numeric_warnings

__all__ = ["COMMANDS", "EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_VIOLATIONS", "main"]

#: The subcommands, in the order ``plangate --help`` lists them (module names under plangate.cli).
COMMANDS = ("scan", "cost", "rules", "init", "audit", "evidence", "drift", "fairness", "assure", "ingest",
            "anomalies", "forecast", "waste", "coverage", "prices", "export", "suggest")


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser.  When ``argv`` starts with a subcommand, only that one is
    registered: importing and building all seventeen costs every run about 15 ms, and a
    subcommand's own parser (its usage, help and errors) is the same either way."""
    from plangate import __version__

    p = Parser(prog="plangate", description="Plan-time FinOps and responsible-AI guardrails.")
    p.add_argument("--version", action="version", version=f"plangate {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    wanted = argv[0] if argv else None
    for name in (wanted,) if wanted in COMMANDS else COMMANDS:
        importlib.import_module(f"plangate.cli.{name}").register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser(argv).parse_args(argv)
    from plangate.errors import PlangateError, one_line

    try:
        with numeric_warnings():  # numpy's RuntimeWarnings never reach stderr raw
            return args.func(args)
    except PlangateError as exc:
        print(f"plangate: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ModuleNotFoundError as exc:  # an extra not installed is the user's to fix (exit 2), not a bug
        from plangate.extras import install_hint

        hint = install_hint(exc.name or "", args.command)
        if hint is None or os.environ.get("PLANGATE_DEBUG"):
            return _internal_error(exc)
        print(f"plangate: error: {hint}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        return _internal_error(exc)


def _internal_error(exc: Exception) -> int:
    """A bug: say so in one line; the traceback only on request."""
    if os.environ.get("PLANGATE_DEBUG"):
        raise exc
    from plangate.errors import one_line

    print(f"plangate: internal error: {type(exc).__name__}: {one_line(exc)} "
          "(set PLANGATE_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
