"""tfparse on several cores (`plangate.loaders.hcl.workers`): the same resources whichever lanes
run, a worker that dies refuses only its root, and the choice of lanes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from plangate.loaders import load
from plangate.loaders.hcl import workers

pytest.importorskip("tfparse", reason="the lanes run tfparse")

PLANS = FIXTURES / "hcl_plan"


def _scan(tree: Path) -> list[tuple]:
    return sorted((r.stack, r.address, r.type, repr(r.properties), r.tags, r.unknown, r.secret, r.notes,
                   r.instances) for r in load(tree))


@pytest.mark.parametrize("lanes", ["1", "2", "3"])
def test_worker_processes_give_what_this_process_gives(monkeypatch, lanes: str) -> None:
    monkeypatch.setenv(workers.WORKERS, "0")
    here = _scan(PLANS)
    monkeypatch.setenv(workers.WORKERS, lanes)
    assert workers.lanes(10, 0) == ("processes", int(lanes))
    assert _scan(PLANS) == here
    assert len({stack for stack, *_ in here}) >= 10  # every root of the fixture tree, each a stack


def test_threads_of_this_process_give_what_one_thread_gives(monkeypatch) -> None:
    monkeypatch.setenv(workers.WORKERS, "0")
    here = _scan(PLANS)
    monkeypatch.delenv(workers.WORKERS)
    assert workers.lanes(10, 0)[0] == "threads"  # a small tree stays in this process
    assert _scan(PLANS) == here


def test_a_worker_that_dies_refuses_its_roots_and_the_reader_reads_them(monkeypatch) -> None:
    crash = "import sys; sys.stdin.readline(); sys.stderr.write('goroutine 1\\npanic: boom\\n'); sys.exit(2)"
    monkeypatch.setattr(workers, "COMMAND", [sys.executable, "-c", crash])
    monkeypatch.setenv(workers.WORKERS, "2")
    resources = load(PLANS / "two_roots")
    assert resources, "a dead worker must not make the scan read nothing"
    notes = {n for r in resources for n in r.notes if n.startswith("read by the plangate HCL reader")}
    assert notes == {"read by the plangate HCL reader, not evaluated: tfparse's worker process ended: panic: boom"}


def test_a_worker_that_cannot_start_leaves_the_work_to_this_process(monkeypatch) -> None:
    monkeypatch.setenv(workers.WORKERS, "0")
    here = _scan(PLANS / "two_roots")
    monkeypatch.setattr(workers, "COMMAND", ["/nonexistent/python"])
    monkeypatch.setenv(workers.WORKERS, "2")
    assert _scan(PLANS / "two_roots") == here


def test_go_collector_settings_are_the_users_when_set() -> None:
    assert workers.worker_environment({"PATH": "/bin"}) == {"PATH": "/bin", "GOGC": "off", "GOMEMLIMIT": "512MiB"}
    assert workers.worker_environment({"GOGC": "100"})["GOGC"] == "100"


@pytest.mark.parametrize(("roots", "work", "setting", "expected"), [
    (1, 10**9, "", ("threads", 1)),  # one root: nothing to share out
    (4, 1000, "", ("threads", 2)),  # small: threads (with two usable cores)
    (4, 10**7, "", ("processes", 2)),  # large: worker processes, one a core
    (30, 10**7, "", ("processes", 2)),
    (4, 1000, "0", ("threads", 1)),  # forced: one thread, as before
    (4, 1000, "3", ("processes", 3)),
    (2, 1000, "8", ("processes", 2)),  # never more workers than roots
    (4, 1000, "many", ("threads", 2)),  # not a number: the default
])
def test_lanes_follow_roots_work_and_the_setting(monkeypatch, roots, work, setting, expected) -> None:
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setenv(workers.WORKERS, setting)
    assert workers.lanes(roots, work) == expected


def test_prestarted_workers_are_taken_by_the_next_evaluation(monkeypatch) -> None:
    monkeypatch.setenv(workers.WORKERS, "0")
    here = _scan(PLANS)
    monkeypatch.delenv(workers.WORKERS)
    workers.prestart()
    assert _scan(PLANS) == here  # a small tree, with workers booting: the workers evaluate it
    assert workers._take_ready() == []  # taken (or stopped), none left running


def test_booting_workers_tip_a_small_tree_to_processes(monkeypatch) -> None:
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.delenv(workers.WORKERS, raising=False)
    assert workers.lanes(4, 1000, started=2) == ("processes", 2)
    assert workers.lanes(1, 1000, started=2) == ("threads", 1)


def test_cores_fall_back_to_the_cpu_count_where_affinity_is_unknown(monkeypatch) -> None:
    monkeypatch.delattr(workers.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 6)
    assert workers._cores() == 6
    monkeypatch.setattr(workers.os, "cpu_count", lambda: None)
    assert workers._cores() == 1


def test_scan_start_prestarts_workers_only_for_two_roots_or_more(monkeypatch) -> None:
    from plangate import loaders

    monkeypatch.delenv(workers.WORKERS, raising=False)
    loaders.warm_up([PLANS / "nested_modules"])  # one root calling local modules two levels deep
    assert workers._take_ready() == []
    loaders.warm_up([PLANS / "two_roots"])
    started = workers._take_ready()
    try:
        assert len(started) == workers._cores()
    finally:
        for worker in started:
            worker.stop()
