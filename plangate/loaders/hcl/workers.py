"""tfparse on several cores: the root modules of one scan evaluated side by side.

Why processes and not threads: tfparse's Go runtime reads ``GOGC`` only from the environment
its process started with, and at Go's default its collector takes a large share of the CPU on
module-heavy trees (terraform-aws-lambda's ``examples/build-package``, first evaluation in a
fresh process: 1.53 s wall / 2.1 s CPU at Go's default, 1.21 s / 1.3 s with the settings
below).  A worker starts with ``GOGC=off`` and ``GOMEMLIMIT=512MiB`` (unless the user set
either: theirs win), so Go collects only near that heap size, and the roots of a scan run in
parallel on the cores this process may use.  A worker that dies (a Go panic ends its
process) refuses its root, which the reader then reads, instead of ending the scan.

A small tree (below `WORTH_WORKERS`) runs its roots on threads of this process instead:
starting a worker costs more than it saves there, and cffi lets Go work outside the GIL.
``PLANGATE_HCL_WORKERS=N`` forces N workers for any tree of two roots or more, and ``0`` one
thread in this process (the order of evaluation of earlier releases).

Requests are one JSON line each on the worker's stdin; replies are a length-prefixed pickle
on its stdout (both ends are plangate, so nothing foreign is unpickled).
"""

from __future__ import annotations

import json
import os
import pickle
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from plangate.loaders.hcl import evaluate
from plangate.loaders.hcl.evaluate import Refused, first_line

#: The variable that forces the worker count (0: one thread in this process).
WORKERS = "PLANGATE_HCL_WORKERS"
# Go's collector settings for a worker, unless the user's environment sets them.
_GO_ENV = {"GOGC": "off", "GOMEMLIMIT": "512MiB"}
_LENGTH = 8
#: Below this much configuration (bytes, each local module call's folder counted per call) a
#: scan evaluates in this process: starting workers (about 50 ms) costs more than they save.
#: Measured: terraform-aws-apigateway-v2 (0.24 MB by this count) is 0.05 s slower with
#: workers; terraform-aws-lambda (4.6 MB) 1.8x faster.
WORTH_WORKERS = 1_000_000

#: How a worker is started (this module, run as a program).
COMMAND = [sys.executable, "-m", __name__]

Result = dict[str, Any] | Refused


def worker_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """A worker's environment: the caller's, with Go's collector settings where it has none."""
    return {**_GO_ENV, **environ}


def lanes(roots: int, work: int) -> tuple[str, int]:
    """How ``roots`` root modules of ``work`` weight in all are evaluated: ``("threads", n)``
    in this process (cffi lets Go run outside the GIL), or ``("processes", n)`` in workers."""
    raw = os.environ.get(WORKERS, "").strip()
    cores = len(os.sched_getaffinity(0))
    if raw.isdigit():
        return ("processes", min(int(raw), roots)) if int(raw) > 0 and roots > 1 else ("threads", 1)
    if roots < 2:
        return "threads", 1
    return ("processes" if work >= WORTH_WORKERS else "threads"), min(cores, roots)


def evaluations(requests: Sequence[tuple[Path, list[str]]],
                weight: Callable[[Path], int] = lambda _: 0) -> Iterator[Result]:
    """tfparse's evaluation of each ``(root, vars_paths)``, in the given order, or its `Refused`.
    Heavier roots (by ``weight``) start first, so one large root does not start last."""
    weights = [weight(root) for root, _ in requests]
    kind, count = lanes(len(requests), sum(weights))
    if count <= 1 and kind == "threads":
        yield from (_in_process(root, vars_paths) for root, vars_paths in requests)
        return
    pool = _start(kind, count)
    order = sorted(range(len(requests)), key=lambda i: -weights[i])
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in order:
        todo.put(i)
    results: list[Result | BaseException | None] = [None] * len(requests)
    done = [threading.Event() for _ in requests]

    def drain(lane: _Lane) -> None:  # one thread a lane, each taking the next root left
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[i] = lane.ask(*requests[i])
            except BaseException as exc:  # re-raised in the caller's thread
                results[i] = exc
            finally:
                done[i].set()

    for lane in pool:
        threading.Thread(target=drain, args=(lane,), daemon=True, name="plangate-tfparse").start()
    try:
        for i in range(len(requests)):
            done[i].wait()
            result = results[i]
            if isinstance(result, BaseException) and not isinstance(result, Refused):
                raise result
            assert result is not None
            yield result
    finally:
        for lane in pool:
            lane.stop()


def _start(kind: str, count: int) -> list[_Lane]:
    if kind == "threads":
        return [_Lane() for _ in range(count)]
    pool: list[_Lane] = []
    try:
        for _ in range(count):
            pool.append(_Worker.start())
    except OSError:  # cannot start a process here: evaluate in this one
        pool.append(_Lane())
    return pool


def _in_process(root: Path, vars_paths: list[str]) -> Result:
    try:
        return evaluate.run_tfparse(root, vars_paths)
    except Refused as refused:
        return refused


class _Lane:
    """tfparse in this process, on the thread that asks."""

    def ask(self, root: Path, vars_paths: list[str]) -> Result:
        return _in_process(root, vars_paths)

    def stop(self) -> None:
        pass


class _Worker(_Lane):
    """One worker process and the file its stderr goes to (a pipe could fill and stall it)."""

    def __init__(self, process: Any, stderr: IO[bytes]):
        self.process = process
        self.stderr = stderr
        self.dead: str | None = None

    @classmethod
    def start(cls) -> _Worker:
        import subprocess
        import tempfile

        stderr = tempfile.TemporaryFile()
        try:
            process = subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                       env=worker_environment(os.environ))
        except BaseException:
            stderr.close()
            raise
        return cls(process, stderr)

    def ask(self, root: Path, vars_paths: list[str]) -> Result:
        if self.dead is not None:
            return Refused(self.dead)
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps({"root": str(root), "vars": vars_paths}).encode() + b"\n")
            self.process.stdin.flush()
            head = self.process.stdout.read(_LENGTH)
            body = self.process.stdout.read(int.from_bytes(head, "big")) if len(head) == _LENGTH else b""
            if len(head) < _LENGTH or len(body) < int.from_bytes(head, "big"):
                raise EOFError
        except (OSError, EOFError):
            self.dead = f"tfparse's worker process ended: {self._last_words()}"
            return Refused(self.dead)
        status, value = pickle.loads(body)
        return value if status == "ok" else Refused(value)

    def _last_words(self) -> str:
        code = self.process.wait()
        self.stderr.seek(0)
        text = self.stderr.read()[-4096:].decode("utf-8", "replace")
        panic = [line for line in text.splitlines() if line.startswith(("panic:", "fatal error:"))]
        return first_line(panic[0] if panic else text or f"exit status {code}")

    def stop(self) -> None:
        import subprocess

        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.stderr.close()


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The worker's loop: one JSON request a line in, one length-prefixed pickle out."""
    for line in requests:
        request = json.loads(line)
        try:
            reply: tuple[str, Any] = ("ok", evaluate.run_tfparse(Path(request["root"]), request["vars"]))
            blob = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Refused as refused:
            blob = pickle.dumps(("refused", str(refused)))
        except RecursionError:
            blob = pickle.dumps(("refused", "tfparse output is nested too deeply"))
        replies.write(len(blob).to_bytes(_LENGTH, "big") + blob)
        replies.flush()


if __name__ == "__main__":
    # Replies go to a private copy of stdout; anything Go prints on fd 1 goes to stderr instead.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, replies)
