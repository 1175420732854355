"""`-o` behaves as `cat > target` would: devices, links and FIFOs are written into, regular
files are replaced atomically with the umask's mode, and an unwritable folder is one clear line."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading

import pytest
from conftest import EXAMPLES, ROOT

from plangate.atomic import write_text
from plangate.cli import main
from plangate.errors import PlangateError

PLAN = str(EXAMPLES / "terraform-plan" / "plan.json")
IS_ROOT = os.geteuid() == 0


@pytest.mark.skipif(not IS_ROOT, reason="mknod of a character device needs root")
def test_a_character_device_stays_a_device(tmp_path):
    null = tmp_path / "null"  # our own node with /dev/null's numbers, never the machine's /dev/null
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    assert main(["scan", PLAN, "-f", "json", "-o", str(null)]) == 1
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.lstat(null).st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_symlink_stays_a_link_and_its_target_is_written(tmp_path):
    real = tmp_path / "reports" / "real.sarif"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.sarif"
    link.symlink_to(real)
    assert main(["scan", PLAN, "-f", "sarif", "-o", str(link)]) == 1
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["version"] == "2.1.0"


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    assert main(["scan", PLAN, "-f", "json", "-o", str(link)]) == 1
    assert link.is_symlink() and json.loads((tmp_path / "made.json").read_text())["tool"] == "plangate"


def test_a_fifo_reader_gets_the_report(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert main(["scan", PLAN, "-f", "json", "-o", str(fifo)]) == 1
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0])["summary"]["exit_code"] == 1


def test_regular_files_follow_the_umask_and_keep_an_existing_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "new.txt", "x")
        os.umask(0o077)
        write_text(tmp_path / "private.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "private.txt").stat().st_mode) == 0o600
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    write_text(kept, "new")
    assert (kept.read_text(), stat.S_IMODE(kept.stat().st_mode)) == ("new", 0o640)


def test_regular_files_are_replaced_by_rename_never_truncated_in_place(tmp_path):
    out = tmp_path / "r.txt"
    out.write_text("previous")
    before = out.stat().st_ino
    held = open(out)  # a reader holding the old file still sees it whole
    try:
        write_text(out, "next")
        assert held.read() == "previous"
    finally:
        held.close()
    assert out.read_text() == "next" and out.stat().st_ino != before
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_a_directory_is_not_an_output(tmp_path):
    with pytest.raises(PlangateError, match="is a directory"):
        write_text(tmp_path, "x")


def _without_dac_override() -> list[str]:
    """A prefix that runs a command as a root that respects permission bits: setpriv drops
    CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH / CAP_FOWNER from the bounding set (CI runs as root,
    and plain root writes into a mode-0555 folder)."""
    if not IS_ROOT:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a folder read-only for root")
    caps = "-dac_override,-dac_read_search,-fowner"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_a_file_in_a_read_only_folder_is_one_clear_line_and_exit_2(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        proc = subprocess.run([*_without_dac_override(), sys.executable, "-m", "plangate", "scan", PLAN,
                               "-o", str(locked / "r.txt")], capture_output=True, text=True, cwd=ROOT)
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"plangate: error: {locked / 'r.txt'}: cannot write: Permission denied\n"
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("command", [
    ["cost", PLAN, "-f", "json"],
    ["rules", "--format", "json"],
    ["init", "--force"],
], ids=["cost", "rules", "init"])
def test_every_writer_writes_through_links_and_into_fifos(tmp_path, command):
    real = tmp_path / "real.out"
    link = tmp_path / "link.out"
    link.symlink_to(real)
    code = main([*command[:1], *(["-o", str(link)] if command[0] != "init" else [str(link)]), *command[1:]])
    assert code == 0 and link.is_symlink() and real.stat().st_size > 0
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code = main([*command[:1], *(["-o", str(fifo)] if command[0] != "init" else [str(fifo)]), *command[1:]])
    reader.join(timeout=30)
    assert code == 0 and stat.S_ISFIFO(os.lstat(fifo).st_mode) and got and got[0]
