"""plangate as users install it: the wheel built from this checkout, installed (no `-e`, under
constraints.txt) into venvs outside the repository, runs every ``plangate`` command of the
README's ```sh blocks — read from the README, so docs and behaviour cannot drift — on real inputs
from ../shared/, in a bash shell as a user would type them.  With every extra no command is an
internal error (3) and none is bad input (2): each works as written, a gate answering 0 or 1; with the default
install a command needing an extra exits 2 with one line naming `pip install 'plangate[x]'`, and
every other command gives the same exit code as with every extra."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml
from conftest import CORPUS, DATA, FIXTURES, ROOT, needs_corpus, needs_data
from installed import CONSTRAINTS, build_wheel, copy_sources, make_venv, readme_commands, user_env

from plangate import extras

pytestmark = [pytest.mark.slow, needs_corpus, needs_data]

# The README's placeholder inputs, each made from a real file (the one mapping to keep small).
HCL_TREE = CORPUS / "hcl-real" / "JamesWoolfenden__terraform-aws-sagemaker"  # a root calling ../../ as a module
PLACEHOLDERS = {
    # the README's plan.json is an inference stack (its function `scorer`, its model-id tags): the
    # bundled example's, as `make demo` scans it; the other plans are real ones from the corpus
    "plan.json": ROOT / "examples/terraform-plan/plan.json",
    "base.json": CORPUS / "tfplan/infracost__infracost/cmd/infracost/testdata/example_plan.json",
    "preview.json": CORPUS / "pulumi/dundalek__stratify/test/resources/pulumi/sample-preview-creates.json",
    "state.json": CORPUS / "pulumi/dundalek__stratify/test/resources/pulumi/sample-export.json",
    "infra": HCL_TREE,
    "k8s": CORPUS / "k8s/kserve__kserve/docs/samples/autoscaling",
    "usage.yml": CORPUS / "other/infracost__infracost/internal/providers/terraform/aws/testdata/lambda_function_test"
                          "/lambda_function_test.usage.yml",
    "index.csv": FIXTURES / "prices" / "aws-ec2-offer-excerpt.csv",  # AWS's offer CSV layout, cut
    "cpu.csv": DATA / "nab/realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv",
    "invocations.csv": DATA / "nab/realAWSCloudwatch/ec2_cpu_utilization_53ea38.csv",
    "prod-plans/example.json": CORPUS / "tfplan/infracost__infracost/cmd/infracost/testdata/example_plan.json",
    "prod-plans/v0.14.json": CORPUS / "tfplan/infracost__infracost/cmd/infracost/testdata/terraform_v0.14_plan.json",
}
HOUSING = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude")
# README text to rewrite before running it on real inputs (none now: the audit block proves entry 0,
# the one entry its log holds, after signing a checkpoint).
REWRITES: dict[str, str] = {}
# Options whose extra the command's own does not cover (extras.COMMANDS names the commands').
OPTION_EXTRAS = {"--baseline-fleet": "analytics"}
HINT = re.compile(r"^plangate: error: `plangate [a-z]+` needs [A-Za-z0-9._-]+: pip install 'plangate\[([a-z]+)\]'$")


def _make_inputs(work: Path) -> None:
    for name, src in PLACEHOLDERS.items():
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():  # the HCL tree without the corpus's plan of it: a folder of .tf files, as in a repository
            shutil.copytree(src, target, ignore=shutil.ignore_patterns("*.plan.json"))
        else:
            shutil.copy2(src, target)
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    nulls = pacsv.ConvertOptions(null_values=["", "NULL"], strings_can_be_null=True)
    pq.write_table(pacsv.read_csv(DATA / "focus/focus_1_0_sample_1000.csv", convert_options=nulls),
                   work / "focus-2024-09.parquet")
    # California housing: the reference as Parquet, the analysis window as SageMaker capture lines
    # (CSV payloads without a header, so the features are feature_0 … as `drift` names them)
    reference = pacsv.read_csv(DATA / "drift_shift/california_housing_reference.csv")
    pq.write_table(reference.select(list(HOUSING)).rename_columns([f"feature_{i}" for i in range(len(HOUSING))]),
                   work / "train.parquet")
    (work / "capture/2026/11").mkdir(parents=True)
    with open(DATA / "drift_shift/california_housing_analysis.csv", newline="") as f, \
            open(work / "capture/2026/11/capture.jsonl", "w") as out:
        for i, row in enumerate(csv.DictReader(f)):
            data = ",".join(row[name] for name in HOUSING) + "\n"
            out.write(json.dumps({"captureData": {"endpointInput": {
                "observedContentType": "text/csv", "mode": "INPUT", "data": data, "encoding": "CSV"}},
                "eventMetadata": {"eventId": f"e-{i}", "inferenceTime": "2026-11-02T10:00:00Z"},
                "eventVersion": "0"}) + "\n")
    with gzip.open(work / "cur-2024-09-01.csv.gz", "wb") as out:
        out.write((DATA / "aws_cur/legacy_cur_sample_anonymous.csv").read_bytes())
    # COMPAS decisions under the README's column names: label = two-year recidivism, score = decile / 10
    with open(DATA / "fairness/compas-scores-two-years.csv", newline="") as f, \
            open(work / "decisions.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["label", "score", "sex", "race"])
        for row in csv.DictReader(f):
            writer.writerow([row["two_year_recid"], int(row["decile_score"]) / 10, row["sex"], row["race"]])
    (work / "plangate.yaml").write_text("rules:\n  monthly-budget:\n    stack: 600\n")
    # CloudWatch Logs of the function `scorer` (2,048 MB in the plan): REPORT lines in the format AWS
    # Lambda documents (docs.aws.amazon.com/lambda/latest/dg/python-logging.html), a fortnight of
    # invocations peaking at 611 MB — no public data set holds real ones
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    (work / "scorer.log").write_text("".join(
        f"{(start + dt.timedelta(minutes=20 * i)).isoformat(timespec='milliseconds')[:-6]}Z\tREPORT RequestId: "
        f"{uuid.UUID(int=i)}\tDuration: {80 + i % 40}.25 ms\tBilled Duration: {81 + i % 40} ms\t"
        f"Memory Size: 2048 MB\tMax Memory Used: {420 + (i * 37) % 192} MB\t\n" for i in range(1008)))


# Each README plangate command runs through this function, which records its exit code and output.
_SHELL = """
pg() {
  local id=$1; shift
  command plangate "$@" >"$PG_RUNS/$id.out" 2>"$PG_RUNS/$id.err"
  local code=$?
  echo "$code" >"$PG_RUNS/$id.code"
  return "$code"
}
"""


def _script(blocks: list[list[str]]) -> tuple[str, list[str]]:
    """One bash script running every README line in order, each ``plangate …`` as ``pg ID …``."""
    lines, commands = [_SHELL], []
    for block in blocks:
        for line in block:
            for old, new in REWRITES.items():
                line = line.replace(old, new)
            segments = []
            for segment in line.split(" && "):
                if segment.startswith("plangate "):
                    segments.append(f"pg {len(commands)} {segment.removeprefix('plangate ')}")
                    commands.append(re.sub(r"\s+#.*$", "", segment).strip())
                else:
                    segments.append(segment)
            lines.append(" && ".join(segments))
    return "\n".join(lines) + "\n", commands


def _run_readme(venv: Path | None, work: Path) -> dict[str, tuple[int, str, str]]:
    """Command -> (exit code, stdout, stderr) of every README command that ran."""
    _make_inputs(work)
    runs = work.parent / f"{work.name}-runs"
    runs.mkdir()
    script, commands = _script(readme_commands((ROOT / "README.md").read_text()))
    env = {**user_env(venv), "PG_RUNS": str(runs)}
    subprocess.run(["bash", "-c", script], cwd=work, env=env, timeout=1200, capture_output=True)
    return {command: (int((runs / f"{i}.code").read_text()), (runs / f"{i}.out").read_text(),
                      (runs / f"{i}.err").read_text())
            for i, command in enumerate(commands) if (runs / f"{i}.code").exists()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def bare_venv(wheel, tmp_path_factory) -> Path:
    return make_venv(tmp_path_factory.mktemp("bare") / "venv", str(wheel))


@pytest.fixture(scope="module")
def full_venv(wheel, tmp_path_factory) -> Path:
    return make_venv(tmp_path_factory.mktemp("all") / "venv", f"{wheel}[all]")


@pytest.fixture(scope="module")
def full_runs(full_venv, tmp_path_factory):
    return _run_readme(full_venv, tmp_path_factory.mktemp("readme-all") / "work")


def _needed_extra(command: str) -> str | None:
    own = extras.COMMANDS.get(command.split()[1])
    return own or next((extra for option, extra in OPTION_EXTRAS.items() if option in command), None)


def _one_line(stderr: str) -> bool:
    return stderr.count("\n") <= 1 and "Traceback" not in stderr


def test_the_readme_shows_commands_of_every_kind():
    _, commands = _script(readme_commands((ROOT / "README.md").read_text()))
    assert {c.split()[1] for c in commands} >= {"scan", "cost", "audit", "evidence", "ingest", "anomalies", "forecast",
                                                 "waste", "suggest", "drift", "fairness", "assure", "prices"}


def test_installed_where_a_user_has_it(full_venv, bare_venv):
    for venv in (full_venv, bare_venv):
        done = subprocess.run([str(venv / "bin" / "python"), "-c", "import plangate, sys; print(plangate.__file__)"],
                              cwd=venv.parent, env=user_env(venv), capture_output=True, text=True, check=True)
        assert Path(done.stdout.strip()).is_relative_to(venv), done.stdout  # not this checkout
        assert not Path(venv).resolve().is_relative_to(ROOT)


def test_constraints_pin_everything_a_user_gets(full_venv, bare_venv):
    """What `pip install -c constraints.txt` put in the venvs is exactly what constraints.txt pins
    (so the file is complete), and the default install is what the pre-commit hook pins."""
    def installed(venv: Path) -> set[str]:
        done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze", "--all"], cwd=venv.parent,
                              env=user_env(venv), capture_output=True, text=True, check=True)
        return {re.sub(r"[-_.]+", "-", line.lower()) for line in done.stdout.splitlines()
                if not line.lower().startswith(("plangate ", "pip=="))}  # plangate @ file:///…whl

    pins = {re.sub(r"[-_.]+", "-", line.lower()) for line in CONSTRAINTS.read_text().split() if "==" in line}
    assert installed(full_venv) - pins == set()
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    bare = {dist for dist in installed(bare_venv) if not dist.startswith("setuptools==")}  # the venv's own
    assert bare <= {re.sub(r"[-_.]+", "-", d.lower())
                                                     for d in hook["additional_dependencies"]}


def test_every_readme_command_with_every_extra(full_runs):
    _, commands = _script(readme_commands((ROOT / "README.md").read_text()))
    assert list(full_runs) == commands  # every one ran (`audit check` too, chained after `audit prove`)
    codes = {command: code for command, (code, _, _) in full_runs.items()}
    assert all(code in (0, 1) for code in codes.values()), \
        {c: (code, full_runs[c][2]) for c, code in codes.items() if code not in (0, 1)}


def test_every_readme_command_with_the_default_install(bare_venv, full_runs, tmp_path):
    runs = _run_readme(bare_venv, tmp_path / "work")
    named = set()
    for command, (code, _, stderr) in runs.items():
        needed = _needed_extra(command)
        hint = HINT.match(stderr.strip())
        if hint:
            assert code == 2 and hint.group(1) == needed, (command, stderr)
            named.add(needed)
        elif needed is not None:  # its input was another's output (no key, no drift report): bad input
            assert code == 2 and _one_line(stderr) and "internal error" not in stderr, (command, code, stderr)
        elif command in full_runs and code != full_runs[command][0]:
            # a core command after one that needed an extra (no audit key, no lake): bad input, said in a line
            assert code == 2 and _one_line(stderr) and "internal error" not in stderr, (command, code, stderr)
    assert named == {_needed_extra(c) for c in runs} - {None}  # each extra a README command needs is named
    scans = [c for c in runs if c.startswith("plangate scan ") and _needed_extra(c) is None]
    assert scans and all(runs[c][0] == full_runs[c][0] for c in scans if "--audit-log" not in c)


def test_the_wheel_scans_a_module_tree_with_the_evaluator(bare_venv, tmp_path):
    """The default install evaluates modules: the JSON report names tfparse, and findings sit on
    the module's addresses."""
    shutil.copytree(HCL_TREE, tmp_path / "infra", ignore=shutil.ignore_patterns("*.plan.json"))
    done = subprocess.run(["plangate", "scan", "infra", "-f", "json"], cwd=tmp_path, env=user_env(bare_venv),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["hcl_engine"].startswith("tfparse"), report["hcl_engine"]
    assert any(f["address"].startswith("module.sagemaker.") for f in report["findings"])


# --- the GitHub Action's composite steps, run as a runner runs them --------------------------------------------


def _expand(text: str, inputs: dict[str, str]) -> str:
    """The runner's expression substitution, for the `${{ inputs.X }}` the steps use."""
    def one(match: re.Match) -> str:
        expr = match.group(1).strip()
        assert expr.startswith("inputs."), f"the test knows only inputs.*: {expr}"
        return inputs[expr.removeprefix("inputs.")]

    return re.sub(r"\$\{\{(.*?)\}\}", one, text)


def test_the_action_installs_and_scans_with_the_evaluator(tmp_path):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    inputs.update({"paths": "infra", "format": "json", "output": "plangate.json"})
    action_path = copy_sources(tmp_path / "action", extra=("action.yml",))
    workspace = tmp_path / "workspace"
    shutil.copytree(HCL_TREE, workspace / "infra", ignore=shutil.ignore_patterns("*.plan.json"))
    output = tmp_path / "github_output"
    output.touch()
    runner = make_venv(tmp_path / "runner")  # what actions/setup-python leaves: a python, nothing installed
    env = {**user_env(runner), "GITHUB_ACTION_PATH": str(action_path), "GITHUB_WORKSPACE": str(workspace),
           "GITHUB_OUTPUT": str(output)}
    ran = 0
    for step in action["runs"]["steps"]:
        if "uses" in step:  # actions/setup-python: the runner venv above stands in for it
            continue
        if "inputs.comment ==" in str(step.get("if", "")):  # the pull-request comment: off by default
            continue
        assert step["shell"] == "bash"
        step_env = {**env, **{k: _expand(str(v), inputs) for k, v in step.get("env", {}).items()}}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _expand(step["run"], inputs)],
                              cwd=workspace, env=step_env, capture_output=True, text=True, timeout=900)
        ran += 1
        assert done.returncode in (0, 1), (step["name"], done.stdout, done.stderr)
    assert ran == 2
    report = json.loads((workspace / "plangate.json").read_text())
    assert report["hcl_engine"].startswith("tfparse"), report["hcl_engine"]
    assert any(f["address"].startswith("module.sagemaker.") for f in report["findings"])
    code = report["summary"]["exit_code"]
    assert output.read_text() == f"exit-code={code}\n"
