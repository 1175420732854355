"""Progress on stderr only when stderr is a terminal: `scan` (per input) and `ingest` (per file)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from conftest import FIXTURES

PLANS = sorted(str(p) for p in (FIXTURES / "hcl_plan").rglob("*.json"))[:3]


def _bill(tmp_path) -> str:
    path = tmp_path / "bill.csv"
    rows = [f"{1 + i % 3},USD,2024-08-01 00:00:00,2024-09-01 00:00:00,2024-08-{1 + i % 28:02d} 00:00:00,"
            f"2024-08-{1 + i % 28:02d} 23:59:59,AWS,Lambda,123" for i in range(500)]
    path.write_text("BilledCost,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,"
                    "ChargePeriodEnd,ProviderName,ServiceName,BillingAccountId\n" + "\n".join(rows) + "\n")
    return str(path)


def _run(argv: list[str], cwd, *, tty: bool) -> tuple[int, str]:
    """Run plangate with stderr a pseudo-terminal (``tty``) or a pipe; stdout is always a file."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("CI", None)  # rich draws nothing interactive when it believes it runs in CI
    out = open(cwd / "stdout.txt", "w")  # noqa: SIM115 (closed below)
    if not tty:
        done = subprocess.run([sys.executable, "-m", "plangate", *argv], cwd=cwd, stdout=out,
                              stderr=subprocess.PIPE, env=env, timeout=300)
        out.close()
        return done.returncode, done.stderr.decode()
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "plangate", *argv], cwd=cwd, stdout=out, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal's other side closed: the command ended
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    out.close()
    return proc.wait(timeout=300), b"".join(chunks).decode(errors="replace")


@pytest.fixture
def plans():
    assert PLANS, "no plan fixture"
    return PLANS


def test_scan_shows_per_input_progress_on_a_terminal_only(tmp_path, plans):
    code, err = _run(["scan", *plans, "-o", "report.txt", "--soft-fail"], tmp_path, tty=True)
    assert code == 0, err
    assert "reading inputs" in err and f"{len(plans)}/{len(plans)}" in err
    assert os.path.basename(plans[-1]) in err
    code, err = _run(["scan", *plans, "-o", "report.txt", "--soft-fail"], tmp_path, tty=False)
    assert code == 0
    assert "reading inputs" not in err and "\x1b[" not in err and err.startswith("plangate: ")
    code, err = _run(["scan", *plans, "-o", "report.txt", "--soft-fail", "--progress", "never"], tmp_path, tty=True)
    assert "reading inputs" not in err


def test_ingest_shows_a_bar_on_a_terminal_only(tmp_path):
    bill = _bill(tmp_path)
    code, err = _run(["ingest", bill, "--lake", "lake.duckdb"], tmp_path, tty=True)
    assert code == 0, err
    assert "ingest bill.csv" in err and "%" in err
    code, err = _run(["ingest", bill, "--lake", "lake.duckdb"], tmp_path, tty=False)
    assert code == 0 and err == ""


