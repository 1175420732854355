"""``plangate`` command line.  Exit codes: 0 gate passed, 1 mandatory violations, 2 bad
input or usage (one line on stderr naming file, position and problem), 3 internal error.

Imports are lazy: ``plangate --version`` loads nothing beyond this module.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
SCAN_FORMATS = ("table", "json", "sarif", "junit", "markdown")
INPUT_FORMATS = ("tfplan", "hcl", "pulumi-preview", "pulumi-state", "k8s")
COST_FORMATS = ("table", "markdown", "json", "infracost-json")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: one line, exit 2
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    from plangate import __version__

    p = _Parser(prog="plangate", description="Plan-time FinOps and responsible-AI guardrails.")
    p.add_argument("--version", action="version", version=f"plangate {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = sub.add_parser("scan", help="evaluate the rules on plans, previews, HCL or manifests")
    scan.add_argument("paths", nargs="+", metavar="PATH",
                      help="plan JSON, Pulumi preview / state JSON, a .tf directory, YAML, or a folder")
    scan.add_argument("--input-format", choices=INPUT_FORMATS, dest="input_format",
                      help="force the input format instead of detecting it")
    scan.add_argument("-f", "--format", choices=SCAN_FORMATS, default=None,
                      help="report format (default: table)")
    scan.add_argument("-o", "--output", help="write the report to FILE (atomically)")
    scan.add_argument("-c", "--config", help="policy file (default: ./plangate.yaml if present)")
    scan.add_argument("--today", help=argparse.SUPPRESS)  # pin the date waivers are judged on
    scan.add_argument("--color", action="store_true", help="colour the table even when piped")

    cost = sub.add_parser("cost", help="estimate monthly cost (breakdown, rollups, delta) and check budgets")
    cost.add_argument("paths", nargs="+", metavar="PATH",
                      help="plan JSON, Pulumi preview / state JSON, or a .tf directory")
    cost.add_argument("--input-format", choices=INPUT_FORMATS, dest="input_format",
                      help="force the input format instead of detecting it")
    cost.add_argument("-f", "--format", choices=COST_FORMATS, default="table",
                      help="output format (default: table)")
    cost.add_argument("-o", "--output", help="write to FILE (atomically)")
    cost.add_argument("--usage-file", dest="usage_file",
                      help="usage assumptions in Infracost's usage-file shape")
    cost.add_argument("--by", action="append", default=[], metavar="TAG",
                      help="roll costs up by the values of tag TAG (repeatable)")
    cost.add_argument("--compare-to", dest="compare_to", metavar="BASE",
                      help="plan / preview / HCL to compare with: the monthly delta of the change")
    cost.add_argument("--region", help="region for resources that name none "
                                       "(default: the plan's region, else us-east-1)")
    cost.add_argument("--prices", help="price table CSV (default: the one shipped with plangate)")
    cost.add_argument("-c", "--config", help="policy file with budget rules (default: ./plangate.yaml)")
    cost.add_argument("--today", help=argparse.SUPPRESS)
    cost.add_argument("--generated-at", dest="generated_at", help=argparse.SUPPRESS)

    rules = sub.add_parser("rules", help="list the rule catalogue")
    rules.add_argument("--markdown", action="store_true", help="the full catalogue as Markdown")
    rules.add_argument("-o", "--output", help="write to FILE (atomically), e.g. docs/rules.md")
    return p


def _emit(text: str, output: str | None) -> None:
    if output:
        from plangate.atomic import write_text

        write_text(output, text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _today(value: str | None):
    import datetime as dt

    from plangate.errors import PlangateError

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PlangateError(f"--today: expected YYYY-MM-DD, got {value!r}") from None


def _scan(args: argparse.Namespace) -> int:
    from plangate import engine, loaders, policy
    from plangate.report import render
    from plangate.rules import RULES

    pol = policy.load(args.config, RULES)
    resources = loaders.load_all(args.paths, args.input_format)
    pol = _with_inline_skips(pol, args.paths, resources)
    result = engine.scan(resources, pol, list(args.paths), _today(args.today))
    fmt = args.format or "table"
    color = args.color or (fmt == "table" and not args.output and sys.stdout.isatty())
    _emit(render(result, fmt, color=color), args.output)
    return result.exit_code


def _cost(args: argparse.Namespace) -> int:
    from plangate.cost.command import run

    text, code = run(args, _today(args.today))
    _emit(text, args.output)
    return code


def _with_inline_skips(pol, paths, resources):
    """Honour (and list) `#checkov:skip=CKV_PG_…` comments in scanned .tf sources, so the
    scanner and Checkov agree on what is waived."""
    if not any(r.source_format == "hcl" for r in resources):
        return pol
    import dataclasses

    from plangate.checkov_suppressions import as_waivers, suppressions_in
    from plangate.rules import BY_ID

    found = [s for p in paths if os.path.isdir(p) or str(p).endswith(".tf") for s in suppressions_in(p)]
    return dataclasses.replace(pol, waivers=(*pol.waivers, *as_waivers(found, BY_ID)))


def _rules(args: argparse.Namespace) -> int:
    from plangate import catalogue
    from plangate.rules import RULES

    text = catalogue.markdown(RULES) if args.markdown else catalogue.table(RULES)
    _emit(text, args.output)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from plangate.errors import PlangateError

    try:
        commands = {"scan": _scan, "cost": _cost, "rules": _rules}
        return commands[args.command](args)
    except PlangateError as exc:
        print(f"plangate: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: say so in one line; the traceback only on request
        if os.environ.get("PLANGATE_DEBUG"):
            raise
        print(f"plangate: internal error: {type(exc).__name__}: {exc} "
              "(set PLANGATE_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
