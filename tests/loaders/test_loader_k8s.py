"""Kubernetes loader: every corpus manifest, hand-pinned objects, bad input, speed.

Real manifests come from ../shared/corpus (nobody here wrote them); tests/fixtures/k8s/ and
the inline documents in this file were written by the plangate team for these tests.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest
from conftest import CORPUS, needs_corpus
from conftest import FIXTURES as ALL_FIXTURES

from plangate.errors import InputError
from plangate.loaders import k8s, load
from plangate.model import REDACTED, Location, Resource

FIXTURES = ALL_FIXTURES / "k8s"

KUBECOST = "k8s/kyverno__policies/kubecost/require-kubecost-labels/.chainsaw-test/podcontroller-bad.yaml"
SWITCH = "k8s/kserve__kserve/docs/samples/graph/switch.yaml"
VLLM = "k8s/kubernetes__examples/AI/vllm-deployment/vllm-deployment.yaml"
ADAPTER = "k8s/kubernetes__examples/AI/vllm-deployment/hpa/prometheus-adapter.yaml"
ROLLOUT = "k8s/kserve__kserve/docs/samples/rollout-strategy/rollout-strategy-example.yaml"
LLMISVC = "k8s/kserve__kserve/docs/samples/llmisvc/opt-125m-cpu/llm-inference-service-facebook-opt-125m-cpu.yaml"
BENTOML = "k8s/kserve__kserve/docs/samples/bentoml/bentoml.yaml"
TORCHSERVE = "k8s/kserve__kserve/docs/samples/v1beta1/custom/torchserve/torchserve-custom.yaml"


# Every kind in the corpus, and its canonical type (written out, not derived).
TYPES = {
    "APIService": "kubernetes_api_service",
    "ClusterRole": "kubernetes_cluster_role",
    "ClusterRoleBinding": "kubernetes_cluster_role_binding",
    "ClusterServingRuntime": "kubernetes_cluster_serving_runtime",
    "ConfigMap": "kubernetes_config_map",
    "CronJob": "kubernetes_cron_job",
    "Deployment": "kubernetes_deployment",
    "HorizontalPodAutoscaler": "kubernetes_horizontal_pod_autoscaler",
    "InferenceGraph": "kubernetes_inference_graph",
    "InferenceService": "kubernetes_inference_service",
    "LLMInferenceService": "kubernetes_llm_inference_service",
    "Namespace": "kubernetes_namespace",
    "Pod": "kubernetes_pod",
    "RoleBinding": "kubernetes_role_binding",
    "Service": "kubernetes_service",
    "ServiceAccount": "kubernetes_service_account",
    "TrainedModel": "kubernetes_trained_model",
}


def _entries() -> list[dict[str, Any]]:
    if not CORPUS.is_dir():
        return []
    return [e for e in json.loads((CORPUS / "INDEX.json").read_text()) if e["kind"] == "k8s"]


def _load(rel: str) -> list[Resource]:
    path = CORPUS / rel
    return k8s.from_bytes(path.read_bytes(), str(path), strict=True)


def _summary(r: Resource) -> tuple:
    line = r.location.line if r.location else None
    return (r.type, r.address, line, r.labels, r.annotations, r.properties.get("pod_metadata"))


# ------------------------------------------------------------------ every corpus manifest


@needs_corpus
@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e["path"])
def test_every_corpus_manifest_loads_or_fails_cleanly(entry: dict[str, Any]) -> None:
    path = CORPUS / entry["path"]
    if "UNPARSEABLE" in entry["format"]:
        with pytest.raises(InputError) as caught:
            k8s.from_bytes(path.read_bytes(), str(path), strict=True)
        assert caught.value.file == str(path) and caught.value.line is not None
        assert caught.value.problem.startswith("invalid YAML: ")
        return
    resources = k8s.from_bytes(path.read_bytes(), str(path), strict=True)
    stats = entry["stats"]
    # the index was counted independently of this loader: objects, kinds and metadata agree
    assert len(resources) == entry["resources"] == stats["documents"]
    assert Counter(r.properties["kind"] for r in resources) == Counter(stats["kinds"])
    assert sum(1 for r in resources if r.labels) == stats["docs_with_metadata_labels"]
    assert sum(1 for r in resources if r.annotations) == stats["docs_with_annotations"]
    assert sorted({key for r in resources for key in r.labels}) == stats["metadata_label_keys"]
    # the index counts spec.template.metadata.labels only (a CronJob's template is deeper)
    assert sum(1 for r in resources if r.type != "kubernetes_cron_job"
               and r.properties.get("pod_metadata", {}).get("labels")) == stats["pod_template_labels"]
    for res in resources:
        assert res.type == TYPES[res.properties["kind"]]
        assert (res.source_format, res.provider, res.action) == ("k8s", "kubernetes", "create")
        assert res.location is not None and res.location.file == str(path) and res.location.line
        assert load(path) == resources  # the dispatcher picks this loader for .yaml


@needs_corpus
@pytest.mark.parametrize("rel,line,column,placeholder", [
    (BENTOML, 10, 31, "{docker_username}"),
    (TORCHSERVE, 8, 24, "{username}"),
])
def test_template_placeholders_are_one_clean_error(rel: str, line: int, column: int, placeholder: str) -> None:
    path = CORPUS / rel
    with pytest.raises(InputError) as caught:
        _load(rel)
    assert (caught.value.file, caught.value.line, caught.value.column) == (str(path), line, column)
    assert caught.value.problem == (
        f"invalid YAML: did not find expected key (line has a template placeholder, {placeholder}: "
        "render the template first)")


# ------------------------------------------------------------------ pinned by hand


@needs_corpus
def test_kubecost_pod_controllers_keep_object_and_pod_template_labels_apart() -> None:
    assert [_summary(r) for r in _load(KUBECOST)] == [
        ("kubernetes_deployment", "Deployment/baddeploy01", 1, {"app": "busybox"}, {},
         {"labels": {"foo": "bar"}, "annotations": {}}),
        ("kubernetes_deployment", "Deployment/baddeploy02", 21, {"app": "busybox"}, {},
         {"labels": {"owner": "foo"}, "annotations": {}}),
        ("kubernetes_cron_job", "CronJob/badcronjob01", 41, {}, {},
         {"labels": {"foo": "bar"}, "annotations": {}}),
        ("kubernetes_cron_job", "CronJob/badcronjob02", 62, {}, {},
         {"labels": {"owner": "foo", "team": "foo"}, "annotations": {}}),
    ]


@needs_corpus
def test_kubecost_cron_job_whole_resource() -> None:
    cron = _load(KUBECOST)[3]
    manifest = {
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "badcronjob02"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {
            "metadata": {"labels": {"owner": "foo", "team": "foo"}},
            "spec": {"containers": [{"name": "hello", "image": "ghcr.io/kyverno/test-busybox:1.35",
                                     "command": ["sleep", "3600"]}],
                     "restartPolicy": "OnFailure"}}}}},
    }
    assert cron == Resource(
        type="kubernetes_cron_job", address="CronJob/badcronjob02", source_format="k8s",
        properties={**manifest, "pod_metadata": {"labels": {"owner": "foo", "team": "foo"}, "annotations": {}}},
        location=Location(str(CORPUS / KUBECOST), 62), provider="kubernetes")


@needs_corpus
def test_kserve_switch_has_four_objects_and_no_pod_template() -> None:
    assert [_summary(r) for r in _load(SWITCH)] == [
        ("kubernetes_inference_service", "InferenceService/single-1", 1, {}, {}, None),
        ("kubernetes_inference_service", "InferenceService/single-2", 15, {}, {}, None),
        ("kubernetes_inference_service", "InferenceService/single-3", 29, {}, {}, None),
        ("kubernetes_inference_graph", "InferenceGraph/model-switch", 43, {}, {}, None),
    ]
    graph = _load(SWITCH)[3]
    assert graph.properties["apiVersion"] == "serving.kserve.io/v1alpha1"
    assert graph.properties["spec"]["nodes"]["root"]["steps"][2] == {  # camelCase kept as written
        "serviceUrl": "http://single-3.default.{$your-domain}/switch",
        "condition": "instances.#(strval%*red-server*)"}


@needs_corpus
def test_vllm_deployment() -> None:
    (deployment,) = _load(VLLM)
    assert _summary(deployment) == (
        "kubernetes_deployment", "Deployment/vllm-gemma-deployment", 1, {}, {},
        {"labels": {"app": "gemma-server"}, "annotations": {}})
    container = deployment.properties["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"] == {"cpu": "2", "memory": "10Gi", "ephemeral-storage": "10Gi",
                                                "nvidia.com/gpu": "1"}
    assert container["args"][0] == "--model=$(MODEL_ID)"


@needs_corpus
def test_namespaced_and_cluster_scoped_addresses() -> None:
    assert [r.address for r in _load(ADAPTER)] == [
        "ServiceAccount/monitoring/prometheus-adapter",
        "ClusterRole/prometheus-adapter",
        "ClusterRoleBinding/prometheus-adapter",
        "RoleBinding/kube-system/prometheus-adapter-auth-reader",
        "ClusterRoleBinding/prometheus-adapter-system-auth-delegator",
        "ConfigMap/monitoring/prometheus-adapter",
        "Deployment/monitoring/prometheus-adapter",
        "Service/monitoring/prometheus-adapter",
        "APIService/v1beta1.custom.metrics.k8s.io",
    ]


@needs_corpus
def test_kserve_annotations_and_llm_inference_service() -> None:
    rollout = _load(ROLLOUT)
    assert all(r.type == "kubernetes_inference_service" and r.annotations for r in rollout)
    assert all(isinstance(v, str) for r in rollout for v in r.annotations.values())
    (llm,) = _load(LLMISVC)
    assert (llm.type, llm.address, "pod_metadata" in llm.properties) == (
        "kubernetes_llm_inference_service", "LLMInferenceService/facebook-opt-125m-single", False)


# ------------------------------------------------------------------ our fixture

CONTROLLERS = FIXTURES / "controllers.yaml"


def test_fixture_objects_whole() -> None:
    resources = k8s.from_bytes(CONTROLLERS.read_bytes(), str(CONTROLLERS), strict=True)
    assert [_summary(r) for r in resources] == [
        ("kubernetes_stateful_set", "StatefulSet/ml-serving/feature-cache", 2,
         {"app": "feature-cache", "replicas": "3", "canary": "false", "owner": ""}, {},
         {"labels": {"app": "feature-cache", "cost-center": "cc-1042"},
          "annotations": {"ai.plangate.dev/risk-tier": "minimal"}}),
        ("kubernetes_daemon_set", "DaemonSet/kube-system/gpu-exporter", 26, {}, {},
         {"labels": {}, "annotations": {}}),
        ("kubernetes_job", "Job/ml-training/retrain-", 38, {}, {},  # generateName
         {"labels": {"team": "risk-ml"}, "annotations": {}}),
        # document 4 is empty; document 5 is a List of two
        ("kubernetes_replica_set", "ReplicaSet/legacy-scorer", 58, {}, {},
         {"labels": {"app": "legacy-scorer"}, "annotations": {}}),
        ("kubernetes_pod", "Pod/#5.2", 67, {"app": "debug"}, {}, None),
        ("kubernetes_secret", "Secret/ml-serving/model-registry", 77, {}, {}, None),
    ]
    secret = resources[-1]
    assert secret == Resource(
        type="kubernetes_secret", address="Secret/ml-serving/model-registry", source_format="k8s",
        properties={"apiVersion": "v1", "kind": "Secret",
                    "metadata": {"name": "model-registry", "namespace": "ml-serving"}, "type": "Opaque",
                    "data": {"token": REDACTED}, "stringData": {"password": REDACTED}},
        secret=frozenset({"data.token", "stringData.password"}),
        location=Location(str(CONTROLLERS), 77), provider="kubernetes")
    assert "not-a-real" not in repr(resources) and "bm90LWEtcmVhbC10b2tlbg" not in repr(resources)


def test_strict_only_when_the_file_was_named() -> None:
    raw = (FIXTURES / "Pulumi.yaml").read_bytes()
    assert k8s.from_bytes(raw, "Pulumi.yaml", strict=False) == []
    with pytest.raises(InputError) as caught:
        k8s.from_bytes(raw, "Pulumi.yaml", strict=True)
    assert str(caught.value) == "Pulumi.yaml: no Kubernetes objects (apiVersion and kind) found"
    # a directory scan skips it, an explicit path refuses it
    assert [r.address for r in load(FIXTURES)] == [r.address for r in load(CONTROLLERS)]
    with pytest.raises(InputError):
        load(FIXTURES / "Pulumi.yaml")


@pytest.mark.parametrize("text,strict,addresses", [
    ("", False, []),
    ("---\n---\n# only comments\n", False, []),
    ("- a\n- b\n", False, []),
    ("just text\n", False, []),
    ("apiVersion: v1\nkind: List\nitems: []\n", True, []),  # a List is an object, even empty
    ("kind: Pod\nmetadata: {name: p}\n", False, []),  # no apiVersion
    ("apiVersion: v1\nkind: 3\n", False, []),
    ("apiVersion: v1\nkind: Pod\nmetadata: [a]\n", True, ["Pod/#1"]),
    ("apiVersion: v1\nkind: Pod\n---\nname: x\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n",
     False, ["Pod/#1", "Pod/b"]),
], ids=["empty", "empty documents", "a list", "a scalar", "empty List", "no apiVersion",
        "kind not text", "metadata not a map", "mixed"])
def test_what_is_an_object(text: str, strict: bool, addresses: list[str]) -> None:
    assert [r.address for r in k8s.from_bytes(text.encode(), "m.yaml", strict)] == addresses


def test_yaml_details_kubernetes_relies_on() -> None:
    text = """
defaults: &defaults {team: risk-ml, owner: ml-platform}
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  creationTimestamp: 2024-05-01T10:00:00Z
  labels:
    <<: {team: risk-ml, owner: nobody}
    owner: ml-platform
  annotations:
    date: 2024-05-01
    hex: 0x1F
    yes-no: yes
    cfn: !Ref SomeParameter
"""
    (pod,) = k8s.from_bytes(text.encode(), "p.yaml", strict=True)
    assert pod.labels == {"team": "risk-ml", "owner": "ml-platform"}  # merge key, own key wins
    assert pod.annotations == {"date": "2024-05-01", "hex": "31", "yes-no": "true", "cfn": "SomeParameter"}
    assert pod.properties["metadata"]["creationTimestamp"] == "2024-05-01T10:00:00Z"  # text, as JSON has it
    assert pod.location == Location("p.yaml", 4)


def test_from_objects_matches_from_bytes_without_lines() -> None:
    raw = CONTROLLERS.read_bytes()
    import yaml

    objs = list(yaml.safe_load_all(raw))
    before = copy.deepcopy(objs)
    from_objects = k8s.from_objects(objs + [None, 7, {"kind": "Pod"}], "c.json")
    from_yaml = k8s.from_bytes(raw, "c.json", strict=True)
    assert objs == before  # the caller's objects are not touched
    assert [r.location for r in from_objects] == [Location("c.json")] * len(from_yaml)
    for ours, theirs in zip(from_objects, from_yaml):
        ours.location = theirs.location
    assert from_objects == from_yaml


# ------------------------------------------------------------------ bad input


BOMB = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("raw,message", [
    (b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: [p\n",
     "m.yaml:5:1: invalid YAML: did not find expected ',' or ']'"),
    (b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n",
     "m.yaml:4:10: invalid YAML: mapping values are not allowed in this context"),
    (b"apiVersion: v1\n\tkind: Pod\n", "m.yaml:2:1: invalid YAML: found a tab character that violates indentation"),
    (b"apiVersion: v1\nkind: Pod\nx: *nothing\n", "m.yaml:3:4: invalid YAML: found undefined alias"),
    (b"apiVersion: v1\nkind: Pod\nx: \x00\n",
     "m.yaml:3: invalid YAML: unacceptable character #x0000: control characters are not allowed"),
    (b"apiVersion: v1\nkind: Pod\nmetadata: &m\n  self: *m\n",
     "m.yaml:3: invalid YAML: an alias refers to a node that contains it"),
    (BOMB.encode(), "m.yaml:1: invalid YAML: aliases expand to too many values"),
    (b"a: " + b"[" * 5000 + b"]" * 5000, "m.yaml:1:1003: invalid YAML: exceeded maximum nesting depth"),
    (b"apiVersion: v1\nkind: Pod\n? [a]\n: 1\n",
     "m.yaml:3:3: invalid YAML: a mapping key is a list or a mapping (Kubernetes keys are strings)"),
    (b"apiVersion: v1\nkind: Pod\nspec:\n  image: {{ .Values.image }}\n",
     "m.yaml:4:11: invalid YAML: a mapping key is a list or a mapping (Kubernetes keys are strings) "
     "(line has a template placeholder, {{ .Values.image }}: render the template first)"),
    (b"apiVersion: v1\nkind: Pod\nx: \"\xe9\"\n", "m.yaml:3: not valid UTF-8 text (byte 29)"),
], ids=["unclosed flow", "nested mapping", "tab", "undefined alias", "control character",
        "recursive alias", "alias bomb", "deep nesting", "complex key", "helm template", "latin-1"])
def test_bad_yaml_is_one_clean_error(raw: bytes, message: str) -> None:
    for strict in (True, False):  # bad YAML is an error in a directory scan too
        with pytest.raises(InputError) as caught:
            k8s.from_bytes(raw, "m.yaml", strict)
        assert str(caught.value) == message


# ------------------------------------------------------------------ speed

SMALL = """\
apiVersion: v1
kind: Pod
metadata:
  name: scorer-{i}
  namespace: ml-serving
  labels:
    app: scorer
    team: risk-ml
  annotations:
    ai.plangate.dev/model-id: fraud-xgb-{i}
spec:
  containers:
    - name: scorer
      image: scorer:1.{i}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer-{i}
  namespace: ml-serving
  labels:
    app: scorer
    team: risk-ml
spec:
  replicas: 2
  selector:
    matchLabels:
      app: scorer
  template:
    metadata:
      labels:
        app: scorer
    spec:
      containers:
        - name: scorer
          image: scorer:1.{i}
"""


def test_a_thousand_documents_give_a_thousand_resources_with_lines() -> None:
    raw = "---\n".join(SMALL.format(i=i) for i in range(1000)).encode()
    resources = k8s.from_bytes(raw, "many.yaml", strict=True)
    assert len(resources) == 1000 and resources[-1].location == Location("many.yaml", 15 * 999 + 1)


