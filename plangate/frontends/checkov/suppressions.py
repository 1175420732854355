"""Checkov's inline suppressions in Terraform sources, for plangate's waiver report.

Checkov skips a check on a block when a line strictly inside the block carries
``checkov:skip=<id>[,<id>…][:<reason>]`` (also spelled ``bridgecrew:skip=`` and
``cortex:skip=``), usually as a ``#`` or ``//`` comment.  `find_suppressions` finds them the
same way, so a waiver report can list what Checkov runs skipped, with the reason given.

>>> text = '''resource "aws_s3_bucket" "logs" {
...   #checkov:skip=CKV_PG_TAG_001:legacy bucket, tagged by the account baseline
...   bucket = "logs"
... }'''
>>> [(s.address, s.check_id, s.reason, s.line) for s in find_suppressions(text, "main.tf")]
[('aws_s3_bucket.logs', 'CKV_PG_TAG_001', 'legacy bucket, tagged by the account baseline', 2)]
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plangate.loaders.source import SKIP_DIRS

_SKIP = re.compile(r"(?:checkov|bridgecrew|cortex):skip= *([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)(?::(.*))?")
_BLOCK = re.compile(
    r'^\s*(?:(resource|data)\s+"([^"]+)"\s+"([^"]+)"|(module)\s+"([^"]+)")\s*\{'
)
_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_]\w*)\s*$")
NO_REASON = "No comment provided"  # what Checkov records when the reason is left out


@dataclass(frozen=True)
class Suppression:
    address: str  # in the module the file belongs to, e.g. aws_s3_bucket.logs, module.api
    check_id: str  # as written, e.g. CKV_PG_TAG_001 or CKV_AWS_50
    reason: str
    file: str
    line: int

    @property
    def rule_id(self) -> str | None:
        """The plangate rule the suppressed check stands for (None for Checkov's own)."""
        return _rule_id_of(self.check_id)


def _blocks(lines: list[str]) -> Iterator[tuple[str, int, int]]:
    """(address, first line, last line) of each top-level resource / data / module block."""
    index = 0
    while index < len(lines):
        match = _BLOCK.match(lines[index])
        if not match:
            index += 1
            continue
        if match.group(4):
            address = f"module.{match.group(5)}"
        else:
            kind, rtype, name = match.group(1, 2, 3)
            address = f"{'data.' if kind == 'data' else ''}{rtype}.{name}"
        end = _block_end(lines, index)
        yield address, index + 1, end + 1
        index = end + 1


def _block_end(lines: list[str], start: int) -> int:
    """Index of the line closing the block opened on ``lines[start]``."""
    depth, opened, heredoc = 0, False, None
    for index in range(start, len(lines)):
        line = lines[index]
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        opens, closes = _braces(line)
        depth += opens - closes
        opened = opened or opens > 0
        found = _HEREDOC.search(line)
        if found:
            heredoc = found.group(1)
        if opened and depth <= 0:
            return index
    return len(lines) - 1


_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"?|#.*|//.*')


def _braces(line: str) -> tuple[int, int]:
    """Opening and closing braces outside strings and comments."""
    code = _STRING_OR_COMMENT.sub("", line)
    return code.count("{"), code.count("}")


def find_suppressions(text: str, file: str) -> list[Suppression]:
    """Every inline suppression inside a resource, data or module block of one .tf file."""
    if _SKIP.search(text) is None:
        return []  # most files: no need to find the blocks
    lines = text.splitlines()
    found = []
    for address, first, last in _blocks(lines):
        for number in range(first + 1, last):  # strictly inside, as Checkov requires
            match = _SKIP.search(lines[number - 1])
            if not match:
                continue
            reason = (match.group(2) or "").strip() or NO_REASON
            for check_id in match.group(1).split(","):
                found.append(Suppression(address, check_id.strip(), reason, file, number))
    return found


def suppressions_in(path: str | os.PathLike[str]) -> list[Suppression]:
    """Inline suppressions in a .tf file or every .tf file below a directory."""
    root = Path(path)
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*.tf") if not SKIP_DIRS & set(p.relative_to(root).parts)
    )
    found = []
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        found.extend(find_suppressions(text, str(file)))
    return found


def as_waivers(suppressions: list[Suppression], rules_by_id: dict) -> list:
    """Suppressions of plangate's own check ids, as waivers the scanner honours and lists.

    An inline skip has no owner or expiry in the file: the waiver says so, and never expires
    (Checkov honours it for as long as the comment stands).  Locked rules are never waived.
    """
    import datetime as dt

    from plangate.waiver import Waiver

    out = []
    for s in suppressions:
        rule_id = _rule_id_of(s.check_id)
        rule = rules_by_id.get(rule_id) if rule_id else None
        if rule is None or rule.locked:
            continue
        out.append(Waiver(rule.id, s.address, f"inline {s.check_id} skip at {s.file}:{s.line}: {s.reason}",
                          "(inline comment)", dt.date.max, index=-1))
    return out


def _rule_id_of(check_id: str) -> str | None:
    from plangate.rules.checkov_ids import rule_id_of  # the id table: only when a suppression is found

    return rule_id_of(check_id)
