"""Terraform as the oracle for HCL evaluation: plan JSON for the fixture trees in
tests/fixtures/hcl_plan/, produced offline by ``terraform init`` / ``plan`` / ``show -json``.

A case is a folder under tests/fixtures/hcl_plan/.  Its root modules are the case folder
itself when it holds ``.tf`` / ``.tf.json`` files, else each sub-folder except ``modules``
(the "two roots in one folder" case).  The plan of a root is written beside the case tree:
``<case>.plan.json`` for a single root, ``<case>.<root>.plan.json`` for each of several.

A tree that carries ``.terraform/modules`` (registry modules as ``terraform init`` leaves them) is
planned with that manifest and ``init -get=false``: Terraform reads the downloaded folders, fetching none.

Providers come from the filesystem mirror named in terraform.rc (no network); the provider
blocks in the trees carry mock keys and skip every AWS API call.  The ``timestamp`` field is
dropped and ``relevant_attributes`` sorted, so a regenerated plan is identical when nothing
changed.

Regenerate with ``make fixtures`` (``PYTHONPATH=tests python tests/loaders/terraform_oracle.py [--out DIR]``).
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conftest import FIXTURES as ALL_FIXTURES  # as a script, tests/ must be on PYTHONPATH (make fixtures sets it)

FIXTURES = ALL_FIXTURES / "hcl_plan"
CLI_CONFIG = FIXTURES / "terraform.rc"
MIRROR = Path("/opt/tf-plugins/registry.terraform.io/hashicorp/aws")
VOLATILE = ("timestamp",)  # fields that change on every run
# The hcl-real roots that read data.aws_caller_identity point STS here; the committed plans were
# made with a stand-in answering this (../shared/corpus/hcl-real/SOURCES.md, "STS stand-in").
STS_ADDRESS = ("127.0.0.1", 18733)
STS_ANSWER = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/offline-plan</Arn>
    <UserId>AIDAOFFLINEPLAN000000</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>
"""


def unavailable() -> str | None:
    """Why the oracle cannot run here, or None when it can."""
    if shutil.which("terraform") is None:
        return "no terraform CLI on PATH"
    if not MIRROR.is_dir():
        return f"no AWS provider mirror at {MIRROR}"
    return None


def cases(root: Path = FIXTURES) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _has_tf(folder: Path) -> bool:
    return any(folder.glob("*.tf")) or any(folder.glob("*.tf.json"))


def roots(case: Path) -> list[Path]:
    """The root modules of a case folder."""
    if _has_tf(case):
        return [case]
    return sorted(p for p in case.iterdir() if p.is_dir() and p.name != "modules" and _has_tf(p))


def plan_path(case: Path, root: Path, out: Path | None = None) -> Path:
    folder = out or case.parent
    name = case.name if root == case else f"{case.name}.{root.name}"
    return folder / f"{name}.plan.json"


def normalise(data: dict) -> dict:
    """Without the run's timestamp, and with ``relevant_attributes`` and the ``child_modules`` of
    ``planned_values`` (whose order Terraform does not keep from one run to the next: the instances
    of a module called with for_each inside another module came in either order) sorted."""
    out = {k: v for k, v in data.items() if k not in VOLATILE}
    if isinstance(out.get("relevant_attributes"), list):
        out["relevant_attributes"] = sorted(out["relevant_attributes"], key=lambda a: json.dumps(a, sort_keys=True))
    if isinstance(out.get("planned_values"), dict):
        planned = out["planned_values"]
        out["planned_values"] = {**planned, "root_module": _sorted_modules(planned.get("root_module"))}
    return out


def _sorted_modules(module: Any) -> Any:
    if not isinstance(module, dict) or not isinstance(module.get("child_modules"), list):
        return module
    children = [_sorted_modules(child) for child in module["child_modules"]]
    return {**module, "child_modules": sorted(children, key=lambda c: str(c.get("address")))}


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
    env.update(TF_CLI_CONFIG_FILE=str(CLI_CONFIG), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
               TF_INPUT="0", TF_DATA_DIR=str(data_dir))
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(["terraform", *args, "-no-color"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"terraform {args[0]} in {cwd}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


class _STS(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (the handler's protocol names it)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(STS_ANSWER)))
        self.end_headers()
        self.wfile.write(STS_ANSWER)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def sts_stand_in() -> Iterator[None]:
    """The STS stand-in on `STS_ADDRESS` for as long as the block runs (none started when the
    address is taken: another plan, or the user's own stand-in, answers)."""
    try:
        server = http.server.ThreadingHTTPServer(STS_ADDRESS, _STS)
    except OSError:
        yield
        return
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def plan(case: Path, root: Path) -> dict:
    """The normalised plan JSON of one root (run on a copy, so the tree stays clean)."""
    with tempfile.TemporaryDirectory(prefix="pg-tfplan-") as tmp, sts_stand_in():
        work = Path(tmp) / case.name
        shutil.copytree(case, work)
        cwd = work / root.relative_to(case)
        env = _env(Path(tmp) / "data")
        manifest = cwd / ".terraform" / "modules" / "modules.json"
        if manifest.is_file():  # modules downloaded with the tree: Terraform reads them offline, fetching none
            (Path(tmp) / "data" / "modules").mkdir(parents=True)
            shutil.copy(manifest, Path(tmp) / "data" / "modules" / "modules.json")
        _run(["init", "-backend=false", *(["-get=false"] if manifest.is_file() else [])], cwd, env)
        _run(["plan", "-refresh=false", "-lock=false", "-out", str(Path(tmp) / "plan.bin")], cwd, env)
        data = json.loads(_run(["show", "-json", str(Path(tmp) / "plan.bin")], cwd, env))
    return normalise(data)


def dump(data: dict) -> str:
    return json.dumps(data, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, help="write the plans here instead of beside the trees")
    p.add_argument("case", nargs="*", help="case names (default: all)")
    args = p.parse_args(argv)
    reason = unavailable()
    if reason:
        print(f"terraform_oracle: {reason}", file=sys.stderr)
        return 2
    for case in cases():
        if args.case and case.name not in args.case:
            continue
        for root in roots(case):
            target = plan_path(case, root, args.out)
            target.write_text(dump(plan(case, root)), encoding="utf-8")
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
