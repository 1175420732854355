"""Terraform plan JSON loader: every corpus plan, hand-pinned expectations, bad input, speed.

Real plans come from ../shared/corpus (nobody here wrote them).  The small inline plans in
this file, and the synthetic 10,000-resource plan, were written by us for these tests.
"""

from __future__ import annotations

import copy
import gc
import json
from typing import Any

import pytest
from conftest import CORPUS, FIXTURES, needs_corpus

from plangate.errors import InputError
from plangate.loaders import load, tfplan
from plangate.loaders.source import decode
from plangate.loaders.tags import DEFAULTS_UNKNOWN
from plangate.model import REDACTED, Location, Resource

CHECKOV = "tfplan/bridgecrewio__checkov/tests/terraform"
OIDC = f"{CHECKOV}/checks/data/aws/example_GithubActionsOIDCTrustPolicy/tfplan.json"
AFTER_UNKNOWN = f"{CHECKOV}/parser/resources/plan_after_unknown/tfplan.json"
UTF16 = f"{CHECKOV}/parser/resources/plan_encodings/tfplan_win_utf16.json"
NESTED = f"{CHECKOV}/runner/resources/plan_nested_child_modules_with_connections/tfplan.json"
DELETED = f"{CHECKOV}/runner/resources/plan_with_deleted_resources/tfplan.json"
STATE_ONLY = f"{CHECKOV}/runner/resources/plan/corrupted-tfplan.json"
FOR_EACH = "tfplan/bridgecrewio__checkov/tests/common/runner_registry/plan_with_for_each_for_enrichment/tf_plan.json"
TF012_DELETES = "tfplan/antonbabenko__terraform-cost-estimation/samples/terraform012-plan.json"
ISSUE_522 = "tfplan/terraform-compliance__cli/tests/functional/test_issue_522/plan.out.json"
INFRACOST = "tfplan/infracost__infracost/cmd/infracost/testdata"
DEFAULT_TAGS = f"{INFRACOST}/breakdown_with_policy_data_upload_plan_json/plan.json"
TF014_MODULES = f"{INFRACOST}/terraform_v0.14_plan.json"


def _index(kind: str) -> list[dict[str, Any]]:
    if not CORPUS.is_dir():
        return []
    return [e for e in json.loads((CORPUS / "INDEX.json").read_text()) if e["kind"] == kind]


def _load(rel: str) -> list[Resource]:
    return load(CORPUS / rel)


def _by_address(resources: list[Resource]) -> dict[str, Resource]:
    return {r.address: r for r in resources}


def _summary(r: Resource) -> tuple:
    return (r.address, r.type, r.module, r.action, r.tags, r.unknown)


# ------------------------------------------------------------------ every corpus plan loads


@needs_corpus
@pytest.mark.parametrize("entry", _index("tfplan"), ids=lambda e: e["path"].split("/", 2)[-1])
def test_every_corpus_plan_loads_or_fails_cleanly(entry):
    path = CORPUS / entry["path"]
    if "parse_error" in entry:
        with pytest.raises(InputError) as err:
            load(path)
        assert str(path) in str(err.value)
        return
    resources = load(path)
    data = json.loads(decode(path.read_bytes(), str(path)))
    changes = data.get("resource_changes")
    if changes is not None or "planned_values" in data:
        # INDEX counts managed resource_changes; deletions are never returned.
        gone = sum(1 for c in changes or [] if c.get("mode") == "managed" and c["change"]["actions"] == ["delete"])
        assert len(resources) == entry["resources"] - gone
    for r in resources:
        assert r.source_format == "tfplan" and r.type and r.address
        assert r.action in {"create", "update", "replace", "no-op"}
        assert r.location is not None and r.location.file == str(path)
        assert all(isinstance(v, str) for v in r.tags.values())


@needs_corpus
@pytest.mark.parametrize("entry", [e for e in _index("tfplan") if "parse_error" not in e],
                         ids=lambda e: e["path"].split("/", 2)[-1])
def test_lines_point_at_the_resource_address(entry):
    path = CORPUS / entry["path"]
    text = decode(path.read_bytes(), str(path)).splitlines()
    for r in load(path):
        assert r.location.line is not None, r.address
        assert json.dumps(r.address) in text[r.location.line - 1], r.address


# ------------------------------------------------------------------- hand-pinned corpus plans

OIDC_TAGS = {"checkov_uid": "CKV_AWS_358", "environment": "test", "managed_by": "terraform"}
ROLE_UNKNOWN = frozenset(
    {"arn", "assume_role_policy", "create_date", "id", "managed_policy_arns", "name_prefix", "unique_id"}
)


@needs_corpus
def test_oidc_plan_tags_all_from_provider_default_tags():
    resources = _load(OIDC)
    assert [_summary(r) for r in resources] == [
        ("module.poc.aws_iam_openid_connect_provider.r5", "aws_iam_openid_connect_provider", "module.poc", "create",
         OIDC_TAGS, frozenset({"arn", "id"})),
        ('module.poc.aws_iam_role.r6["p1"]', "aws_iam_role", "module.poc", "create", OIDC_TAGS, ROLE_UNKNOWN),
        ('module.poc.aws_iam_role.r6["p2"]', "aws_iam_role", "module.poc", "create", OIDC_TAGS, ROLE_UNKNOWN),
        ('module.poc.aws_iam_role.r1["p1"]', "aws_iam_role", "module.poc", "create", OIDC_TAGS, ROLE_UNKNOWN),
        ('module.poc.aws_iam_role.r1["p2"]', "aws_iam_role", "module.poc", "create", OIDC_TAGS, ROLE_UNKNOWN),
    ]  # the four data sources (action read) are not returned
    role = resources[1]
    assert role.provider == "aws" and role.secret == frozenset()
    assert role.get("inline_policy.name") == "eks_s3_access"
    assert role.location == Location(str(CORPUS / OIDC), 1063)


@needs_corpus
def test_oidc_plan_with_tags_all_unknown_falls_back_to_default_tags():
    # Same plan, but as a provider that has not computed tags_all yet would write it.
    path = CORPUS / OIDC
    data = json.loads(path.read_text())
    for change in data["resource_changes"]:
        after = change["change"]["after"]
        if after and "tags_all" in after:
            del after["tags_all"]
            after["tags"] = {"environment": "prod", "team": "ml", "gone": None}
            change["change"]["after_unknown"]["tags_all"] = True
            change["change"]["after_unknown"]["tags"] = {"team": True}
    resources = tfplan.from_data(data, str(path), None)
    role = _by_address(resources)['module.poc.aws_iam_role.r6["p1"]']
    # resource tags win over default_tags; null means "no tag"; the unknown key is marked
    assert role.tags == {"checkov_uid": "CKV_AWS_358", "environment": "prod", "managed_by": "terraform"}
    assert role.unknown == ROLE_UNKNOWN | {"tags_all", "tags.team"}
    assert not role.is_unknown("tags") and role.is_unknown("tags.team")
    assert role.location == Location(str(path), None)  # no raw bytes given: no line


def test_ignore_tags_apply_to_the_default_tags_a_plan_falls_back_on() -> None:
    """Where a provider has not computed ``tags_all`` yet, the configuration's ``default_tags`` stand in for it: less
    the keys its ``ignore_tags`` names, as in the ``tags_all`` Terraform computed (the plan Terraform made of
    tests/fixtures/hcl_plan/ignore_tags, with ``tags_all`` taken out as such a provider writes it); ignored keys from
    a variable, which the configuration holds as a reference, leave the defaults unknown."""
    path = FIXTURES / "hcl_plan" / "ignore_tags.plan.json"
    data = json.loads(path.read_text())
    computed = {}
    for change in data["resource_changes"]:
        after = change["change"]["after"]
        if after and isinstance(after.get("tags_all"), dict):
            computed[change["address"]] = after.pop("tags_all")
            change["change"]["after_unknown"]["tags_all"] = True
    resources = _by_address(tfplan.from_data(data, str(path), None))
    assert computed["aws_sqs_queue.defaults_only"] == {"Environment": "prod", "Project": "ranking"}
    assert resources["aws_sqs_queue.defaults_only"].tags == computed["aws_sqs_queue.defaults_only"]
    assert resources["aws_sqs_queue.own_tags"].tags == {"CostCenter": "cc-4100", "Environment": "prod",
                                                        "Owner": "search-ml", "Project": "ranking"}
    assert computed["aws_sns_topic.eu"] == {"CostCenter": "cc-4100", "Owner": "ml-platform", "Project": "ranking"}
    eu = resources["aws_sns_topic.eu"]
    assert eu.is_unknown("tags") and DEFAULTS_UNKNOWN in eu.notes


@needs_corpus
def test_default_tags_merged_under_resource_tags():
    resources = _by_address(_load(DEFAULT_TAGS))
    defaults = {"DefaultNotOverride": "defaultnotoverride", "DefaultOverride": "defaultoverride"}
    assert resources["aws_dynamodb_table.autoscale_dynamodb_table"].tags == defaults
    assert resources["aws_instance.web_app"].tags == {**defaults, "foo": "bar"}


@needs_corpus
def test_plan_after_unknown_with_null_after():
    [r] = _load(AFTER_UNKNOWN)
    assert (r.address, r.type, r.action, r.properties, r.tags) == (
        "aws_cloudfront_distribution.cloudfront", "aws_cloudfront_distribution", "create", {}, {})
    assert r.unknown == frozenset({"logging_config.0.bucket"})
    assert r.is_unknown("logging_config.0.bucket") and not r.is_unknown("logging_config")


@needs_corpus
def test_utf16_plan_from_windows():
    [r] = _load(UTF16)
    assert (r.address, r.type, r.action, r.tags) == ("aws_s3_bucket.data", "aws_s3_bucket", "create", {})
    assert r.location == Location(str(CORPUS / UTF16), 38)  # the resource_changes entry
    assert r.get("bucket") is not None


@needs_corpus
def test_replace_and_deleted_resources():
    [secret] = _load(DELETED)  # actions ["create", "delete"]: a create-before-destroy replacement
    assert (secret.address, secret.action, secret.tags) == ("aws_secretsmanager_secret.default", "replace", {})
    assert "tags" not in secret.unknown and "tags_all" in secret.unknown  # no default_tags to wait for
    # terraform012-plan: three instances are deleted and must not appear at all
    assert [(r.address, r.action) for r in _load(TF012_DELETES)] == [
        ("aws_instance.this_1", "no-op"), ("aws_instance.this_2[0]", "no-op")]


@needs_corpus
def test_deleted_resources_and_sensitive_values_in_issue_522():
    resources = _by_address(_load(ISSUE_522))
    assert not any("Metricos_custom_alert" in a for a in resources)  # deleted: not returned
    fn = resources["aws_lambda_function.lambda"]
    assert fn.secret == frozenset({"environment.0.variables.EVENT_BUS_ARN"})
    assert "EVENT_BUS_ARN" not in fn.get("environment.variables")  # Terraform 0.15 left it out
    assert resources["aws_ssm_parameter.lambda_sg_id"].secret == frozenset({"value"})
    assert fn.tags["Team"] == "Metricos" and fn.action == "create"


@needs_corpus
def test_child_modules_at_depth():
    assert [(r.address, r.module) for r in _load(NESTED)] == [
        ("aws_s3_bucket.root_bucket", ""),
        ("aws_s3_bucket_public_access_block.root", ""),
        ("module.s3_bucket.aws_s3_bucket.this[0]", "module.s3_bucket"),
        ("module.s3_bucket.aws_s3_bucket_acl.this[0]", "module.s3_bucket"),
        ("module.s3_bucket.aws_s3_bucket_public_access_block.this[0]", "module.s3_bucket"),
        ("module.s3_module.aws_s3_bucket.module_bucket", "module.s3_module"),
        ("module.s3_module.aws_s3_bucket_public_access_block.module_bucket", "module.s3_module"),
        ("module.s3_module.module.s3_submodule.aws_s3_bucket.submodule_bucket", "module.s3_module.module.s3_submodule"),
        ("module.s3_module.module.s3_submodule.aws_s3_bucket_public_access_block.submodule_bucket",
         "module.s3_module.module.s3_submodule"),
    ]


@needs_corpus
def test_planned_values_fallback_walks_child_modules_at_depth():
    path = CORPUS / NESTED
    data = json.loads(path.read_text())
    del data["resource_changes"]
    from_planned = tfplan.from_data(data, str(path), path.read_bytes())
    assert sorted(r.address for r in from_planned) == sorted(r.address for r in _load(NESTED))
    deep = _by_address(from_planned)["module.s3_module.module.s3_submodule.aws_s3_bucket.submodule_bucket"]
    assert deep.module == "module.s3_module.module.s3_submodule" and deep.action == "create"
    assert deep.location.line is not None and deep.notes


@needs_corpus
def test_count_and_for_each_addresses():
    resources = _load(FOR_EACH)
    assert [(r.address, r.module) for r in resources] == [
        ('aws_route53_zone.example["example.com"]', ""),
        ('aws_route53_zone.example["example2.eu"]', ""),
        ('module.sg["awful_example"].aws_security_group.bad', 'module.sg["awful_example"]'),
        ('module.sg["bad_example"].aws_security_group.bad', 'module.sg["bad_example"]'),
        ('module.sg["terrible_example"].aws_security_group.bad', 'module.sg["terrible_example"]'),
    ]
    assert [r.location.line for r in resources] == [208, 245, 282, 352, 422]


@needs_corpus
def test_terraform_0_14_nested_modules_and_mixed_actions():
    resources = _by_address(_load(TF014_MODULES))
    db = resources["module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"]
    assert (db.module, db.action, db.tags) == ("module.db.module.db_1.module.db_instance", "update",
                                               {"Environment": "dev", "Name": "demodb", "Owner": "user2"})
    assert resources['aws_instance.instance_named["test.1"]'].action == "no-op"
    assert resources['aws_instance.instance_named["test.2"]'].tags == {"Name": "test.2"}


@needs_corpus
def test_state_values_without_a_plan_load_as_no_op_and_redacted():
    [r] = _load(STATE_ONLY)  # `terraform show -json` of a state: values, not planned_values
    assert (r.address, r.action, r.provider) == ("test_instance.test", "no-op", "test")
    assert r.properties == {"id": "621124146446964903", "ami": REDACTED}
    assert r.secret == frozenset({"ami"}) and "abc" not in repr(r)


# ------------------------------------------------------------------ inline plans (ours)


def _plan(*changes: dict[str, Any], configuration: dict[str, Any] | None = None) -> dict[str, Any]:
    plan: dict[str, Any] = {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": list(changes)}
    if configuration is not None:
        plan["configuration"] = configuration
    return plan


def _change(address: str, actions: list[str], after: Any, unknown: Any = None, sensitive: Any = None,
            module: str | None = None, name: str | None = None) -> dict[str, Any]:
    rtype = address.split(".")[-2] if module is None else address[len(module) + 1:].split(".")[0]
    out = {"address": address, "mode": "managed", "type": rtype, "name": name or address.split(".")[-1],
           "provider_name": "registry.terraform.io/hashicorp/aws",
           "change": {"actions": actions, "before": None, "after": after,
                      "after_unknown": unknown or {}, "after_sensitive": sensitive or {}}}
    if module is not None:
        out["module_address"] = module
    return out


def _aws_config(default_tags: Any, resources: list[dict[str, Any]] | None = None,
                module_calls: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    provider_config = {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                               "expressions": {"default_tags": [{"tags": default_tags}]}}}
    provider_config.update(extra or {})
    return {"provider_config": provider_config,
            "root_module": {"resources": resources or [], "module_calls": module_calls or {}}}


def test_actions_map_and_skip():
    plan = _plan(
        _change("aws_sqs_queue.a", ["create"], {"name": "a"}),
        _change("aws_sqs_queue.b", ["update"], {"name": "b"}),
        _change("aws_sqs_queue.c", ["no-op"], {"name": "c"}),
        _change("aws_sqs_queue.d", ["delete", "create"], {"name": "d"}),
        _change("aws_sqs_queue.e", ["create", "delete"], {"name": "e"}),
        _change("aws_sqs_queue.f", ["delete"], None),
        _change("aws_sqs_queue.g", ["read"], {"name": "g"}),
        {**_change("aws_sqs_queue.h", ["read"], {"name": "h"}), "mode": "data"},
    )
    got = [(r.address, r.action) for r in tfplan.from_data(plan, "p.json", None)]
    assert got == [("aws_sqs_queue.a", "create"), ("aws_sqs_queue.b", "update"), ("aws_sqs_queue.c", "no-op"),
                   ("aws_sqs_queue.d", "replace"), ("aws_sqs_queue.e", "replace")]


def test_secrets_are_redacted_everywhere_and_never_kept():
    after = {"name": "db", "password": "hunter2-pw", "tags": {"team": "ml", "token": "tag-secret-x"},
             "settings": [{"key": "s3cr3t-key", "plain": "ok"}], "empty_secret": None}
    sensitive = {"password": True, "tags": {"token": True}, "settings": [{"key": True}], "empty_secret": True}
    plan = _plan(_change("aws_db_instance.db", ["create"], after, sensitive=sensitive))
    [r] = tfplan.from_data(plan, "p.json", None)
    assert r.properties == {"name": "db", "password": REDACTED, "tags": {"team": "ml", "token": REDACTED},
                            "settings": [{"key": REDACTED, "plain": "ok"}], "empty_secret": None}
    assert r.secret == frozenset({"password", "tags.token", "settings.0.key", "empty_secret"})
    assert r.tags == {"team": "ml", "token": REDACTED}
    assert r.show("password", r.get("password")) == "[secret]"
    for value in ("hunter2-pw", "tag-secret-x", "s3cr3t-key"):
        assert value not in repr(r)
    assert after["password"] == "hunter2-pw"  # the parsed input is not modified in place


def test_whole_tags_map_sensitive_keeps_keys_not_values():
    after = {"tags": {"team": "ml-secret"}, "tags_all": {"team": "ml-secret", "env": "prod"}}
    plan = _plan(_change("aws_sqs_queue.q", ["create"], after, sensitive={"tags": True, "tags_all": True}))
    [r] = tfplan.from_data(plan, "p.json", None)
    assert r.tags == {"team": REDACTED, "env": REDACTED} and "ml-secret" not in repr(r)


def test_whole_object_sensitive():
    plan = _plan(_change("aws_sqs_queue.q", ["create"], {"name": "qq-secret", "tags": None}, sensitive=True))
    [r] = tfplan.from_data(plan, "p.json", None)
    assert r.secret == frozenset({"name", "tags"}) and "qq-secret" not in repr(r)


def test_unknown_paths_use_list_indexes():
    unknown = {"arn": True, "tracing_config": [{"mode": True}], "tags": {"Owner": True},
               "vpc_config": [{"subnet_ids": [False, True]}], "layers": []}
    after = {"tags": {"team": "ml", "Owner": None}, "tracing_config": [{}], "vpc_config": [{"subnet_ids": ["a"]}]}
    [r] = tfplan.from_data(_plan(_change("aws_lambda_function.f", ["create"], after, unknown)), "p.json", None)
    assert r.unknown == frozenset({"arn", "tracing_config.0.mode", "tags.Owner", "vpc_config.0.subnet_ids.1"})
    assert r.tags == {"team": "ml"}


def test_tags_all_lagging_behind_tags_on_update():
    after = {"tags": {"team": "new", "cost-center": "cc-1"}, "tags_all": {"team": "old", "env": "prod"}}
    [r] = tfplan.from_data(_plan(_change("aws_sqs_queue.q", ["update"], after)), "p.json", None)
    assert r.tags == {"team": "new", "cost-center": "cc-1", "env": "prod"}


def test_default_tags_by_provider_alias_and_module():
    config = _aws_config(
        {"constant_value": {"owner": "platform", "env": "prod"}},
        resources=[{"address": "aws_sqs_queue.east", "mode": "managed", "type": "aws_sqs_queue", "name": "east",
                    "provider_config_key": "aws.east"}],
        module_calls={"svc": {"module": {"resources": [
            {"address": "aws_sqs_queue.m", "mode": "managed", "type": "aws_sqs_queue", "name": "m",
             "provider_config_key": "svc:aws"}]}}},
        extra={"aws.east": {"name": "aws", "alias": "east", "expressions": {
            "default_tags": [{"tags": {"constant_value": {"owner": "east-team"}}}]}}},
    )
    plan = _plan(
        _change("aws_sqs_queue.plain", ["create"], {"tags": {"team": "ml"}}, {"tags_all": True}),
        _change("aws_sqs_queue.east", ["create"], {"tags": None}, {"tags_all": True}),
        _change('module.svc[0].aws_sqs_queue.m', ["create"], {"tags": {"env": "dev"}}, {"tags_all": True},
                module="module.svc[0]", name="m"),
        _change("aws_iam_role_policy_attachment.x", ["create"], {"role": "r"}),  # not taggable
        configuration=config,
    )
    got = {r.address: (r.tags, "tags" in r.unknown) for r in tfplan.from_data(plan, "p.json", None)}
    assert got == {
        "aws_sqs_queue.plain": ({"owner": "platform", "env": "prod", "team": "ml"}, False),
        "aws_sqs_queue.east": ({"owner": "east-team"}, False),
        "module.svc[0].aws_sqs_queue.m": ({"owner": "platform", "env": "dev"}, False),  # inherits root provider
        "aws_iam_role_policy_attachment.x": ({}, False),
    }


def test_default_tags_from_an_expression_make_tags_unknown():
    config = _aws_config({"references": ["var.default_tags"]})
    plan = _plan(_change("aws_sqs_queue.q", ["create"], {"tags": {"team": "ml"}}, {"tags_all": True}),
                 configuration=config)
    [r] = tfplan.from_data(plan, "p.json", None)
    assert r.tags == {"team": "ml"} and "tags" in r.unknown and r.is_unknown("tags.env")
    assert any("default_tags" in n for n in r.notes)


def test_tags_all_known_wins_over_default_tags_expression():
    config = _aws_config({"references": ["var.default_tags"]})
    after = {"tags": {"team": "ml"}, "tags_all": {"team": "ml", "env": "prod"}}
    [r] = tfplan.from_data(_plan(_change("aws_sqs_queue.q", ["create"], after), configuration=config), "p", None)
    assert (r.tags, r.unknown, r.notes) == ({"team": "ml", "env": "prod"}, frozenset(), ())


def test_tag_values_become_strings():
    after = {"tags": {"n": 3, "b": True, "s": "x", "gone": None}}
    [r] = tfplan.from_data(_plan(_change("aws_sqs_queue.q", ["create"], after)), "p", None)
    assert r.tags == {"n": "3", "b": "true", "s": "x"}


def test_line_lookup_compact_pretty_and_escaped():
    plan = _plan(_change('aws_sqs_queue.q["a<b>"]', ["create"], {}), _change("aws_sqs_queue.z", ["create"], {}))
    compact = json.dumps(plan, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").encode()
    pretty = json.dumps(plan, indent=2).encode()
    assert [r.location.line for r in tfplan.from_data(plan, "p", compact)] == [1, 1]
    lines = [r.location.line for r in tfplan.from_data(plan, "p", pretty)]
    assert lines == [6, 22]
    assert '"address": "aws_sqs_queue.z"' in pretty.decode().splitlines()[21]


@pytest.mark.parametrize("data,problem", [
    ([], "a Terraform plan is a JSON object"),
    ({"format_version": "2.0", "resource_changes": []}, "unsupported plan format_version '2.0'"),
    ({"format_version": 1, "resource_changes": []}, "format_version must be a string"),
    ({"resource_changes": {"a": 1}}, "resource_changes must be a list, not an object"),
    ({"resource_changes": ["x"]}, "resource_changes[0] must be an object, not a string"),
    ({"resource_changes": [{"type": "aws_s3_bucket", "change": {}}]}, "resource_changes[0] has no address"),
    ({"resource_changes": [{"address": "a.b", "change": {}}]}, "resource_changes[0] (a.b) has no type"),
    ({"resource_changes": [{"address": "a.b", "type": "a"}]}, "resource_changes[0] (a.b) has no change object"),
    ({"resource_changes": [{"address": "a.b", "type": "a", "change": {"actions": "create"}}]},
     "change.actions must be a list of strings"),
    ({"resource_changes": [{"address": "a.b", "type": "a", "change": {"actions": ["explode"]}}]},
     "unsupported change.actions ['explode']"),
    ({"resource_changes": [{"address": "a.b", "type": "a", "change": {"actions": ["create"], "after": []}}]},
     "resource_changes[0].change.after must be an object, not a list"),
    ({"resource_changes": [{"address": "a.b", "type": "a", "change": {"actions": ["create"], "after_unknown": "x"}}]},
     "after_unknown must be an object or boolean"),
    ({"resource_changes": [{"address": "a.b", "type": "a", "module_address": 3,
                            "change": {"actions": ["create"]}}]}, "module_address must be a string"),
    ({"planned_values": []}, "planned_values must be an object, not a list"),
    ({"planned_values": {"root_module": {"child_modules": {}}}}, "child_modules must be a list"),
    ({"planned_values": {"root_module": {"resources": [{"address": "x.y"}]}}}, "has no type"),
])
def test_invalid_structure_is_an_input_error(data, problem):
    with pytest.raises(InputError) as err:
        tfplan.from_data(data, "bad.json", None)
    assert str(err.value).startswith("bad.json: ") and problem in str(err.value)


def test_invalid_structure_through_the_dispatcher(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": 7}))
    with pytest.raises(InputError, match="resource_changes must be a list, not a number"):
        load(path)


def test_empty_plan_has_no_resources():
    assert tfplan.from_data({"format_version": "1.2", "terraform_version": "1.9.0"}, "p", b"{}") == []


# ------------------------------------------------------------------------------------ speed


@needs_corpus
def test_ten_thousand_resource_plan_loads_whole(tmp_path):
    # A synthetic plan (ours) built from real resource changes; timing is benchmarks/scan_large_plan.py.
    pool, configuration = [], None
    for rel in (OIDC, DEFAULT_TAGS, f"{CHECKOV}/runner/resources/plan/tfplan.json"):
        data = json.loads((CORPUS / rel).read_text())
        pool += [c for c in data["resource_changes"] if c.get("mode") == "managed"]
        configuration = configuration or data.get("configuration")
    changes = []
    for i in range(10_000):
        change = copy.deepcopy(pool[i % len(pool)])
        change["address"] = f'{change["type"]}.r{i}'
        change["name"] = f"r{i}"
        change.pop("module_address", None)
        changes.append(change)
    planned = [{"address": c["address"], "mode": "managed", "type": c["type"], "name": c["name"],
                "values": c["change"]["after"]} for c in changes]
    plan = {"format_version": "1.2", "terraform_version": "1.5.7",
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": changes, "configuration": configuration}
    path = tmp_path / "big.json"
    path.write_bytes(json.dumps(plan, separators=(",", ":")).encode())
    del plan, changes, planned, pool, configuration
    gc.collect()
    resources = load(path)
    assert len(resources) == 10_000 and resources[-1].location.line == 1


