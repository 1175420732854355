"""``plangate rules``: the rule catalogue, as a table or as the Markdown of docs/rules.md."""

from __future__ import annotations

import argparse

from plangate.cli.common import EXIT_OK, emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list the rule catalogue")
    p.add_argument("--markdown", action="store_true", help="the full catalogue as Markdown")
    p.add_argument("-o", "--output", help="write to FILE (atomically), e.g. docs/rules.md")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate import catalogue
    from plangate.rules import RULES

    text = catalogue.markdown(RULES) if args.markdown else catalogue.table(RULES)
    emit(text, args.output)
    return EXIT_OK
