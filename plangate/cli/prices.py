"""``plangate prices import FILE``: turn an AWS Price List bulk offer CSV (any service) into
rows of plangate's price table, so prices are refreshed from AWS's own files."""

from __future__ import annotations

import argparse
import sys

from plangate.cli.common import EXIT_OK, emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prices", help="work with price tables (import AWS Price List offer files)")
    actions = p.add_subparsers(dest="prices_command", required=True, parser_class=type(p))
    imp = actions.add_parser("import", help="AWS Price List bulk offer CSV -> price table rows")
    imp.add_argument("file", metavar="FILE", help="an offer CSV (index.csv of any AWS service)")
    imp.add_argument("-o", "--output", help="write the table to FILE (atomically; default: stdout)")
    imp.add_argument("--source", help="URL to record as each row's source (default: the offer's AWS URL)")
    imp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate.cost import price_list
    from plangate.errors import InputError

    try:
        with open(args.file, encoding="utf-8-sig", newline="") as handle:
            result = price_list.convert(handle, args.file, args.source)
    except FileNotFoundError:
        raise InputError(args.file, "no such file") from None
    except IsADirectoryError:
        raise InputError(args.file, "is a directory, expected an AWS Price List offer CSV") from None
    except UnicodeDecodeError as exc:
        raise InputError(args.file, f"not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise InputError(args.file, f"cannot read: {exc.strerror or exc}") from None
    if not result.rows:
        raise InputError(args.file, f"no on-demand USD price of an AWS region in offer {result.offer} "
                                    "(nothing to import)")
    emit(price_list.render(result), args.output)
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items()))
    print(f"plangate: {len(result.rows)} prices from {result.offer} {result.version}"
          + (f" (skipped: {skipped})" if skipped else ""), file=sys.stderr)
    return EXIT_OK
