"""Four processes appending at once (each entry its own locked append, checkpoints between):
nothing lost, nothing duplicated, and the log verifies."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

from plangate.audit import keys, log

WRITER = """
import sys
from plangate.audit import keys, log
path, key, who, n = sys.argv[1], keys.load_private(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for i in range(n):
    log.append(path, [{"writer": who, "i": i}], key=key, every=7)
"""


def test_four_processes_lose_and_duplicate_nothing(tmp_path):
    path, keyfile = tmp_path / "audit.jsonl", tmp_path / "k.pem"
    key = keys.generate(str(keyfile))
    per = 150
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(keyfile), f"w{w}", str(per)])
             for w in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    report = log.verify(str(path), public_key=key.public_key())
    assert report.intact, report.summary()
    assert report.entries == 4 * per and report.checkpoints == (4 * per) // 7
    seen = Counter((r["record"]["writer"], r["record"]["i"]) for r in log.Log.read(str(path)).records())
    assert set(seen) == {(f"w{w}", i) for w in range(4) for i in range(per)}
    assert max(seen.values()) == 1
    # the writers really interleaved (else this test would not test the lock)
    order = [json.loads(x)["record"]["writer"] for x in path.read_text().splitlines() if '"entry"' in x]
    assert sum(a != b for a, b in zip(order, order[1:], strict=False)) > 4
