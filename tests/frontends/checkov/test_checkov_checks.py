"""plangate's rules as Checkov checks, run as CI runs them: real Checkov 3.3.30 from its own
environment (``.venv-checkov``) with ``--external-checks-dir hcl_checks``, on our HCL fixtures,
on plan JSON from the shared corpus and on the corpus's Kubernetes samples.

Checkov cannot share an environment with Pulumi or python-hcl2, so every Checkov run is a
subprocess; plangate's side (its loaders and engine) runs here.  Checkov takes seconds to
start, so runs are batched into module-scoped fixtures.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CHECKOV_ENV, CORPUS, ROOT, needs_corpus
from conftest import FIXTURES as ALL_FIXTURES

from plangate import policy as policy_mod
from plangate.frontends.checkov import adapter
from plangate.frontends.checkov.suppressions import find_suppressions, suppressions_in
from plangate.model import Resource
from plangate.rules import BY_ID, RULES, checkov_ids

FIXTURES = ALL_FIXTURES / "checkov"
CHECKS_DIR = ROOT / "hcl_checks"
CHECKOV = CHECKOV_ENV / "bin" / "checkov"
CHECKOV_TIMEOUT = 240  # seconds; one run here takes 3 to 10

needs_checkov = pytest.mark.skipif(
    not CHECKOV.exists(),
    reason="Checkov's tool environment is missing: run `make .venv-checkov/.installed`",
)

# Plans with AWS resources in scope: Lambda, S3, log groups, API Gateway, DynamoDB, default tags.
PLANS = [
    "tfplan/infracost__infracost/cmd/infracost/testdata/example_plan.json",
    "tfplan/terraform-compliance__cli/tests/functional/test-it_must_be_in-pass/plan.out.json",
    "tfplan/bridgecrewio__checkov/tests/terraform/checks/data/aws/"
    "example_GithubActionsOIDCTrustPolicy/tfplan.json",
    "tfplan/terraform-compliance__cli/tests/functional/test_issue-338/plan.out.json",
    "tfplan/bridgecrewio__checkov/tests/terraform/parser/resources/plan_tags_variety/tfplan.json",
    "tfplan/bridgecrewio__checkov/tests/terraform/runner/resources/plan/tfplan.json",
    "tfplan/fugue__regula/rego/tests/examples/aws/inputs/tag_all_resources_infra.json",
    "tfplan/fugue__regula/rego/tests/lib/inputs/resource_view_05_tf_v1_0_infra.json",
    "tfplan/bridgecrewio__checkov/tests/terraform/parser/resources/plan_encodings/"
    "tfplan_win_utf16.json",
    "tfplan/infracost__infracost/cmd/infracost/testdata/breakdown_terraform_sync_usage_file/"
    "sync_usage_file.json",
]
# Kubernetes samples: pods, pod controllers, KServe services, objects no rule looks at.
K8S = [
    "k8s/kyverno__policies/kubecost/require-kubecost-labels/.chainsaw-test/podcontroller-good.yaml",
    "k8s/kyverno__policies/kubecost/require-kubecost-labels/.chainsaw-test/podcontroller-bad.yaml",
    "k8s/kyverno__policies/kubecost/require-kubecost-labels/.kyverno-test/resource.yaml",
    "k8s/kyverno__policies/best-practices/require-labels/.chainsaw-test/good-podcontrollers.yaml",
    "k8s/kubernetes__examples/AI/model-serving-tensorflow/deployment.yaml",
    "k8s/kubernetes__examples/AI/vllm-deployment/vllm-deployment.yaml",
    "k8s/kubernetes__examples/AI/vllm-deployment/vllm-service.yaml",
    "k8s/kserve__kserve/docs/samples/v1beta1/tensorflow/tensorflow.yaml",
    "k8s/kserve__kserve/docs/samples/rollout-strategy/rollout-strategy-example.yaml",
    "k8s/kserve__kserve/docs/samples/llmisvc/opt-125m-cpu/"
    "llm-inference-service-facebook-opt-125m-cpu.yaml",
    "k8s/open-policy-agent__gatekeeper-library/library/general/requiredlabels/samples/"
    "verify-label-key-only/example_allowed.yaml",
]

SPECS = checkov_ids.check_specs(RULES)
OUR_IDS = {spec.check_id for spec in SPECS}
DEFAULTS = policy_mod.defaults(RULES)

# Where Checkov and `plangate scan` cannot agree on HCL: (address, check id) →
# (Checkov's verdict, plangate's verdict, why).  Each is a documented behaviour, not a bug.
HCL_DIFFERENCES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("aws_s3_bucket.legacy", "CKV_PG_TAG_001"): (
        "SKIPPED", "PASSED",
        "an inline #checkov:skip is Checkov's own suppression; plangate scan evaluates the "
        "bucket (its provider default tags pass) and lists the comment in the waiver report"),
    # merge(local.common, {...}), the module calls expanded with their inputs (module.queue,
    # module.retry_queue) and the module folder read only through its callers: Checkov and
    # plangate scan (tfparse's evaluator, as terraform plan would) now agree on all of them.
}
K8S_DIFFERENCES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("Deployment/ml/fraud-explainer", "CKV_K8S_PG_TAG_002"): (
        "SKIPPED", "FAILED",
        "the checkov.io/skip1 annotation is Checkov's own suppression; plangate scan reports "
        "the missing label"),
}


# --- running Checkov ---------------------------------------------------------------------------

# The line a check logs when a rule is undecided (Checkov drops UNKNOWN records).
_UNDECIDED = re.compile(
    r"plangate (?P<id>CKV_\S+) on (?P<address>.+?) \((?P<where>[^()]*)\): (?P<details>undecided: .*)$"
)


@dataclass
class Run:
    code: int
    reports: list[dict[str, Any]]
    stdout: str
    stderr: str

    def records(self) -> Iterator[dict[str, Any]]:
        for report in self.reports:
            results = report.get("results") or {}
            for kind in ("passed_checks", "failed_checks", "skipped_checks"):
                yield from results.get(kind) or []

    def ours(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["check_id"] in OUR_IDS]

    def verdicts(self) -> dict[tuple[str, str, str], str]:
        """(file, resource, check id) → PASSED / FAILED / SKIPPED / UNKNOWN, for our checks."""
        found = {(r["file_abs_path"], r["resource"], r["check_id"]): r["check_result"]["result"]
                 for r in self.ours()}
        for line in self.stderr.splitlines():
            match = _UNDECIDED.search(line)
            if match:
                where = match["where"]
                file = where.rsplit(":", 1)[0] if re.search(r":\d+$", where) else where
                found[(file, match["address"], match["id"])] = "UNKNOWN"
        return found

    def record(self, resource: str, check_id: str) -> dict[str, Any]:
        hits = [r for r in self.records()
                if r["resource"] == resource and r["check_id"] == check_id]
        assert len(hits) == 1, f"{len(hits)} records for {resource} {check_id}"
        return hits[0]


def checkov(*args: str, cwd: Path, env: dict[str, str] | None = None,
            python: Path | None = None) -> Run:
    """Run Checkov with our external checks, as a CI job would; JSON reports from stdout."""
    command = [str(CHECKOV)] if python is None else [str(python), "-m", "checkov.main"]
    command += ["--skip-download", "--external-checks-dir", str(CHECKS_DIR), *args]
    environment = {k: v for k, v in os.environ.items() if k != "PLANGATE_CONFIG"}
    environment.update({"LOG_LEVEL": "WARNING", **(env or {})})
    # Its own session, so a stuck run is ended with its worker processes, not orphaned.
    proc = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=CHECKOV_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"Checkov did not finish in {CHECKOV_TIMEOUT} s: {stderr[-2000:]}")
    finally:
        try:  # workers left behind when Checkov's main process was ended
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    reports: list[dict[str, Any]] = []
    if "json" in args and "--output-file-path" not in args and stdout.strip():
        data = json.loads(stdout)
        reports = [r for r in (data if isinstance(data, list) else [data]) if "results" in r]
    return Run(proc.returncode, reports, stdout, stderr)


def corpus(paths: list[str]) -> list[Path]:
    return [CORPUS / p for p in paths if (CORPUS / p).exists()]


def file_args(files: list[Path]) -> list[str]:
    return [arg for f in files for arg in ("-f", str(f))]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Checkov's working directory: empty, so no ./plangate.yaml is picked up by accident."""
    return tmp_path_factory.mktemp("checkov-cwd")


@pytest.fixture(scope="module")
def hcl_run(workdir: Path) -> Run:
    return checkov("-d", str(FIXTURES / "hcl"), "--framework", "terraform", "-o", "json",
                   cwd=workdir)


@pytest.fixture(scope="module")
def plan_files() -> list[Path]:
    return [*corpus(PLANS), FIXTURES / "plan" / "default_tags.json"]


@pytest.fixture(scope="module")
def plan_run(workdir: Path, plan_files: list[Path]) -> Run:
    return checkov(*file_args(plan_files), "--framework", "terraform_plan", "-o", "json",
                   cwd=workdir)


@pytest.fixture(scope="module")
def k8s_files() -> list[Path]:
    return [*corpus(K8S), FIXTURES / "k8s" / "inference.yaml"]


@pytest.fixture(scope="module")
def k8s_run(workdir: Path, k8s_files: list[Path]) -> Run:
    return checkov(*file_args(k8s_files), "--framework", "kubernetes", "-o", "json",
                   cwd=workdir)


# --- plangate's side ---------------------------------------------------------------------------


def covers(spec: checkov_ids.CheckSpec, resource_type: str) -> bool:
    """Whether Checkov reports ``spec`` on a resource of this type (as hcl_checks registers)."""
    if checkov_ids.framework_of(resource_type) != spec.framework:
        return False
    if spec.framework == checkov_ids.TERRAFORM:
        return resource_type in spec.resource_types
    return spec.rule.applies(resource_type)


def plangate_verdicts(resources: list[Resource], key: Any = None
                      ) -> dict[tuple[str, str], str]:
    """(address, check id) → plangate's verdict, for every check that covers a resource."""
    found = {}
    for res in resources:
        for spec in SPECS:
            if covers(spec, res.type):
                address = key(res) if key else res.address
                found[(address, spec.check_id)] = adapter.verdict(spec.rule, res, DEFAULTS).result
    return found


def checkov_by_address(run: Run, files: list[Path] | None = None,
                       key: Any = None) -> dict[tuple[str, str], str]:
    wanted = {str(f) for f in files} if files is not None else None
    return {((key(address) if key else address), check_id): result
            for (file, address, check_id), result in run.verdicts().items()
            if wanted is None or file in wanted}


def assert_same(checkov_side: dict[Any, str], plangate_side: dict[Any, str],
                differences: dict[Any, tuple[str, str, str]], where: str) -> None:
    """Equal verdicts per (resource, check), except the named, documented differences."""
    mismatched = {}
    for key in sorted(set(checkov_side) | set(plangate_side)):
        ours, theirs = checkov_side.get(key, "(none)"), plangate_side.get(key, "(none)")
        if key in differences:
            expected_checkov, expected_plangate, _why = differences[key]
            assert (ours, theirs) == (expected_checkov, expected_plangate), (key, ours, theirs)
        elif ours != theirs:
            mismatched[key] = (ours, theirs)
    assert not mismatched, f"{where}: Checkov vs plangate scan differ: {mismatched}"


# --- the checks Checkov registers ---------------------------------------------------------------

_INTROSPECT = textwrap.dedent("""
    import json, runpy, sys
    checks = runpy.run_path(sys.argv[1])["CHECKS"]
    print(json.dumps([{
        "id": c.id, "name": c.name, "guideline": c.guideline,
        "severity": c.severity.name, "block_type": c.block_type,
        "categories": sorted(x.name for x in c.categories),
        "entities": sorted(c.supported_entities)} for c in checks]))
""")


def _registered(workdir: Path, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    python = CHECKOV_ENV / "bin" / "python"
    environment = {**os.environ, **(env or {})}
    proc = subprocess.run([str(python), "-c", _INTROSPECT, str(CHECKS_DIR / "plangate_checks.py")],
                          cwd=workdir, env=environment, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@needs_checkov
def test_one_check_per_rule_and_framework_from_the_registry(workdir: Path) -> None:
    checks = _registered(workdir)
    assert [c["id"] for c in checks] == [s.check_id for s in SPECS]
    for check, spec in zip(checks, SPECS):
        rule = spec.rule
        assert check["name"] == rule.title
        assert check["guideline"] == rule.url
        assert check["severity"] == rule.severity.value.upper()
        assert checkov_ids.CATEGORY[rule.category] in check["categories"]
        if spec.framework == checkov_ids.TERRAFORM:
            assert check["block_type"] == "resource"
            assert check["entities"] == sorted(spec.resource_types)
        else:
            assert check["block_type"] == "k8"
            assert check["entities"] == ["*"] and "KUBERNETES" in check["categories"]


@needs_checkov
def test_a_rule_disabled_in_plangate_yaml_registers_no_check(workdir: Path, tmp_path: Path) -> None:
    config = tmp_path / "plangate.yaml"
    config.write_text("rules:\n  inference-tracing:\n    enforcement: disabled\n")
    ids = [c["id"] for c in _registered(workdir, {"PLANGATE_CONFIG": str(config)})]
    assert "CKV_PG_TEL_001" not in ids and "CKV_PG_TAG_001" in ids


def test_ids_are_derived_stable_and_unique() -> None:
    assert checkov_ids.check_id("PG-TAG-001", checkov_ids.TERRAFORM) == "CKV_PG_TAG_001"
    assert checkov_ids.check_id("PG-RAI-001", checkov_ids.KUBERNETES) == "CKV_K8S_PG_RAI_001"
    assert len(OUR_IDS) == len(SPECS)
    for spec in SPECS:
        assert checkov_ids.rule_id_of(spec.check_id) == spec.rule.id
        assert re.fullmatch(r"CKV_(K8S_)?PG_[A-Z]+_\d{3}", spec.check_id)
    assert checkov_ids.rule_id_of("CKV_AWS_50") is None
    for rule in RULES:  # every rule is a check, deferred, or says why not
        assert checkov_ids.rule_specs(rule) or checkov_ids.why_no_check(rule)
    for deferral in checkov_ids.DEFERRED:  # deferrals name types the rule really covers
        assert deferral.resource_type in BY_ID[deferral.rule_id].applies_to


@needs_checkov
def test_core_imports_in_checkovs_environment_without_extras() -> None:
    """The scan path imports nothing Checkov's environment may lack (orjson, rich, hcl2)."""
    script = ("import sys\n"
              "for name in ('orjson', 'rich', 'hcl2', 'lark', 'numpy'):\n"
              "    sys.modules[name] = None  # any import of these now fails\n"
              "import plangate.frontends.checkov.adapter, plangate.rules.checkov_ids\n"
              "import plangate.frontends.checkov.suppressions\n"
              "import plangate.engine, plangate.policy, plangate.rules, plangate.loaders.tfplan\n"
              "import plangate.loaders.k8s\n"
              "from plangate.loaders.source import parse_json\n"
              "assert parse_json(b'{\"a\": 1}', 'x') == {'a': 1}\n")
    proc = subprocess.run([str(CHECKOV_ENV / "bin" / "python"), "-c", script],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


# --- conformance: the same verdicts as `plangate scan` -------------------------------------------


@needs_checkov
@needs_corpus
def test_plan_json_verdicts_equal_plangate_scan(plan_run: Run, plan_files: list[Path]) -> None:
    from plangate.loaders import load

    assert plan_run.code == 1, plan_run.stderr[-2000:]
    for file in plan_files:
        ours = plangate_verdicts(load(file))
        theirs = checkov_by_address(plan_run, [file])
        assert_same(theirs, ours, {}, str(file))
    assert len(plan_run.ours()) > 50  # the comparison was not vacuous


@needs_checkov
def test_hcl_verdicts_equal_plangate_scan(hcl_run: Run) -> None:
    from plangate.loaders import load

    resources = load(FIXTURES / "hcl")  # as `plangate scan tests/fixtures/checkov/hcl` reads it
    assert_same(checkov_by_address(hcl_run), plangate_verdicts(resources), HCL_DIFFERENCES,
                "HCL fixtures")


@needs_checkov
@needs_corpus
def test_kubernetes_verdicts_equal_plangate_scan(k8s_run: Run, k8s_files: list[Path]) -> None:
    from plangate.loaders import load

    assert k8s_run.code == 1, k8s_run.stderr[-2000:]
    for file in k8s_files:
        resources = load(file, "k8s")
        known = {r.address for r in resources}
        theirs = {(_k8s_address(address, known), check_id): result
                  for (address, check_id), result in checkov_by_address(k8s_run, [file]).items()}
        assert_same(theirs, plangate_verdicts(resources), K8S_DIFFERENCES, str(file))
    assert {r["check_id"] for r in k8s_run.ours()} == {
        "CKV_K8S_PG_TAG_002", "CKV_K8S_PG_RAI_001", "CKV_K8S_PG_RAI_002"}


def _k8s_address(checkov_id: str, known: set[str]) -> str:
    """Checkov names an object ``Kind.namespace.name`` (namespace ``default`` when the
    manifest has none); plangate ``Kind/namespace/name`` or ``Kind/name``."""
    if checkov_id in known:
        return checkov_id  # our own undecided lines already carry plangate's address
    kind, namespace, name = checkov_id.split(".", 2)
    for address in (f"{kind}/{namespace}/{name}", f"{kind}/{name}"):
        if address in known:
            return address
    return checkov_id


# --- behaviours the issue names --------------------------------------------------------------------


@needs_checkov
@pytest.mark.parametrize("source", ["hcl", "plan"])
def test_default_tags_count_and_an_empty_override_fails(source: str, hcl_run: Run,
                                                        plan_run: Run) -> None:
    run = hcl_run if source == "hcl" else plan_run
    only_defaults = run.record("aws_s3_bucket.only_defaults", "CKV_PG_TAG_001")
    assert only_defaults["check_result"]["result"] == "PASSED"
    override = run.record("aws_sqs_queue.empty_override", "CKV_PG_TAG_001")
    assert override["check_result"]["result"] == "FAILED"
    assert override["details"] == ["empty tag values: Owner"]
    aliased = run.record("aws_s3_bucket.us_copy", "CKV_PG_TAG_001")  # provider without defaults
    assert aliased["details"] == ["missing tags: CostCenter, Owner, Environment"]


@needs_checkov
def test_ignore_tags_leave_their_keys_out_of_the_default_tags(hcl_run: Run) -> None:
    """A provider's ``ignore_tags`` keys and key prefixes are not in ``tags_all`` (the plan Terraform makes of
    tests/fixtures/hcl_plan/ignore_tags): the checks judge the default tags without them, as ``plangate scan`` does
    (before, the Checkov checks passed a queue whose CostCenter and Owner came only from ignored defaults)."""
    assert hcl_run.record("aws_sqs_queue.defaults_only", "CKV_PG_TAG_001")["details"] == [
        "missing tags: CostCenter, Owner"]
    assert hcl_run.record("aws_sqs_queue.own_tags", "CKV_PG_TAG_001")["check_result"]["result"] == "PASSED"
    assert hcl_run.record("aws_sns_topic.eu", "CKV_PG_TAG_001")["details"] == ["missing tags: Environment"]


@needs_checkov
def test_undecided_rules_are_logged_since_checkov_drops_unknown(hcl_run: Run) -> None:
    verdicts = {(a, c): v for (_, a, c), v in hcl_run.verdicts().items()}
    assert verdicts[("aws_sqs_queue.owner_from_variable", "CKV_PG_TAG_001")] == "UNKNOWN"
    assert verdicts[("aws_sqs_queue.tags_from_variable", "CKV_PG_TAG_001")] == "UNKNOWN"
    assert verdicts[("module.retry_queue.aws_sqs_queue.this", "CKV_PG_TAG_001")] == "UNKNOWN"
    assert verdicts[("aws_lambda_function.tracing_from_variable", "CKV_PG_TEL_001")] == "UNKNOWN"
    assert not [r for r in hcl_run.ours() if r["resource"] == "aws_sqs_queue.owner_from_variable"
                and r["check_id"] == "CKV_PG_TAG_001"]
    assert ("undecided: tags are unknown until apply; cannot check CostCenter, Owner, "
            "Environment, Project") in hcl_run.stderr


@needs_checkov
def test_deferred_parts_are_left_to_checkovs_builtins(hcl_run: Run) -> None:
    ids = {r["check_id"] for r in hcl_run.ours()}
    assert "CKV_PG_EXP_001" not in ids  # wholly deferred to CKV_AWS_258
    url = hcl_run.record("aws_lambda_function_url.public", "CKV_AWS_258")
    assert url["check_result"]["result"] == "FAILED"
    public = Resource("aws_lambda_function_url", "aws_lambda_function_url.public", "hcl",
                      properties={"authorization_type": "NONE"})
    assert adapter.verdict(BY_ID["PG-EXP-001"], public, DEFAULTS).result == "FAILED"
    # PG-TEL-004 keeps SageMaker and leaves Lambda to CKV_AWS_115
    lambdas = [r for r in hcl_run.ours() if r["check_id"] == "CKV_PG_TEL_004"]
    assert {r["resource"] for r in lambdas} == {"aws_sagemaker_endpoint_configuration.serverless"}
    assert hcl_run.record("aws_lambda_function.passthrough",
                          "CKV_AWS_115")["check_result"]["result"] == "FAILED"
    # CKV_AWS_50 accepts PassThrough tracing, which is why PG-TEL-001 is not deferred
    assert hcl_run.record("aws_lambda_function.passthrough",
                          "CKV_AWS_50")["check_result"]["result"] == "PASSED"
    assert hcl_run.record("aws_lambda_function.passthrough",
                          "CKV_PG_TEL_001")["check_result"]["result"] == "FAILED"


@needs_checkov
def test_inline_suppressions_are_skipped_and_listed(hcl_run: Run) -> None:
    legacy = hcl_run.record("aws_s3_bucket.legacy", "CKV_PG_TAG_001")
    assert legacy["check_result"] == {
        "result": "SKIPPED", "suppress_comment": "predates tagging; replaced in Q1"}
    assert legacy["check_name"] == BY_ID["PG-TAG-001"].title  # no stale message in the name
    listed = [s for s in suppressions_in(FIXTURES / "hcl") if s.check_id == "CKV_PG_TAG_001"]
    assert [(s.address, s.reason, s.rule_id, Path(s.file).name, s.line) for s in listed] == [
        ("aws_s3_bucket.legacy", "predates tagging; replaced in Q1", "PG-TAG-001", "main.tf", 59)]


@needs_checkov
def test_check_and_skip_check_take_our_ids(workdir: Path) -> None:
    target = str(FIXTURES / "hcl" / "default_tags")
    only = checkov("-d", target, "--framework", "terraform", "-o", "json",
                   "--check", "CKV_PG_TAG_001", cwd=workdir)
    assert {r["check_id"] for r in only.records()} == {"CKV_PG_TAG_001"}
    skipped = checkov("-d", target, "--framework", "terraform", "-o", "json",
                      "--skip-check", "CKV_PG_TAG_*,CKV_PG_RAI_*", cwd=workdir)
    ids = {r["check_id"] for r in skipped.ours()}
    assert ids and not {i for i in ids if i.startswith(("CKV_PG_TAG", "CKV_PG_RAI"))}


@needs_checkov
def test_plangate_yaml_waivers_and_enforcement_apply(workdir: Path, tmp_path: Path) -> None:
    (tmp_path / "plangate.yaml").write_text(textwrap.dedent("""\
        rules:
          inference-tracing:
            enforcement: advisory
        waivers:
          - rule: PG-TAG-001
            resource: aws_s3_bucket.us_*
            reason: the US copy is tagged by the account baseline
            owner: platform-team
            expires: 2999-12-31
        """))
    run = checkov("-d", str(FIXTURES / "hcl" / "default_tags"), "--framework", "terraform",
                  "-o", "json", "--check", "CKV_PG_TAG_001,CKV_PG_TEL_001", cwd=tmp_path)
    waived = run.record("aws_s3_bucket.us_copy", "CKV_PG_TAG_001")
    assert waived["check_result"]["result"] == "SKIPPED"
    assert waived["details"] == [
        "waived: missing tags: CostCenter, Owner, Environment (the US copy is tagged by the "
        "account baseline (owner platform-team, until 2999-12-31))"]
    advisory = run.record("aws_lambda_function.passthrough", "CKV_PG_TEL_001")
    assert advisory["details"] == [
        "not traced: X-Ray tracing is not active (tracing_config.mode is 'PassThrough') and no "
        "OpenTelemetry layer or AWS_LAMBDA_EXEC_WRAPPER (advisory)"]


@needs_checkov
def test_messages_reach_every_output_format(workdir: Path, tmp_path: Path) -> None:
    """cli, json, sarif and junitxml all carry the rule's message, in Terraform and
    Kubernetes alike (two frameworks: Checkov runs them in worker processes)."""
    target = tmp_path / "infra"
    shutil.copytree(FIXTURES / "hcl" / "default_tags", target)
    shutil.copy(FIXTURES / "k8s" / "inference.yaml", target / "inference.yaml")
    out = tmp_path / "out"
    run = checkov("-d", str(target), "--framework", "terraform", "kubernetes",
                  "-o", "cli", "-o", "json", "-o", "sarif", "-o", "junitxml",
                  "--output-file-path", str(out), cwd=workdir)
    assert run.code == 1, run.stderr[-2000:]
    tf_message = "empty tag values: Owner"
    k8s_message = "missing ai.plangate.dev/model-id (model identifier)"
    cli = (out / "results_cli.txt").read_text()
    assert tf_message in cli and k8s_message in cli
    records = [r for report in _as_list(json.loads((out / "results_json.json").read_text()))
               for r in report["results"]["failed_checks"]]
    assert any(tf_message in r["details"] for r in records)
    assert any(k8s_message in r["check_name"] for r in records)
    sarif = json.loads((out / "results_sarif.sarif").read_text())
    texts = [res["message"]["text"] for res in sarif["runs"][0]["results"]]
    assert any(tf_message in t for t in texts) and any(k8s_message in t for t in texts)
    junit = ET.parse(out / "results_junitxml.xml")
    failures = [f.get("message", "") for f in junit.iter("failure")]
    assert any(tf_message in m for m in failures) and any(k8s_message in m for m in failures)
    skipped = [r for report in _as_list(json.loads((out / "results_json.json").read_text()))
               for r in report["results"]["skipped_checks"]]
    assert {(r["resource"].split(".")[-1], r["check_id"]) for r in skipped} >= {
        ("fraud-explainer", "CKV_K8S_PG_TAG_002"), ("legacy", "CKV_PG_TAG_001")}


def _as_list(data: Any) -> list[dict[str, Any]]:
    return [r for r in (data if isinstance(data, list) else [data]) if "results" in r]


# --- never vanishing quietly ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def python_without_plangate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python that sees Checkov's packages but not plangate: a bare venv whose .pth adds
    Checkov's site-packages (the editable plangate's own .pth there is not processed)."""
    home = tmp_path_factory.mktemp("no-plangate")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home / "venv")],
                   check=True, timeout=120)
    site = next((home / "venv" / "lib").glob("python3*/site-packages"))
    checkov_site = next((CHECKOV_ENV / "lib").glob("python3*/site-packages"))
    (site / "checkov-env.pth").write_text(f"{checkov_site}\n")
    return home / "venv" / "bin" / "python"


@needs_checkov
@pytest.mark.parametrize("frameworks", [["terraform"], ["terraform", "kubernetes"]],
                         ids=["main-process", "worker-processes"])
def test_scan_fails_loudly_when_plangate_is_not_installed(
        python_without_plangate: Path, workdir: Path, tmp_path: Path, frameworks: list[str]
) -> None:
    probe = subprocess.run([str(python_without_plangate), "-c", "import plangate"],
                           cwd=workdir, capture_output=True, text=True)
    assert probe.returncode != 0, "plangate must not be importable in this environment"
    target = tmp_path / "infra"
    shutil.copytree(FIXTURES / "hcl" / "default_tags", target)
    shutil.copy(FIXTURES / "k8s" / "inference.yaml", target / "inference.yaml")
    run = checkov("-d", str(target), "--framework", *frameworks, "-o", "json",
                  cwd=workdir, python=python_without_plangate)
    # one runner: Checkov's own exit code 2; several: a worker ends Checkov with SIGTERM
    expected = 2 if len(frameworks) == 1 else -signal.SIGTERM
    assert run.code == expected, (run.code, run.stderr[-3000:])
    assert "cannot import plangate (No module named 'plangate')" in run.stderr
    assert "-m pip install plangate" in run.stderr and "pip install -e <repo>" in run.stderr


@needs_checkov
def test_an_invalid_policy_file_stops_the_scan(workdir: Path, tmp_path: Path) -> None:
    config = tmp_path / "plangate.yaml"
    config.write_text("rules:\n  no-such-rule: {}\n")
    run = checkov("-d", str(FIXTURES / "hcl" / "default_tags"), "--framework", "terraform",
                  "-o", "json", cwd=workdir, env={"PLANGATE_CONFIG": str(config)})
    assert run.code == 2
    assert f"invalid policy file: {config}: rules: no rule 'no-such-rule'" in run.stderr


# --- the adapter, on its own ---------------------------------------------------------------------


def test_checkov_list_wrapping_is_undone() -> None:
    assert adapter.attribute(["scorer"]) == "scorer"
    assert adapter.attribute([["a", "b"]]) == ["a", "b"]
    assert adapter.attribute([["a"]]) == ["a"]
    assert adapter.attribute([{"mode": ["Active"], "__startline__": 3}]) == [{"mode": "Active"}]
    assert adapter.attribute([None]) is None and adapter.attribute([[]]) == []
    assert adapter.as_map([{"Owner": "", "start_line": [1], "__file__": ["p.json"]}]) == {"Owner": ""}
    assert adapter.as_map([{"k": ["v"]}]) == {"k": "v"}  # plan JSON's tags_all
    assert adapter.as_map(["var.tags"]) is None


@pytest.mark.parametrize("text,unresolved", [
    ("var.owner", True), ("${var.owner}", True), ("local.common", True), ("module.a.id", True),
    ("aws_iam_role.scorer.arn", True), ("merge(local.a, local.b)", True), ("data.x.y.z", True),
    ("ml-platform", False), ("cc-1042", False), ("https://models.example.com/card", False),
    ("jane.doe@example.com", False), ("fraud-xgb-2026-10", False), ("", False),
    ("data.lake-exports", False), ("p-${var.env}", True),
])
def test_unresolved_terraform_expressions(text: str, unresolved: bool) -> None:
    assert adapter.is_unresolved(text) is unresolved


def test_hcl_resource_merges_provider_default_tags_under_its_own() -> None:
    conf = {"__address__": "aws_sqs_queue.q", "__start_line__": 7, "name": ["q"],
            "tags": [{"Owner": "", "Project": "var.project"}], "tracing_config": [{"mode": ["x"]}]}
    defaults = adapter.ProviderTags({"CostCenter": "cc-1", "Owner": "ml", "Env": "var.env"})
    res = adapter.hcl_resource("aws_sqs_queue", conf, defaults, "/infra/main.tf")
    assert res.tags == {"CostCenter": "cc-1", "Owner": ""}
    assert res.unknown == {"tags.Project", "tags.Env"}
    assert res.properties == {"name": "q", "tracing_config": [{"mode": "x"}]}
    assert (res.address, res.source_format, str(res.location)) == (
        "aws_sqs_queue.q", "hcl", "/infra/main.tf:7")
    unset = adapter.hcl_resource("aws_sqs_queue", {**conf, "tags": [{}]}, None, "m.tf",
                                 unresolved={"tags"})
    assert unset.unknown == {"tags"} and unset.tags == {}
    whole = adapter.hcl_resource("aws_sqs_queue", conf, adapter.ProviderTags({}, True), "m.tf")
    assert whole.unknown == {"tags"}
    ignored = adapter.hcl_resource("aws_sqs_queue", conf, adapter.ProviderTags(
        {"CostCenter": "cc-1", "Owner": "ml", "Env": "var.env"}, ignored=(["CostCenter"], ["Env"])), "m.tf")
    assert (ignored.tags, ignored.unknown) == ({"Owner": ""}, {"tags.Project"})
    unresolved = adapter.hcl_resource("aws_sqs_queue", conf, adapter.ProviderTags(
        {"CostCenter": "cc-1"}, ignored=(["local.ignored"], None)), "m.tf")  # which keys: only Terraform knows
    assert unresolved.unknown == {"tags"} and unresolved.tags == {"Owner": ""}


def test_plan_resource_takes_values_from_checkov_and_the_rest_from_the_plan() -> None:
    facts = adapter.PlanFacts(tags={"Owner": "ml"}, unknown=frozenset({"arn", "tags.Project"}),
                              secret=frozenset({"environment.0.variables.TOKEN"}),
                              action="update", line=12)
    conf = {"__address__": "module.m.aws_lambda_function.f", "__file__": ["/p.json"],
            "function_name": ["f"], "environment": [{"variables": [{"TOKEN": ["s3cr3t"]}]}],
            "tags": [{"Owner": "ml", "__startline__": [3]}], "__change_actions__": ["update"]}
    res = adapter.plan_resource("aws_lambda_function", conf, facts, "/p.json")
    # the map inside the block stays in Checkov's one-element list: Resource.get steps through
    assert res.properties == {"function_name": "f",
                              "environment": [{"variables": [{"TOKEN": "[secret]"}]}]}
    assert res.get("environment.variables.TOKEN") == "[secret]"
    assert (res.tags, res.unknown, res.action, res.module) == (
        {"Owner": "ml"}, facts.unknown, "update", "module.m")


def test_kubernetes_manifest_loses_checkovs_markers() -> None:
    conf = {"kind": "InferenceService", "__startline__": 1, "metadata": {
        "name": "m", "annotations": [{"a/b": "1", "__startline__": 4}],
        "labels": {"app": "x", "__endline__": 6}}}
    assert adapter.kubernetes_manifest(conf) == {
        "kind": "InferenceService", "metadata": {"name": "m", "annotations": {"a/b": "1"},
                                                 "labels": {"app": "x"}}}


def test_verdicts_map_plangate_outcomes_onto_checkov_results() -> None:
    tags = BY_ID["PG-TAG-001"]
    good = {"CostCenter": "cc-1", "Owner": "o", "Environment": "prod", "Project": "p"}
    res = Resource("aws_sqs_queue", "aws_sqs_queue.q", "hcl", tags=good)
    assert adapter.verdict(tags, res, DEFAULTS) == adapter.Verdict("PASSED")
    res.tags = {**good, "Owner": ""}
    failed = adapter.verdict(tags, res, DEFAULTS)
    assert failed == adapter.Verdict("FAILED", ("empty tag values: Owner",))
    assert failed.name(tags.title) == f"{tags.title}: empty tag values: Owner"
    res.unknown = frozenset({"tags"})
    assert adapter.verdict(tags, res, DEFAULTS).result == "UNKNOWN"
    deny = policy_mod.build({"on_unknown": "deny"}, RULES, "t")
    assert adapter.verdict(tags, res, deny).details == (
        "unknown at plan time (on_unknown: deny): tags are unknown until apply; cannot check "
        "CostCenter, Owner, Environment, Project",)


# --- suppressions, on their own -----------------------------------------------------------------------


def test_suppressions_follow_checkovs_rules() -> None:
    text = textwrap.dedent('''\
        # checkov:skip=CKV_PG_TAG_001:outside any block, so Checkov ignores it
        resource "aws_s3_bucket" "a" {
          bucket = "a-${var.env}"   # braces in strings do not end the block
          policy = <<EOF
        { "Statement": [] }
        EOF
          // checkov:skip=CKV_PG_TAG_001,CKV_AWS_18: two ids, one reason
        }
        data "aws_iam_policy_document" "d" {
          #checkov:skip=CKV_AWS_1
        }
        module "api" {
          source = "./api"
          # bridgecrew:skip=CKV_PG_RAI_001:the module documents its model
        }
        resource "aws_sqs_queue" "q" {}
        ''')
    found = [(s.address, s.check_id, s.reason, s.line) for s in find_suppressions(text, "x.tf")]
    assert found == [
        ("aws_s3_bucket.a", "CKV_PG_TAG_001", "two ids, one reason", 7),
        ("aws_s3_bucket.a", "CKV_AWS_18", "two ids, one reason", 7),
        ("data.aws_iam_policy_document.d", "CKV_AWS_1", "No comment provided", 10),
        ("module.api", "CKV_PG_RAI_001", "the module documents its model", 14),
    ]
