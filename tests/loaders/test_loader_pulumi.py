"""Pulumi preview / stack export / checkpoint / engine event log loader.

Real files come from ../shared/corpus (nobody here wrote them).  The small inline previews,
states and event logs in this file were written by us for these tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import CORPUS, needs_corpus

from plangate.errors import InputError
from plangate.loaders import load, pulumi
from plangate.model import REDACTED, Location, Resource

STRATIFY = "pulumi/dundalek__stratify/test/resources/pulumi"
STACK = "pulumi/pulumi__pulumi/pkg/resource/stack/testdata"
EVENTS = "pulumi/pulumi__pulumi/pkg/backend/display/testdata/not-truncated"
UNKNOWN = pulumi.UNKNOWN
SIG = "4dabf18193072939515e22adb298388d"


def _index(*kinds: str) -> list[dict[str, Any]]:
    if not CORPUS.is_dir():
        return []
    return [e for e in json.loads((CORPUS / "INDEX.json").read_text())
            if e["kind"] in kinds or "pulumi-engine-events" in e["format"]]


def _load(rel: str) -> list[Resource]:
    return load(CORPUS / rel)


def _summary(r: Resource) -> tuple:
    return (r.address, r.type, r.module, r.action, r.tags, r.unknown)


def _strings(value: Any, key: str) -> list[str]:
    """Every string stored under ``key`` anywhere in a JSON value."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and isinstance(v, str):
                found.append(v)
            found += _strings(v, key)
    elif isinstance(value, list):
        for v in value:
            found += _strings(v, key)
    return found


# ------------------------------------------------------------------ every corpus file loads


@needs_corpus
@pytest.mark.parametrize("entry", _index("pulumi-preview", "pulumi-state"), ids=lambda e: e["path"].split("/", 2)[-1])
def test_every_corpus_pulumi_file_loads_or_fails_cleanly(entry):
    path = CORPUS / entry["path"]
    if "parse_error" in entry or entry["resources"] == 0:  # bad.json; empty.json is `{}`
        with pytest.raises(InputError) as err:
            load(path)
        assert str(path) in str(err.value)
        return
    resources = load(path)
    assert resources
    for r in resources:
        assert r.source_format in {"pulumi-preview", "pulumi-state"}
        assert r.type not in {"pulumi_component", "pulumi_provider"}
        assert r.action in {"create", "update", "replace", "no-op"}
        assert r.location is not None and r.location.file == str(path)
    assert len({r.address for r in resources}) == len(resources)


# ----------------------------------------------------------------------------- previews

DOCS_HANDLER_CHILDREN = [
    ("aws_iam_role_policy_attachment.docsHandler-a1de8170", {"role"}),
    ("aws_iam_role_policy_attachment.docsHandler-7cd09230", {"role"}),
    ("aws_iam_role_policy_attachment.docsHandler-e1a3786d", {"role"}),
    ("aws_iam_role_policy_attachment.docsHandler-1b4caae3", {"role"}),
    ("aws_iam_role_policy_attachment.docsHandler-019020e7", {"role"}),
    ("aws_iam_role_policy_attachment.docsHandler-b5aeb6b6", {"role"}),
    ("aws_iam_role_policy_attachment.docsHandler-d32a66fa", {"role"}),
    ("aws_iam_role_policy_attachment.docsHandler-4aaabb8e", {"role"}),
    ("aws_iam_role_policy_attachment.docsHandler-74d12784", {"role"}),
]


@needs_corpus
def test_preview_creates():
    resources = _load(f"{STRATIFY}/sample-preview-creates.json")
    expected = [
        ("aws_s3_bucket.docs", "aws_s3_bucket", "", "create", {}, frozenset()),
        ("aws_iam_role.docsHandler", "aws_iam_role", "docsHandler", "create", {}, frozenset()),
        *[(a, "aws_iam_role_policy_attachment", "docsHandler", "create", {}, frozenset(u))
          for a, u in DOCS_HANDLER_CHILDREN],
        ("aws_lambda_function.docsHandler", "aws_lambda_function", "docsHandler", "create", {}, frozenset({"role"})),
        ("aws_lambda_permission.docsHandler", "aws_lambda_permission", "docsHandler", "create", {},
         frozenset({"function", "source_arn"})),
        ("aws_s3_bucket_notification.docsHandler", "aws_s3_bucket_notification", "docs", "create", {},
         frozenset({"bucket", "lambda_functions.0.lambda_function_arn"})),
    ]  # the stack and the BucketEventSubscription component are not returned
    assert [_summary(r) for r in resources] == expected
    fn = resources[11]
    assert fn.properties == {
        "code": {"kind": "archive", "hash": "4fababcf7ea9c00e4bd4263bf3ac3d1fece41b318a892f4a4b864bc3fd65c84d"},
        "handler": "__index.handler", "memory_size": 128, "function_name": "docsHandler-99fde95",
        "package_type": "Zip", "publish": False, "reserved_concurrent_executions": -1, "runtime": "nodejs20.x",
        "skip_destroy": False, "timeout": 180,
    }  # `role` was the unknown sentinel: removed, its path recorded
    assert "__defaults" not in repr(fn) and "exports.handler" not in repr(resources)


@needs_corpus
def test_preview_deletes_are_not_returned():
    assert [_summary(r) for r in _load(f"{STRATIFY}/sample-preview-deletes.json")] == [
        ("aws_s3_bucket.docs", "aws_s3_bucket", "", "no-op", {}, frozenset())]


@needs_corpus
def test_preview_update():
    resources = _load(f"{STRATIFY}/sample-preview-update.json")
    assert [(r.address, r.action) for r in resources if r.action != "no-op"] == [
        ("aws_lambda_function.docsHandler", "update")]
    assert len(resources) == 14
    fn = next(r for r in resources if r.action == "update")
    assert fn.get("role") == "arn:aws:iam::941377148201:role/docsHandler-9eca035"
    assert fn.get("code") == {"kind": "archive",
                              "hash": "3886dc7db621541977d614ac33c9ba8f079dcd8f98e58459e646d4197569d9a1"}


# ------------------------------------------------------------------------------- states

CHECKPOINT_ADDRESSES = [
    "aws_sns_topic.countDown", "aws_sns_topic.unhandled-error-topic", "aws_iam_role.countDown_watcher-iamrole",
    "aws_iam_role_policy_attachment.countDown_watcher-iampolicy-0",
    "aws_iam_role_policy_attachment.countDown_watcher-iampolicy-1", "aws_lambda_function.countDown_watcher",
    "aws_cloudwatch_log_group.countDown_watcher-func-logs", "aws_iam_role.pulumi-foo-log-collector-iamrole",
    "aws_iam_role_policy_attachment.pulumi-foo-log-collector-iampolicy-0",
    "aws_lambda_function.pulumi-foo-log-collector", "aws_lambda_permission.pulumi-foo-log-collector",
    "aws_cloudwatch_log_subscription_filter.countDown_watcher", "aws_lambda_permission.countDown_watcher",
    "aws_sns_topic_subscription.countDown_watcher", "aws_iam_role.heartbeat-iamrole",
    "aws_iam_role_policy_attachment.heartbeat-iampolicy-0", "aws_iam_role_policy_attachment.heartbeat-iampolicy-1",
    "aws_lambda_function.heartbeat", "aws_cloudwatch_log_group.heartbeat-func-logs",
    "aws_cloudwatch_log_subscription_filter.heartbeat", "aws_cloudwatch_event_rule.heartbeat",
    "aws_cloudwatch_event_target.heartbeat", "aws_lambda_permission.heartbeat",
]


@needs_corpus
@pytest.mark.parametrize("name", ["checkpoint-v0.json", "checkpoint-v3.json", "checkpoint-v4.json",
                                  "checkpoint-secrets.json"])
def test_checkpoint_versions(name):
    resources = _load(f"{STACK}/{name}")
    assert [r.address for r in resources] == CHECKPOINT_ADDRESSES
    assert {r.action for r in resources} == {"no-op"} and {r.source_format for r in resources} == {"pulumi-state"}
    topic = resources[0]
    assert (topic.module, topic.get("name")) == ("countDown", "countDown-9d430501c4510322")


@needs_corpus
def test_checkpoint_secrets_never_appear():
    path = CORPUS / STACK / "checkpoint-secrets.json"
    resources = load(path)
    secrets = {r.address: r.secret for r in resources if r.secret}
    assert secrets == {
        "aws_iam_role.countDown_watcher-iamrole": frozenset({"assume_role_policy"}),
        "aws_lambda_function.countDown_watcher": frozenset({"dead_letter_config.0.target_arn"}),
        "aws_lambda_permission.countDown_watcher": frozenset({"action", "function", "source_arn"}),
    }
    permission = next(r for r in resources if r.address == "aws_lambda_permission.countDown_watcher")
    assert permission.properties == {"action": REDACTED, "function": REDACTED, "principal": "sns.amazonaws.com",
                                     "source_arn": REDACTED}
    text = repr(resources)
    ciphertexts = _strings(json.loads(path.read_text()), "ciphertext")
    assert len(ciphertexts) >= 10
    assert not [c for c in ciphertexts if c in text]
    assert not [t for t in _strings(json.loads(path.read_text()), "text") if t[:40] in text]  # asset contents


@needs_corpus
def test_stack_export():
    resources = _load(f"{STRATIFY}/sample-export.json")
    assert [(r.address, r.module, r.action) for r in resources][:3] == [
        ("aws_s3_bucket.docs", "", "no-op"),
        ("aws_iam_role.docsHandler", "docsHandler", "no-op"),
        ("aws_iam_role_policy_attachment.docsHandler-4aaabb8e", "docsHandler", "no-op"),
    ]
    assert len(resources) == 14  # 17 minus the stack, the default provider and one component
    assert resources[0].get("bucket") == "docs-4936161"


# ---------------------------------------------------------------------------- event logs


@needs_corpus
def test_event_log_replacement_and_tags():
    path = CORPUS / EVENTS / "webserver-userdata.json"
    resources = load(path)
    assert [_summary(r) for r in resources] == [
        ("aws_security_group.web-secgrp", "aws_security_group", "", "no-op", {}, frozenset()),
        ("aws_instance.web-server-www", "aws_instance", "", "replace", {"Name": "web-server-www"},
         frozenset()),
    ]  # create-replacement, replace and delete-replaced events collapse into one replacement
    assert resources[1].location == Location(str(path), 8)
    assert resources[1].get("tags") == {"Name": "web-server-www"}  # engine "__defaults" removed


@needs_corpus
def test_event_log_update_and_creates():
    assert [(r.address, r.action) for r in _load(f"{EVENTS}/up-4.json")] == [
        ("aws_iam_role.eks-role", "no-op"),
        ("aws_iam_role_policy_attachment.eks-rpa-service-policy", "no-op"),
        ("aws_iam_role_policy_attachment.eks-rpa-cluster-policy", "no-op"),
        ("aws_security_group.eks-sg", "update"),
        ("aws_eks_cluster.eks-cluster", "no-op"),
    ]
    assert {r.action for r in _load(f"{EVENTS}/up-3.json")} == {"create"}


@needs_corpus
def test_event_log_components_and_kubernetes():
    resources = {r.address: r for r in _load(f"{EVENTS}/template-body.json")}
    assert len(resources) == 42  # awsx / eks components and the stack are skipped
    assert resources["aws_cloudformation_stack.cluster-nodes"].action == "update"
    assert resources["aws_cloudformation_stack.cluster-nodes"].module == "cluster"
    assert resources["kubernetes_config_map.cluster-nodeAccess"].type == "kubernetes_config_map"
    assert resources["aws_subnet.vpc-public-0"].tags == {"Name": "vpc-public-0", "type": "public"}


def test_event_log_bad_line_names_the_line(tmp_path):
    good = json.dumps({"sequence": 1, "timestamp": 1, "preludeEvent": {"config": {}}})
    path = tmp_path / "events.json"
    path.write_text(good + "\n" + good + "\n{not json\n")
    with pytest.raises(InputError) as err:
        load(path)
    assert err.value.line == 3 and str(err.value).startswith(f"{path}:3: invalid JSON event")


@pytest.mark.parametrize("line,problem", [
    ("[1, 2]", "an engine event is a JSON object, not a list"),
    ('{"resourcePreEvent": {"metadata": []}}', "resourcePreEvent has no metadata object"),
    ('{"resourcePreEvent": {"metadata": {"op": "create"}}}', "metadata has no urn"),
    ('{"resourcePreEvent": {"metadata": {"op": "fly", "urn": "urn:pulumi:s::p::aws:s3/bucket:Bucket::b"}}}',
     "unknown op 'fly'"),
])
def test_event_log_wrong_shapes(line, problem):
    with pytest.raises(InputError) as err:
        pulumi.from_event_log(f'{{"sequence": 1}}\n{line}\n'.encode(), "events.json")
    assert err.value.line == 2 and problem in str(err.value)


# ------------------------------------------------------------------------ inline (ours)

PROVIDER_URN = "urn:pulumi:dev::app::pulumi:providers:aws::tagged"


def _urn(token: str, name: str, parents: str = "") -> str:
    return f"urn:pulumi:dev::app::{parents}{token}::{name}"


def _step(op: str, token: str, name: str, inputs: dict[str, Any] | None = None, parent: str = "",
          provider: str = "", parents: str = "") -> dict[str, Any]:
    state = {"type": token, "urn": _urn(token, name, parents), "custom": True, "inputs": inputs or {}}
    if parent:
        state["parent"] = parent
    if provider:
        state["provider"] = provider
    return {"op": op, "urn": state["urn"], "newState": state}


def test_unknowns_secrets_and_assets_in_inputs():
    inputs = {
        "functionName": UNKNOWN,
        "environment": {"variables": {"API_KEY": {SIG: "1b47061264138c4ac30d75fd1eb44270", "value": "sk-live-123"},
                                      "MODE": "prod", "TARGET": UNKNOWN}},
        "layers": ["arn:layer:1", UNKNOWN],
        "code": {SIG: "0def7320c3a5731c473e5ecbe6d01bc7", "hash": "abc",
                 "assets": {"index.js": {SIG: "c44067f5952c0a294b673a41bacd8c17", "text": "console.log('src')"}}},
        "tracingConfig": {"mode": {SIG: "d0e6a833031e9bbcd3f4e8bde6ca49a4", "secret": False}},
        "role": {SIG: "d0e6a833031e9bbcd3f4e8bde6ca49a4", "value": "arn:role", "secret": False},
        "kmsKeyArn": {SIG: "d0e6a833031e9bbcd3f4e8bde6ca49a4", "value": "kms-secret-arn", "secret": True},
        "tags": {"team": "ml", "owner": UNKNOWN, "__defaults": []},
        "__defaults": ["publish"],
    }
    [r] = pulumi.from_preview({"steps": [_step("create", "aws:lambda/function:Function", "fn", inputs)]}, "p.json")
    assert r.properties == {
        "environment": {"variables": {"API_KEY": REDACTED, "MODE": "prod"}},
        "layers": ["arn:layer:1", None],
        "code": {"kind": "archive", "hash": "abc"},
        "tracing_config": {},
        "role": "arn:role",
        "kms_key_arn": REDACTED,
        "tags": {"team": "ml"},
    }
    assert r.unknown == frozenset({"function_name", "environment.variables.TARGET", "layers.1",
                                   "tracing_config.mode", "tags.owner"})
    assert r.secret == frozenset({"environment.variables.API_KEY", "kms_key_arn"})
    assert r.tags == {"team": "ml"} and r.is_unknown("tags.owner") and not r.is_unknown("tags")
    for value in ("sk-live-123", "kms-secret-arn", "console.log"):
        assert value not in repr(r)


def test_provider_default_tags_merge_under_resource_tags():
    provider = _step("create", "pulumi:providers:aws", "tagged",
                     {"region": "us-east-1", "defaultTags": {"tags": {"env": "prod", "team": "platform"}}})
    provider["urn"] = provider["newState"]["urn"] = PROVIDER_URN
    ref = f"{PROVIDER_URN}::{UNKNOWN}"
    steps = [
        provider,
        _step("create", "aws:sqs/queue:Queue", "jobs", {"tags": {"team": "ml"}}, provider=ref),
        _step("create", "aws:lambda/function:Function", "fn", {"runtime": "python3.12"}, provider=ref),
        _step("create", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "rpa", {"role": "r"}, provider=ref),
        _step("create", "aws:sqs/queue:Queue", "other", {"tags": {"team": "ml"}}),  # default provider
    ]
    got = {r.address: r.tags for r in pulumi.from_preview({"steps": steps}, "p.json")}
    assert got == {
        "aws_sqs_queue.jobs": {"env": "prod", "team": "ml"},
        "aws_lambda_function.fn": {"env": "prod", "team": "platform"},  # no tags input: defaults still apply
        "aws_iam_role_policy_attachment.rpa": {},  # not taggable
        "aws_sqs_queue.other": {"team": "ml"},
    }


def test_default_provider_takes_default_tags_from_stack_config():
    config = {"aws:defaultTags": json.dumps({"tags": {"cost-center": "cc-42"}})}
    ref = f"urn:pulumi:dev::app::pulumi:providers:aws::default_6_63_0::{UNKNOWN}"
    steps = [_step("create", "aws:sqs/queue:Queue", "jobs", {"tags": {"team": "ml"}}, provider=ref)]
    [r] = pulumi.from_preview({"config": config, "steps": steps}, "p.json")
    assert r.tags == {"cost-center": "cc-42", "team": "ml"}


@pytest.mark.parametrize("ignore,tags", [
    ({"keys": ["cost-center"], "keyPrefixes": ["own"]}, {"env": "prod", "team": "ml"}),
    (json.dumps({"keyPrefixes": ["cost"]}), {"env": "prod", "owner": "x", "team": "ml"}),  # as config stores it
    ({"keys": UNKNOWN}, None),  # only the deployment knows which: the defaults are unknown
    ({SIG: "1b47061264138c4ac30d75fd1eb44270", "value": {"keys": ["cost-center"], "keyPrefixes": ["own"]}},
     {"env": "prod", "team": "ml"}),  # a secret: judged by its value (hidden is not unknown)
])
def test_ignore_tags_leave_their_keys_out_of_the_default_tags(ignore, tags) -> None:
    """The AWS provider's ``ignoreTags`` (``ignore_tags`` in Terraform) keeps its keys out of ``tagsAll``: judged as
    the Terraform plan and the HCL scan judge them (`tags.ignoring`), on an explicit provider and on the stack
    config's ``aws:ignoreTags``."""
    defaults = {"tags": {"cost-center": "cc-42", "owner": "x", "env": "prod"}}
    provider = _step("create", "pulumi:providers:aws", "tagged", {"defaultTags": defaults, "ignoreTags": ignore})
    provider["urn"] = provider["newState"]["urn"] = PROVIDER_URN
    config = {"aws:defaultTags": json.dumps(defaults), "aws:ignoreTags": ignore}
    default = f"urn:pulumi:dev::app::pulumi:providers:aws::default_6_63_0::{UNKNOWN}"
    for given, ref in (({}, f"{PROVIDER_URN}::{UNKNOWN}"), (config, default)):
        steps = [provider, _step("create", "aws:sqs/queue:Queue", "q", {"tags": {"team": "ml"}}, provider=ref)]
        r = pulumi.from_preview({"config": given, "steps": steps}, "p.json")[-1]
        assert (r.tags, "tags" in r.unknown) == ((tags, False) if tags else ({"team": "ml"}, True))


def test_provider_default_tags_as_json_string_in_state_and_unknown_in_preview():
    state = {"version": 3, "deployment": {"resources": [
        {"urn": PROVIDER_URN, "type": "pulumi:providers:aws", "id": "pid",
         "inputs": {"defaultTags": "{\"tags\":{\"env\":\"prod\"}}"}},
        {"urn": _urn("aws:sqs/queue:Queue", "q"), "type": "aws:sqs/queue:Queue", "provider": f"{PROVIDER_URN}::pid",
         "inputs": {"name": "q"}, "outputs": {"tagsAll": {"env": "prod"}}},
    ]}}
    [r] = pulumi.from_state(state, "state.json")
    assert (r.address, r.action, r.tags) == ("aws_sqs_queue.q", "no-op", {"env": "prod"})

    provider = _step("create", "pulumi:providers:aws", "tagged", {"defaultTags": UNKNOWN})
    provider["urn"] = provider["newState"]["urn"] = PROVIDER_URN
    steps = [provider, _step("create", "aws:sqs/queue:Queue", "q", {"tags": {"team": "ml"}},
                             provider=f"{PROVIDER_URN}::{UNKNOWN}")]
    [r] = pulumi.from_preview({"steps": steps}, "p.json")
    assert r.tags == {"team": "ml"} and "tags" in r.unknown and r.notes


def test_tags_all_known_wins_and_unknown_tags_map():
    steps = [
        _step("update", "aws:sqs/queue:Queue", "a", {"tags": {"team": "new"}, "tagsAll": {"team": "old", "env": "p"}}),
        _step("create", "aws:sqs/queue:Queue", "b", {"tags": UNKNOWN}),
    ]
    a, b = pulumi.from_preview({"steps": steps}, "p.json")
    assert (a.action, a.tags, a.unknown) == ("update", {"team": "new", "env": "p"}, frozenset())
    assert (b.tags, b.unknown) == ({}, frozenset({"tags"}))


def test_addresses_collide_then_keep_the_urn():
    parent_a = _urn("my:component:Svc", "a")
    parent_b = _urn("my:component:Svc", "b")
    steps = [
        _step("create", "my:component:Svc", "a"),
        _step("create", "aws:iam/role:Role", "role", parent=parent_a, parents="my:component:Svc$"),
        _step("create", "aws:iam/role:Role", "role", parent=parent_b, parents="my:component:Svc$"),
        _step("same", "aws:s3/bucket:Bucket", "data::with::colons"),
    ]
    steps[2]["urn"] = steps[2]["newState"]["urn"] = steps[2]["urn"].replace("::app::", "::app2::")
    got = [(r.address, r.module, r.action) for r in pulumi.from_preview({"steps": steps}, "p.json")]
    assert got == [
        ("urn:pulumi:dev::app::my:component:Svc$aws:iam/role:Role::role", "a", "create"),
        ("urn:pulumi:dev::app2::my:component:Svc$aws:iam/role:Role::role", "b", "create"),
        ("aws_s3_bucket.data::with::colons", "", "no-op"),
    ]


def test_preview_ops():
    ops = ["create", "update", "same", "replace", "create-replacement", "delete", "discard", "delete-replaced",
           "read", "import"]
    steps = [_step(op, "aws:sqs/queue:Queue", f"q{i}") for i, op in enumerate(ops)]
    got = [(r.address, r.action) for r in pulumi.from_preview({"steps": steps}, "p.json")]
    assert got == [("aws_sqs_queue.q0", "create"), ("aws_sqs_queue.q1", "update"), ("aws_sqs_queue.q2", "no-op"),
                   ("aws_sqs_queue.q3", "replace"), ("aws_sqs_queue.q4", "replace"), ("aws_sqs_queue.q9", "create")]


def test_outputs_when_there_are_no_inputs_and_pending_deletes_skipped():
    state = {"target": "dev", "latest": {"resources": [
        {"urn": _urn("aws:sqs/queue:Queue", "q"), "type": "aws:sqs/queue:Queue",
         "outputs": {"name": "q", "visibilityTimeoutSeconds": 30}},
        {"urn": _urn("aws:sqs/queue:Queue", "old"), "type": "aws:sqs/queue:Queue", "delete": True, "inputs": {}},
        {"urn": _urn("aws:sqs/queue:Queue", "ext"), "type": "aws:sqs/queue:Queue", "external": True},
    ]}}
    [r] = pulumi.from_state(state, "s.json")
    assert (r.address, r.properties) == ("aws_sqs_queue.q", {"name": "q", "visibility_timeout_seconds": 30})


def test_empty_states():
    assert pulumi.from_state({"version": 3, "checkpoint": {"latest": None}}, "s.json") == []
    assert pulumi.from_state({"version": 3, "deployment": {"manifest": {}}}, "s.json") == []


@pytest.mark.parametrize("data,problem", [
    ([], "a Pulumi preview is a JSON object"),
    ({"steps": {}}, "steps must be a list, not an object"),
    ({"steps": [3]}, "steps[0] must be an object, not a number"),
    ({"steps": [{"urn": "u"}]}, "steps[0] has no op"),
    ({"steps": [{"op": "create"}]}, "steps[0] has no urn"),
    ({"steps": [{"op": "create", "urn": 5}]}, "steps[0].urn must be a string"),
    ({"steps": [{"op": "create", "urn": "u", "newState": []}]}, "steps[0].newState (u) must be an object"),
    ({"steps": [{"op": "create", "urn": "urn:pulumi:s::p::aws:sqs/queue:Queue::q",
                 "newState": {"type": "aws:sqs/queue:Queue", "inputs": [1]}}]}, "inputs must be an object"),
    ({"steps": [], "config": []}, "config must be an object"),
])
def test_preview_wrong_shapes(data, problem):
    with pytest.raises(InputError) as err:
        pulumi.from_preview(data, "preview.json")
    assert str(err.value).startswith("preview.json: ") and problem in str(err.value)


@pytest.mark.parametrize("data,problem", [
    ({"version": 3, "deployment": []}, "deployment must be an object, not a list"),
    ({"version": 3, "deployment": {"resources": {}}}, "deployment.resources must be a list"),
    ({"version": 3, "checkpoint": 1}, "checkpoint must be an object"),
    ({"version": 3, "checkpoint": {"latest": {"resources": "x"}}}, "checkpoint.latest.resources must be a list"),
    ({"latest": {"resources": [{"type": "aws:sqs/queue:Queue"}]}}, "resources[0] has no urn"),
    ({"latest": {"resources": [{"urn": "u"}]}}, "resources[0] has no type"),
    ({"latest": {"resources": [{"urn": "u", "type": "t", "provider": 1}]}}, "resources[0].provider must be a string"),
    ({"version": 3}, "not a Pulumi stack export or checkpoint"),
])
def test_state_wrong_shapes(data, problem):
    with pytest.raises(InputError) as err:
        pulumi.from_state(data, "state.json")
    assert problem in str(err.value)


def test_wrong_shape_through_the_dispatcher(tmp_path):
    path = tmp_path / "preview.json"
    path.write_text(json.dumps({"steps": "nope"}))
    with pytest.raises(InputError, match="steps must be a list, not a string"):
        load(path, fmt="pulumi-preview")
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": 4}}))
    with pytest.raises(InputError, match="deployment.resources must be a list, not a number"):
        load(path)
