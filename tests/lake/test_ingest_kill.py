"""SIGKILL half-way through an ingest: the lake holds exactly what it held before, and still works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from conftest import ROOT, needs_data
from lake_testing import CUR_SAMPLE, FOCUS_SAMPLE, lake_digest

from plangate.lake.ingest import ingest

pytestmark = needs_data

# The child reports each file once it is read into the (uncommitted) transaction, then goes on with
# the next one; the test kills it as soon as the first is reported, so the kill lands mid-ingest.
CHILD = """
import sys
from plangate.lake.ingest import ingest
ingest(sys.argv[1], sys.argv[2:], on_file=lambda f: print("read", f.path, flush=True))
print("committed", flush=True)
"""


def big_copy(path, copies):
    """The real FOCUS sample repeated: many rows, same shape."""
    header, *rows = FOCUS_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(header)
        for _ in range(copies):
            handle.writelines(rows)
    return path


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_mid_ingest_leaves_the_lake_as_it_was(tmp_path):
    lake = tmp_path / "lake.duckdb"
    ingest(lake, [CUR_SAMPLE, FOCUS_SAMPLE])
    before = lake_digest(lake)
    big = big_copy(tmp_path / "big.csv", 120)  # 120,000 rows: far longer to load than a kill takes

    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(lake), str(CUR_SAMPLE), str(big)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    first = proc.stdout.readline()
    assert first.startswith("read "), first + proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    rest = proc.stdout.read()
    assert proc.wait() == -signal.SIGKILL
    assert "committed" not in rest  # killed before the commit, as intended

    assert lake_digest(lake) == before
    # and the lake is sound: the same ingest, let run, now commits
    report = ingest(lake, [CUR_SAMPLE])
    assert report.replaced_rows == 1281
    assert lake_digest(lake)["costs"][0] == before["costs"][0]
