"""`civility schema`: every YAML file of the default policy validates against it; broken files do not."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from engine import combinators, feature_matchers, matchers, policy, textmodel  # noqa: F401  (they register their kinds)
from engine.cli import main
from engine.policy import bundled_policy_dir

FILES = sorted(bundled_policy_dir().rglob("*.yaml")) + sorted((Path(__file__).parent / "policies").rglob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    r = CliRunner().invoke(main, ["schema", "--json"])
    assert r.exit_code == 0
    schema = json.loads(r.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_kind_of_file_is_in_the_default_policy() -> None:
    names = {p.name for p in FILES}
    assert {"policy.yaml", "name_calling.yaml", "name_calling.cases.yaml", "en.yaml"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_policy_file_validates(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
    assert not errors, jsonschema.exceptions.best_match(errors).message


RULE = {"id": "r", "category": "spam", "guideline": "g", "score": 3, "message": "m", "match": {"words": ["x"]}}


@pytest.mark.parametrize(
    "data",
    [
        {"rules": [{**RULE, "scroe": 3}]},  # a misspelt key
        {"rules": [{**RULE, "match": {"wrods": ["x"]}}]},  # an unknown matcher
        {"rules": [{**RULE, "match": {"words": ["x"], "regex": "y"}}]},  # two matchers in one mapping
        {"rules": [{**RULE, "match": {"near": [{"words": ["a"]}, {"list": "b"}], "show": "middle"}}]},
        {"rules": [{**RULE, "match": {"model": "insult"}}]},  # a model needs above or below
        {"rules": [{**RULE, "match": {"model": "insult", "above": 1.5}}]},
        {"rules": [{**RULE, "match": {"links": {}}}]},  # a count needs a bound
        {"rules": [{**RULE, "unless": [{"before": {"words": ["not"]}, "within": -1}]}]},
        {"rules": [{**RULE, "mode": "loud"}]},
        {"rules": [{k: v for k, v in RULE.items() if k != "match"}]},
        {"version": "1", "thresholds": {"flag": 3}, "categories": ["spam"], "guidelines": [], "disclose": "all"},
        {"version": "1", "thresholds": {}, "categories": ["spam"], "guidelines": []},
        {"cases": [{"text": "hi"}]},  # a case without expect
        {"lists": {"insults": "idiot"}},  # a list must be a list
        {"language": "english", "lists": {}},
    ],
)
def test_broken_files_fail(validator: jsonschema.Draft202012Validator, data: dict) -> None:
    assert list(validator.iter_errors(data))


def test_the_schema_names_every_key_the_loader_reads(validator: jsonschema.Draft202012Validator) -> None:
    defs = validator.schema["$defs"]
    kinds = {next(iter(k["required"])): set(k["properties"]) for k in defs["matcher"]["oneOf"]}
    assert set(kinds) == set(matchers.MATCHERS)
    for kind, companions in matchers.COMPANIONS.items():
        assert kinds[kind] == {kind, *companions}
    assert set(defs["rule"]["properties"]) == set(policy._RULE_KEYS)
    assert set(defs["policy_file"]["properties"]) == set(policy._POLICY_KEYS)
