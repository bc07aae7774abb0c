"""Schemas are valid, compiled once, and their errors read well."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from mockserver import registry, validation
from mockserver.resources import data_dir

VENDORS = {kind.name: kind for kind in registry.VENDORS}


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_every_schema_file_is_a_valid_2020_12_schema_with_its_id(vendor):
    files = sorted((data_dir("schemas") / vendor).glob("*.json"))
    assert files, f"schemas/{vendor}/ holds no schema"
    for file in files:
        schema = json.loads(file.read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"{validation.SCHEMA_BASE}{vendor}/{file.name}"
        validation.validator(vendor, file.stem)  # every $ref resolves


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_every_schema_an_operation_names_is_a_file(vendor):
    kind = VENDORS[vendor]
    operations = [*kind.table, *(kind.control_table or ())]
    named = {op.request for op in operations if op.request}
    named |= {name for op in operations for answer in op.responses.values() for name in answer.schemas}
    named |= {name for answer in kind.unrouted.values() for name in answer.schemas}
    assert named, f"{vendor} names no schema"
    files = {(folder.name, file.stem) for folder in data_dir("schemas").iterdir() if folder.is_dir() for file in folder.glob("*.json")}
    missing = sorted(name for name in named if tuple(name.split("/", 1)) not in files and (vendor, name) not in files)
    assert missing == []


def test_validators_are_compiled_once():
    assert validation.validator("vitally", "conversation.create") is validation.validator("vitally", "conversation.create")


@pytest.mark.parametrize(
    "body, message",
    [
        ({"subject": "s", "messages": []}, "externalId is required"),
        (None, "body must be an object"),
        ([], "body must be an object"),
        ({"externalId": 5, "subject": "s", "messages": []}, "externalId must be a string"),
        ({"externalId": "x", "subject": "s", "messages": {}}, "messages must be an array"),
        (
            {"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "hi", "from": {"type": "bot", "id": "1"}, "to": []}]},
            "messages[0].from.type must be one of admin, user",
        ),
        (
            {"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "hi", "from": {"type": "user", "id": "1"}, "to": [{"type": "user"}]}]},
            "messages[0].to[0].id is required",
        ),
        (
            {"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "hi", "from": {"type": "user", "id": "1"}, "to": [], "timestamp": "2021-02-30T00:00:00Z"}]},
            "messages[0].timestamp must be a valid date-time",
        ),
    ],
)
def test_first_problem_names_the_json_path_and_the_rule(body, message):
    problem = validation.first_problem("vitally", "conversation.create", body)
    assert problem is not None and problem.message == message


def test_a_valid_body_has_no_problem():
    body = {"externalId": "x", "subject": "s", "messages": [], "traits": {"a": None, "b": [1]}}
    assert validation.problems("vitally", "conversation.create", body) == []
