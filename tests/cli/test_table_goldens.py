"""Goldens of the scan table at 80 and 120 columns, printed to a pipe (width from $COLUMNS) and
to a pseudo-terminal (width from the terminal, colours on).

Regenerate after an intended change, then review the diff:
    PLANGATE_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/cli/test_table_goldens.py
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest
from conftest import GOLDEN, ROOT

GOLDENS = GOLDEN / "table"
UPDATE = os.environ.get("PLANGATE_UPDATE_GOLDENS") == "1"
ARGS = ["-m", "plangate", "scan", "examples/terraform-plan/plan.json", "-c", "examples/plangate.yaml",
        "--today", "2026-11-28"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "PLANGATE_DOCS_URL")}
    return {**env, "TERM": "xterm-256color", **extra}


def _piped(columns: int) -> str:
    proc = subprocess.run([sys.executable, *ARGS], capture_output=True, text=True, cwd=ROOT,
                          env=_env(COLUMNS=str(columns)))
    assert proc.returncode == 1, proc.stderr
    return proc.stdout


def _on_a_terminal(columns: int) -> str:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, *ARGS], stdout=follower, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, cwd=ROOT, env=_env())
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 1, proc.stderr.read()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("where", ["pipe", "pty"])
def test_table_golden(columns, where):
    text = _piped(columns) if where == "pipe" else _on_a_terminal(columns)
    path = GOLDENS / f"plan.{columns}.{where}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}: run PLANGATE_UPDATE_GOLDENS=1 pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path} is stale: review, then PLANGATE_UPDATE_GOLDENS=1 .venv/bin/python -m pytest {__file__}")


@pytest.mark.parametrize("columns", [80, 120])
def test_the_width_is_honoured_and_no_address_or_path_is_broken(columns):
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", _on_a_terminal(columns))
    lines = plain.splitlines()
    for line in lines[:-1]:  # the summary is one line, whatever the width
        assert len(line) <= columns or " " not in line.strip(), line
    for token in ("aws_sagemaker_endpoint_configuration.fraud", "examples/terraform-plan/plan.json:492"):
        assert any(token in line for line in lines), token
    assert "\x1b[" in _on_a_terminal(columns)  # colours on a terminal
    assert "\x1b[" not in _piped(columns)
