"""``plangate init``: write a commented plangate.yaml with every rule's defaults, generated from
the registry, so a team starts from the real settings instead of the docs.

The file never drifts from the code: each rule's enforcement and settings come from its
declaration (`plangate.settings.schema`), and `plangate scan -c plangate.yaml` on the fresh file
behaves exactly as with no policy file.  An existing file is kept unless ``--force``.
"""

from __future__ import annotations

import argparse

from plangate.cli.common import EXIT_OK, emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="write a commented plangate.yaml with every rule's defaults")
    p.add_argument("path", nargs="?", default="plangate.yaml", metavar="PATH",
                   help="where to write it (default: ./plangate.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os
    import sys

    from plangate.errors import PlangateError
    from plangate.rules import RULES

    if os.path.lexists(args.path) and not args.force:
        raise PlangateError(f"{args.path}: already exists (use --force to overwrite it)")
    emit(policy_text(RULES), args.path)
    print(f"plangate: wrote {args.path} ({len(RULES)} rules at their defaults)", file=sys.stderr)
    return EXIT_OK


def _value(value: object) -> str:
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=False, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def policy_text(rules) -> str:
    """The commented YAML: every rule, its enforcement and each setting's default and meaning."""
    from plangate import __version__
    from plangate import settings as settings_mod

    out = [
        f"# plangate policy, written by `plangate init` (plangate {__version__}) from the rule registry.",
        "# Every rule is listed at its defaults: change what your organisation needs and delete the",
        "# rest (a rule or setting left out keeps its default). `plangate rules ID` explains a rule.",
        "",
        "# What an answer that is only known after apply means: warn (report it) or deny (fail the gate).",
        "on_unknown: warn",
        "",
        "rules:",
    ]
    for r in rules:
        out.append(f"  # {r.id} ({r.severity.value}, {r.category}): {r.title}")
        out.append(f"  {r.slug}:")
        if r.locked:
            out.append("    # always mandatory: a prohibited practice cannot be lowered or waived")
        out.append(f"    enforcement: {r.enforcement.value}  # mandatory | advisory | disabled")
        for name, prop in settings_mod.schema(r.settings_type).items():
            if prop["description"]:
                out.append(f"    # {prop['description']}")
            out.append(f"    {name}: {_value(prop['default'])}")
    out += [
        "",
        "# Waivers: a finding that is accepted for a while, with an owner and an expiry date, e.g.",
        "#  - rule: api-route-auth",
        "#    resource: \"aws_apigatewayv2_route.health*\"",
        "#    reason: public health check, no model behind it",
        "#    owner: platform-team",
        "#    expires: 2027-06-30",
        "waivers: []",
    ]
    return "\n".join(out) + "\n"
