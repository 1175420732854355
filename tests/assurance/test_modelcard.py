"""Model cards: the shipped schema is the Model Card Toolkit's; references resolve inside the repo."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import DATA, needs_data

from plangate.assurance import modelcard
from plangate.errors import InputError

GOOD = {"schema_version": "0.0.2",
        "model_details": {"name": "churn", "version": {"name": "3"}, "owners": [{"name": "ml", "contact": "ml@x"}]},
        "quantitative_analysis": {"performance_metrics": [{"type": "accuracy", "value": "0.88"}]}}


@needs_data
def test_the_shipped_schema_is_the_shared_copy_byte_for_byte():
    assert modelcard.SCHEMA.read_bytes() == (DATA / "model_cards" / "mct_model_card.schema.v0.0.2.json").read_bytes()


@pytest.mark.parametrize("doc", [
    GOOD,
    {**GOOD, "model_details": {"name": 7}},
    {**GOOD, "extra": 1},
    {**GOOD, "quantitative_analysis": {"performance_metrics": [{"value": 3}]}},
    {"model_parameters": {"data": [{"name": "train", "sensitive": {"sensitive_data": ["age"]}}]}},
    [],
])
def test_validation_agrees_with_jsonschema_on_the_schema(doc):
    schema = json.loads(modelcard.SCHEMA.read_text())
    expected = sorted(e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc))
    got = modelcard.schema_errors(doc, limit=100)
    assert sorted(e.split(": ", 1)[1] for e in got) == [m[:200] for m in expected]


def test_model_ids_and_quantitative_analysis():
    assert modelcard.model_ids(GOOD) >= {"churn", "churn-3", "churn:3", "churn@3"}
    assert modelcard.has_quantitative_analysis(GOOD)
    assert not modelcard.has_quantitative_analysis({**GOOD, "quantitative_analysis": {"performance_metrics": []}})
    assert modelcard.model_ids({"model_details": {}}) == frozenset()


@pytest.mark.parametrize("url,where", [
    ("https://github.com/acme/infra/blob/main/cards/churn.json", "cards/churn.json"),
    ("https://gitlab.com/acme/infra/-/blob/v2/cards/churn.json", "cards/churn.json"),
    ("https://raw.example.com/cards/churn", "cards/churn.json"),
    ("cards/churn.json", "cards/churn.json"),
    ("cards/churn.yaml", "cards/churn.yaml"),
])
def test_references_resolve_inside_the_repository(tmp_path, url, where):
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "churn.json").write_text(json.dumps(GOOD))
    (tmp_path / "cards" / "churn.yaml").write_text("model_details: {name: churn}\n")
    assert modelcard.resolve(url, tmp_path) == (tmp_path / where).resolve()


def test_references_outside_the_repository_do_not_resolve(tmp_path):
    outside = tmp_path / "secret.json"
    outside.write_text("{}")
    repo = tmp_path / "repo"
    repo.mkdir()
    assert modelcard.resolve("../secret.json", repo) is None
    assert modelcard.resolve(f"file://{outside}", repo) is None
    assert modelcard.resolve("s3://bucket/card.json", repo) is None


def test_yaml_cards_and_broken_cards(tmp_path):
    yaml_card = tmp_path / "c.yaml"
    yaml_card.write_text("schema_version: '0.0.2'\nmodel_details: {name: churn}\n")
    assert modelcard.check(yaml_card).valid
    broken = tmp_path / "c.json"
    broken.write_text("{not json")
    with pytest.raises(InputError, match="the model card: invalid JSON: Expecting property name"):
        modelcard.check(broken)
    with pytest.raises(InputError, match="the model card: no such file or directory"):
        modelcard.check(tmp_path / "missing.json")
