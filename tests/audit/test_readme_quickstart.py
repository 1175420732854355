"""The README's audit quick-start runs as written, line by line, in an empty folder holding a
plan — the way a newcomer pastes it into a shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, ROOT

HEADING = "## Audit trail and evidence"


def quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(HEADING):]
    block = section[section.index("```sh\n") + len("```sh\n"):]
    return [line for line in block[:block.index("```")].splitlines() if line.strip()]


def test_the_readme_audit_quick_start_runs_as_written(tmp_path):
    lines = quick_start()
    assert lines[0].startswith("plangate audit keygen") and any("audit prove" in line for line in lines)
    (tmp_path / "plan.json").write_bytes((EXAMPLES / "terraform-plan" / "plan.json").read_bytes())
    # each line, then its exit status: one shell, so the export of the first line holds for the rest
    script = "".join(f"{line}\necho $? >> .codes\n" for line in lines)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGATE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    run = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    codes = [int(c) for c in (tmp_path / ".codes").read_text().split()]
    # the example plan has violations: scan says so with exit 1 (and logs the decision all the same)
    assert codes == [0, 1, 0, 0, 0, 0], run.stderr
    assert run.stderr == ""
    verified = [line for line in run.stdout.splitlines() if line.startswith("audit.jsonl: intact")]
    assert verified == ["audit.jsonl: intact: 1 entries, 1 checkpoints, 1 entries signed by key "
                        f"{json.loads((tmp_path / 'cp.json').read_text())['key_id'][:16]}… (pinned)"]
    assert "p.json: holds: entry 0 is in the signed tree of 1 entries" in run.stdout
    envelope = json.loads((tmp_path / "evidence.json").read_text())
    assert envelope["payloadType"] == "application/vnd.in-toto+json" and envelope["signatures"]
