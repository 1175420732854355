"""Inputs the statistics answer only by convention, said in words.

A constant column, a group without a positive label, a scope that spent nothing: the numbers are
still reported (as the peers compute them: Evidently's p = 1 for one value in both windows,
Fairlearn's rate 0 for a group without positives), but the user is told once, naming the column
or group, with a `DegenerateWarning`.  The core only raises the warning; the command line
(`plangate.cli.common.numeric_warnings`) prints it as one ``plangate: warning:`` line, and turns
any raw numpy / pandas / scipy ``RuntimeWarning`` that still escapes into such a line too.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as seen:
...     warnings.simplefilter("always")
...     degenerate("feature 'x' holds one value")
>>> [str(w.message) for w in seen]
["feature 'x' holds one value"]
"""

from __future__ import annotations

import warnings


class DegenerateWarning(UserWarning):
    """An expected degenerate case: the result holds by convention, and the message says which."""


def degenerate(message: str) -> None:
    """Tell the user, once, that ``message`` (naming the column, group or series) holds."""
    warnings.warn(message, DegenerateWarning, stacklevel=2)
