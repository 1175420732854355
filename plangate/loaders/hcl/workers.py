"""tfparse on several cores: the root modules of one scan evaluated side by side.

Why processes and not threads: tfparse's Go runtime reads ``GOGC`` only from the environment
its process started with, and at Go's default its collector takes a large share of the CPU on
module-heavy trees (terraform-aws-lambda's ``examples/build-package``, first evaluation in a
fresh process: 1.53 s wall / 2.1 s CPU at Go's default, 1.21 s / 1.3 s with the settings
below).  A worker starts with ``GOGC=off`` and ``GOMEMLIMIT=512MiB`` (unless the user set
either: theirs win), so Go collects only near that heap size, and the roots of a scan run in
parallel on the cores this process may use.  A worker that dies (a Go panic ends its
process) refuses its root, which the reader then reads, instead of ending the scan.

``plangate scan`` starts the workers as soon as it sees two Terraform folders (`prestart`), so
they boot while it imports its rules and walks the tree.  Without workers booting, a small tree
(below `WORTH_WORKERS`) runs its roots on threads of this process instead: starting a worker
then costs more than it saves, and cffi lets Go work outside the GIL.
``PLANGATE_HCL_WORKERS=N`` forces N workers for any tree of two roots or more, and ``0`` one
thread in this process (the order of evaluation of earlier releases).

A worker is `plangate.loaders.hcl.tfparse_run` run as a script (its protocol is described there).
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

from plangate.loaders.hcl import tfparse_run
from plangate.loaders.hcl.tfparse_run import LENGTH, Refused, first_line

#: The variable that forces the worker count (0: one thread in this process).
WORKERS = "PLANGATE_HCL_WORKERS"
# Go's collector settings for a worker, unless the user's environment sets them.
_GO_ENV = {"GOGC": "off", "GOMEMLIMIT": "512MiB"}
#: Below this much configuration (bytes, each local module call's folder counted per call) a
#: scan evaluates in this process: starting workers (about 50 ms) costs more than they save.
#: Measured: terraform-aws-apigateway-v2 (0.24 MB by this count) is 0.05 s slower with
#: workers; terraform-aws-lambda (4.6 MB) 1.8x faster.
WORTH_WORKERS = 1_000_000

#: How a worker is started: `tfparse_run` as a script, without site's start-up (the import path
#: it needs follows as arguments).
COMMAND = [sys.executable, "-S", tfparse_run.__file__]

Result = dict[str, Any] | Refused


def worker_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """A worker's environment: the caller's, with Go's collector settings where it has none."""
    return {**_GO_ENV, **environ}


# Workers started ahead of need (`prestart`), handed to the next evaluation that wants them.
_READY: list[_Worker] = []


def prestart() -> None:
    """Start the workers a scan of several roots will use now, so they boot while the caller
    goes on (importing rules, reading its policy, walking the tree); `evaluations` takes them,
    and stops those it does not need.  Any left unused at exit are stopped then.  (Started
    here, not on a thread: measured, a starting thread slows the caller's imports more.)"""
    raw = os.environ.get(WORKERS, "").strip()
    if _READY or raw == "0":
        return
    import atexit

    atexit.register(_stop_ready)
    try:
        for _ in range(int(raw) if raw.isdigit() else _cores()):
            _READY.append(_Worker.start())
    except OSError:
        pass  # `evaluations` starts what it needs, or evaluates here


def _take_ready() -> list[_Worker]:
    """The prestarted workers (none when nothing was prestarted)."""
    taken = list(_READY)
    _READY.clear()
    return taken


def _stop_ready() -> None:
    for worker in _take_ready():
        worker.stop()


_KILLED: list[Any] = []


def _reap_at_exit(process: Any) -> None:
    """Reap a killed worker when this process exits (it is long gone by then, so this costs
    nothing, and its CPU time counts in this process's children's, as it should).  Not on a
    thread: starting one costs the caller up to a GIL switch interval (5 ms)."""
    if not _KILLED:
        import atexit

        atexit.register(_reap_killed)
    _KILLED.append(process)


def _reap_killed() -> None:
    while _KILLED:
        _KILLED.pop().wait()


def _cores() -> int:
    """The cores this process may run on (all of them where the OS cannot say: macOS, Windows)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def lanes(roots: int, work: int, started: int = 0) -> tuple[str, int]:
    """How ``roots`` root modules of ``work`` weight in all are evaluated: ``("threads", n)``
    in this process (cffi lets Go run outside the GIL), or ``("processes", n)`` in workers.
    With ``started`` workers already booting, they are used for any two roots or more."""
    raw = os.environ.get(WORKERS, "").strip()
    if raw.isdigit():
        return ("processes", min(int(raw), roots)) if int(raw) > 0 and roots > 1 else ("threads", 1)
    if roots < 2:
        return "threads", 1
    if started or work >= WORTH_WORKERS:
        return "processes", min(max(started, _cores()), roots)
    return "threads", min(_cores(), roots)


def evaluations(requests: Sequence[tuple[Path, list[str]]],
                weight: Callable[[Path], int] = lambda _: 0) -> Iterator[tuple[int, Result]]:
    """``(index, result)`` for each ``(root, vars_paths)`` of ``requests`` as its evaluation
    finishes: tfparse's evaluation, or its `Refused`.  Heavier roots (by ``weight``) start
    first, so one large root does not start last; the caller works on each result while the
    others are still being evaluated."""
    weights = [weight(root) for root, _ in requests]
    ready = _take_ready()
    kind, count = lanes(len(requests), sum(weights), len(ready))
    if kind == "threads":
        for worker in ready:  # booting workers would only take CPU from the threads
            worker.stop()
    if count <= 1 and kind == "threads":
        yield from ((i, _in_process(root, vars_paths)) for i, (root, vars_paths) in enumerate(requests))
        return
    pool = _start(kind, count, ready)
    order = sorted(range(len(requests)), key=lambda i: -weights[i])
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in order:
        todo.put(i)
    finished: queue.SimpleQueue[tuple[int, Result | BaseException]] = queue.SimpleQueue()

    def drain(lane: _Lane) -> None:  # one thread a lane, each taking the next root left
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                finished.put((i, lane.ask(*requests[i])))
            except BaseException as exc:  # re-raised in the caller's thread
                finished.put((i, exc))

    for lane in pool:
        threading.Thread(target=drain, args=(lane,), daemon=True, name="plangate-tfparse").start()
    try:
        for _ in requests:
            i, result = finished.get()
            if isinstance(result, BaseException) and not isinstance(result, Refused):
                raise result
            yield i, result
    finally:
        for lane in pool:
            lane.stop()


def _start(kind: str, count: int, ready: list[_Worker]) -> list[_Lane]:
    if kind == "threads":
        return [_Lane() for _ in range(count)]
    pool: list[_Lane] = list(ready[:count])
    for spare in ready[count:]:
        spare.stop()
    try:
        while len(pool) < count:
            pool.append(_Worker.start())
    except OSError:  # cannot start a process here: evaluate in this one
        pool.append(_Lane())
    return pool


def _in_process(root: Path, vars_paths: list[str]) -> Result:
    try:
        return tfparse_run.run_tfparse(root, vars_paths)
    except Refused as refused:
        return refused


def _scratch_file() -> IO[bytes]:
    """An anonymous file for a worker's stderr (memfd where Linux has it: tempfile costs a scan
    its imports, about 3 ms)."""
    if hasattr(os, "memfd_create"):
        try:
            return os.fdopen(os.memfd_create("plangate-worker-stderr"), "w+b")
        except OSError:
            pass
    import tempfile

    return tempfile.TemporaryFile()


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

        stderr = _scratch_file()
        try:
            process = subprocess.Popen([*COMMAND, *filter(None, sys.path)], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=stderr, env=worker_environment(os.environ))
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
            head = self.process.stdout.read(LENGTH)
            body = self.process.stdout.read(int.from_bytes(head, "big")) if len(head) == LENGTH else b""
            if len(head) < LENGTH or len(body) < int.from_bytes(head, "big"):
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
        # A worker keeps nothing worth a clean exit, and waiting for Python's and Go's shutdown
        # (or the kernel freeing its heap) would cost the scan tens of milliseconds: end it now,
        # and reap it at exit (an answer it was still working on is dropped).
        self.process.kill()
        _reap_at_exit(self.process)
        for pipe in (self.process.stdin, self.process.stdout, self.stderr):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
