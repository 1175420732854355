"""``plangate rules``: the rule catalogue as a table, one rule in full, JSON, or the Markdown of
docs/rules.md."""

from __future__ import annotations

import argparse

from plangate.cli.common import EXIT_OK, emit

FORMATS = ("table", "markdown", "json")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list the rule catalogue, or show rules in full")
    p.add_argument("ids", nargs="*", metavar="ID", help="show these rules in full (ids or slugs)")
    p.add_argument("-f", "--format", choices=FORMATS, default=None,
                   help="table (default), markdown (docs/rules.md) or json")
    p.add_argument("--markdown", action="store_true", help="the full catalogue as Markdown (= -f markdown)")
    p.add_argument("-o", "--output", help="write to FILE (atomically), e.g. docs/rules.md")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate import rule_catalogue as catalogue
    from plangate.errors import PlangateError
    from plangate.rules import all_rules

    fmt = "markdown" if args.markdown and args.format is None else (args.format or "table")
    rules = list(all_rules())
    if args.ids:
        index = {key: r for r in rules for key in (r.id, r.id.lower(), r.slug)}
        missing = [i for i in args.ids if i not in index]
        if missing:
            raise PlangateError(f"no rule {missing[0]!r} (see `plangate rules`)")
        rules = [index[i] for i in args.ids]
    if fmt == "json":
        text = catalogue.as_json(rules)
    elif fmt == "markdown" and not args.ids:
        text = catalogue.markdown(rules)
    else:
        text = catalogue.detail(rules) if args.ids else catalogue.table(rules)
    emit(text, args.output)
    return EXIT_OK
