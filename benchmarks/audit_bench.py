"""Audit log: appends per second and verify time for 1,000,000 entries, next to peers in the
same run.  Prints medians and ratios; asserts nothing.

Peers, on the same files in the same run:

- appends: a plain hash-chained JSON-lines appender doing the same locked, fsynced append
  (open, ``flock``, read the last line, write, ``fsync``) without the Merkle tree or the
  signed checkpoints — what the Merkle log costs over CloudTrail-style chaining;
- verify: (a) the same plain hash-chain check (parse each line, SHA-256, compare ``prev``),
  (b) pymerkle 7 (an independent RFC 9162 implementation, run in .venv-peers) computing the
  tree head of the same entries; plangate's verify does both jobs and checks every
  checkpoint's Ed25519 signature.

    .venv/bin/python benchmarks/audit_bench.py [--entries 1000000] [--appends 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from processes import median_time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"

RECORD = {"command": "scan", "plangate_version": "0.1.0",
          "inputs": [{"path": "plan.json", "type": "file", "sha256": "ab" * 32}],
          "result": {"exit_code": 1, "outcomes": {"violation": 2},
                     "findings": [{"rule": "PG-TAG-001", "address": "aws_lambda_function.f", "outcome": "violation",
                                   "message": "missing tags: cost-center"}]}}

PYMERKLE = """
import sys, time
from pymerkle import InmemoryTree
lines = open(sys.argv[1], "rb").read().split(b"\\n")[:-1]
entries = [l for l in lines if l.startswith(b'{"kind":"entry"')]
start = time.perf_counter()
tree = InmemoryTree(algorithm="sha256")
for e in entries:
    tree.append_entry(e)
root = tree.get_state().hex()
print(time.perf_counter() - start, len(entries), root)
"""



def chain_append(path: str, record: dict) -> None:
    """The peer appender: hash chain only, the same lock and fsync."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        prev = "0" * 64
        if size:
            tail = os.pread(fd, min(size, 1 << 16), max(0, size - (1 << 16)))
            prev = hashlib.sha256(tail[:-1].rsplit(b"\n", 1)[-1]).hexdigest()
        line = json.dumps({"prev": prev, "record": record}, sort_keys=True, separators=(",", ":")).encode()
        os.write(fd, line + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)


def chain_verify(path: str) -> int:
    prev, n = "0" * 64, 0
    with open(path, "rb") as handle:
        for raw in handle:
            line = raw[:-1]
            if json.loads(line)["prev"] != prev:
                raise SystemExit(f"chain broken at line {n + 1}")
            prev = hashlib.sha256(line).hexdigest()
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--appends", type=int, default=2000, help="single appends timed (each locked and fsynced)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from plangate.audit import keys, log

    with tempfile.TemporaryDirectory() as tmp:
        key = keys.generate(os.path.join(tmp, "k.pem"))

        # 1. single appends, each its own process-safe transaction
        counter = iter(range(10**9))

        def ours():
            path = os.path.join(tmp, f"ours{next(counter)}.jsonl")
            for _ in range(args.appends):
                log.append(path, [RECORD], key=key, every=64)

        def peer():
            path = os.path.join(tmp, f"chain{next(counter)}.jsonl")
            for _ in range(args.appends):
                chain_append(path, RECORD)

        t_ours, t_peer = median_time(ours, args.runs), median_time(peer, args.runs)
        print(f"single appends ({args.appends}, locked + fsync each, checkpoint every 64; median of {args.runs}):")
        print(f"  plangate audit log   {args.appends / t_ours:10,.0f} appends/s")
        print(f"  plain hash chain     {args.appends / t_peer:10,.0f} appends/s")
        print(f"  ratio (plangate time / chain time) {t_ours / t_peer:.2f}x")

        # 2. a log of --entries entries, written in one batch (one lock, one fsync)
        big = os.path.join(tmp, "big.jsonl")
        start = time.perf_counter()
        log.append(big, (RECORD for _ in range(args.entries)), key=key, every=64)
        t_batch = time.perf_counter() - start
        log.checkpoint(big, key)  # the last line signs the whole log
        size_mb = os.path.getsize(big) / 1e6
        print(f"batch append of {args.entries:,} entries: {t_batch:.1f} s ({args.entries / t_batch:,.0f} appends/s), "
              f"{size_mb:,.0f} MB with {args.entries // 64:,} signed checkpoints")

        report = log.verify(big, public_key=key.public_key())
        assert report.intact and report.entries == args.entries, report.summary()
        t_verify = median_time(lambda: log.verify(big, public_key=key.public_key()), args.runs)
        t_chain = median_time(lambda: chain_verify(big), args.runs)
        print(f"verify {args.entries:,} entries (median of {args.runs}):")
        print(f"  plangate audit verify (chain + tree + signatures) {t_verify:8.2f} s")
        print(f"  plain hash-chain verify                           {t_chain:8.2f} s"
              f"   ratio {t_verify / t_chain:.2f}x")
        if PEERS_PYTHON.exists():
            runs = []
            for _ in range(args.runs):
                run = subprocess.run([str(PEERS_PYTHON), "-W", "ignore", "-c", PYMERKLE, big],
                                     capture_output=True, text=True)
                if run.returncode:
                    print(f"  pymerkle failed in .venv-peers: {run.stderr.strip().splitlines()[-1:]}")
                    return
                out = run.stdout.split()
                runs.append(float(out[0]))
            last = json.loads(Path(big).read_bytes().rsplit(b"\n", 2)[-2])
            same = "same root" if out[2] == last["root"] else f"ROOT DIFFERS ({out[2]} vs {last['root']})"
            t_pm = statistics.median(runs)
            print(f"  pymerkle 7 tree head only (in .venv-peers)        {t_pm:8.2f} s"
                  f"   ratio {t_verify / t_pm:.2f}x  ({same} as the last checkpoint)")
        else:
            print("  pymerkle: .venv-peers missing, skipped (make .venv-peers/.installed)")


if __name__ == "__main__":
    main()
