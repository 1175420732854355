"""Each subcommand is described once, by its module's docstring (`cli.common.add_command`)."""

from __future__ import annotations

import argparse

from plangate.cli import parser
from plangate.cli.common import add_command


def test_a_docstring_gives_name_help_and_description():
    sub = argparse.ArgumentParser().add_subparsers()
    p = add_command(sub, '''``plangate demo``: do a thing at 80 %.

    What it does, over
    two lines.
    ''')
    assert p.prog.endswith(" demo") and p.description == "What it does, over two lines."
    (action,) = sub._choices_actions
    assert (action.dest, action.help) == ("demo", "do a thing at 80 %%")  # argparse then prints one %


def test_every_command_has_help_and_no_docstring_markup():
    sub = next(a for a in parser([])._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert set(helps) == set(sub.choices)
    assert all(text and "``" not in text and not text.endswith(".") for text in helps.values()), helps
    assert all("``" not in (p.description or "") for p in sub.choices.values())
