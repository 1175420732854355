"""The one effective-tags merge (`plangate.loaders.tags`), as one table: own tags over default tags,
unknown keys and maps, secret keys, notes."""

from __future__ import annotations

import pytest

from plangate.loaders.tags import (
    DEFAULTS_UNKNOWN,
    NO_DEFAULTS,
    SECRET_MAP,
    UNKNOWN_DEFAULTS,
    DefaultTags,
    EffectiveTags,
    OwnTags,
    clean_tags,
    ignoring,
    keys_under,
    merge,
)
from plangate.model import REDACTED, redact

F = frozenset
DEFAULTS = DefaultTags({"Env": "prod", "Owner": "ml"})

CASES = [
    ("no tags at all", OwnTags({}), None, EffectiveTags({})),
    ("own only", OwnTags({"A": "1"}), NO_DEFAULTS, EffectiveTags({"A": "1"})),
    ("defaults only", OwnTags({}), DEFAULTS, EffectiveTags({"Env": "prod", "Owner": "ml"})),
    ("own wins", OwnTags({"Env": "dev"}), DEFAULTS, EffectiveTags({"Env": "dev", "Owner": "ml"})),
    ("own empty value overrides", OwnTags({"Owner": ""}), DEFAULTS, EffectiveTags({"Env": "prod", "Owner": ""})),
    ("own unknown key hides the default", OwnTags({}, F({"Env"})), DEFAULTS,
     EffectiveTags({"Owner": "ml"}, F({"tags.Env"}))),
    ("unknown default key", OwnTags({"A": "1"}), DefaultTags({"CC": "x"}, F({"CC"})),
     EffectiveTags({"A": "1"}, F({"tags.CC"}))),
    ("own known key settles an unknown default", OwnTags({"CC": "cc-1"}), DefaultTags({}, F({"CC"})),
     EffectiveTags({"CC": "cc-1"})),
    ("own map unknown", OwnTags({}, known=False), DEFAULTS, EffectiveTags({}, F({"tags"}))),
    ("defaults an expression: own known tags stay", OwnTags({"A": "1"}, F({"B"})), UNKNOWN_DEFAULTS,
     EffectiveTags({"A": "1"}, F({"tags"}), notes=(DEFAULTS_UNKNOWN,))),
    ("own secret value keeps its key", OwnTags({"Owner": "[secret]"}, secret_keys=F({"Owner"})), DEFAULTS,
     EffectiveTags({"Env": "prod", "Owner": "[secret]"}, secret=F({"tags.Owner"}))),
    ("default secret value, not overridden", OwnTags({}), DefaultTags({"K": "[secret]"}, secret_keys=F({"K"})),
     EffectiveTags({"K": "[secret]"}, secret=F({"tags.K"}))),
    ("default secret overridden by own", OwnTags({"K": "v"}), DefaultTags({"K": "[secret]"}, secret_keys=F({"K"})),
     EffectiveTags({"K": "v"})),
    ("whole map secret", OwnTags({}, secret_map=True), DEFAULTS, EffectiveTags({}, F({"tags"}), notes=(SECRET_MAP,))),
]


@pytest.mark.parametrize("own,defaults,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_merge(own: OwnTags, defaults: DefaultTags | None, expected: EffectiveTags) -> None:
    assert merge(own, defaults) == expected


def test_clean_tags_and_keys_under() -> None:
    assert clean_tags({"a": 1, "b": True, "c": None, "d": [1]}) == {"a": "1", "b": "true", "d": "[1]"}
    assert clean_tags("not a map") == {}
    assert keys_under(["tags.A", "tags_all.B", "name", "tagsX.C"], "tags", "tags_all") == {"A", "B"}


IGNORED = DefaultTags({"CostCenter": "cc", "Owner": "ml", "OwnerTeam": "x", "Env": "prod"}, F({"Run"}), F({"Env"}))


@pytest.mark.parametrize("keys,prefixes,expected", [
    (None, None, IGNORED),  # no ignore_tags block
    ([], [], IGNORED),
    (["CostCenter", "Nope"], None,
     DefaultTags({"Owner": "ml", "OwnerTeam": "x", "Env": "prod"}, F({"Run"}), F({"Env"}))),
    (None, ["Owner"], DefaultTags({"CostCenter": "cc", "Env": "prod"}, F({"Run"}), F({"Env"}))),
    (["Env", "Run"], ["Cost"], DefaultTags({"Owner": "ml", "OwnerTeam": "x"})),  # unknown and secret keys too
    ({"references": ["var.ignored"]}, None, UNKNOWN_DEFAULTS),  # a list only the plan knows
    (["CostCenter", 3], None, UNKNOWN_DEFAULTS),
    (None, "Owner", UNKNOWN_DEFAULTS),  # not a list
])
def test_ignore_tags_leave_their_keys_out_of_the_defaults(keys, prefixes, expected: DefaultTags) -> None:
    """The AWS provider's ``ignore_tags`` keys and key prefixes are never in ``tags_all``: Terraform's plan holds
    neither (tests/fixtures/hcl_plan/ignore_tags)."""
    assert ignoring(IGNORED, keys, prefixes) == expected


def test_secret_ignored_keys_are_judged_as_in_the_clear() -> None:
    """Hidden is not unknown: keys from a sensitive variable or a Pulumi secret are compared by their value."""
    assert ignoring(IGNORED, redact(["CostCenter"]), redact(["Owner"])) == DefaultTags({"Env": "prod"}, F({"Run"}),
                                                                                        F({"Env"}))
    assert ignoring(IGNORED, [REDACTED], None) == UNKNOWN_DEFAULTS  # a secret whose value the input never carried


def test_ignore_tags_leave_no_defaults_and_unknown_defaults_as_they_are() -> None:
    assert ignoring(None, ["CostCenter"], None) is None
    assert ignoring(UNKNOWN_DEFAULTS, ["CostCenter"], None) is UNKNOWN_DEFAULTS
