"""Schemas are valid, compiled once, and their errors read well."""
from __future__ import annotations

import json
import random
import zlib
from typing import Any

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


# -- the compiled validity check agrees with jsonschema -------------------------------------------

STRINGS = [
    "", " ", "x", "admin", "user", "active", "M", " F ", "0", "-1", "+7", " 42 ", "07", "1.5", "abc", "ABC", "a,b", "a:b", " a",
    "9f4c2b1e-3d5a-4c6b-8e7f-0a1b2c3d4e5f", "9F4C2B1E-3D5A-4C6B-8E7F-0A1B2C3D4E5F",
    "2021-01-01", "2021-02-30", "2021-1-2", "2021-01-01T10:00:00Z", "2021-01-01T10:00:00.123Z", "2021-01-01T10:00:00.123456Z",
    "2021-02-30T00:00:00Z", "2021-01-01 10:00:00", "2021-01-01T10:00:00+02:00", "2021-01-01T25:00:00Z", "not a date",
    "https://example.com/x", "http://x", "/__mockserver/reset", "/api", "3.1.0", "#a1b2c3", "#ZZZZZZ", "h:AbCdEfGhIjKlMnOpQrS",
    "GET", "get", "ann@example.com", "\u00e9t\u00e9", "\U0001f600", "a\nb",
]
STRAYS: list[Any] = [None, True, False, 0, 1, -1, 1.0, 2.5, 10**20, "", "x", [], {}, [1], {"a": 1}, [None], {"": None}]


class _Generator:
    """Instances that mostly follow a schema, and stray from it often enough to break each keyword."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._strings: dict[int, list[str]] = {}
        self.stray = 0.0  # how often a node strays from its schema; set per instance

    def __call__(self, schema: Any) -> Any:
        self.stray = self.rng.choice([0.0, 0.002, 0.02, 0.1])
        return self.instance(schema)

    def _strays(self) -> bool:
        return self.rng.random() < self.stray

    def strings(self, schema: dict[str, Any]) -> list[str]:
        found = self._strings.get(id(schema))
        if found is None:
            check = Draft202012Validator(schema, format_checker=validation._format_checker())
            found = self._strings[id(schema)] = [s for s in STRINGS if check.is_valid(s)] or STRINGS
        return found

    def instance(self, schema: Any, depth: int = 0) -> Any:
        rng = self.rng
        if not isinstance(schema, dict) or depth > 12 or self._strays():
            return rng.choice(STRAYS + STRINGS)
        if "const" in schema and not self._strays():
            return schema["const"]
        if "enum" in schema and not self._strays():
            return rng.choice(schema["enum"])
        for combined in ("anyOf", "oneOf", "allOf"):
            if combined in schema and not self._strays():
                return self.instance(rng.choice(schema[combined]), depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = rng.choice(kind)
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else None
        if kind == "object":
            required = set(schema.get("required", ()))
            out = {name: self.instance(sub, depth + 1) for name, sub in schema.get("properties", {}).items()
                   if (name in required) != self._strays() or (name not in required and rng.random() < 0.6)}
            if self._strays():
                out["unexpected"] = rng.choice(STRAYS)
            return out
        if kind == "array":
            low = schema.get("minItems", 0)
            return [self.instance(schema.get("items", True), depth + 1) for _ in range(rng.randrange(low, low + 4))]
        if kind == "string":
            return rng.choice(STRINGS if self._strays() else self.strings(schema))
        if kind in ("integer", "number"):
            low, high = schema.get("minimum", -5), schema.get("maximum", 10**6)
            if self._strays():
                return rng.choice([low - 1, high + 1, 2.5, 10**20, -(10**20), True, "1"])
            return rng.choice([low, high, max(low, 0), max(low, 1), float(max(low, 2))])
        if kind == "boolean":
            return rng.choice([0, 1, None] if self._strays() else [True, False])
        if kind == "null":
            return None
        return rng.choice(STRAYS + STRINGS)


COMPILED = [(vendor, name) for vendor in (*sorted(VENDORS), "control") for name in validation.schema_names(vendor)
            if validation.compile_check(validation.validator(vendor, name).schema) is not None]


def test_every_request_schema_of_vitally_compiles():
    """The bodies validated on every Vitally write take the compiled path."""
    requests = {op.request for op in VENDORS["vitally"].table if op.request}
    assert requests and {("vitally", name) for name in requests} <= set(COMPILED)


@pytest.mark.parametrize("vendor, name", COMPILED, ids=[f"{v}/{n}" for v, n in COMPILED])
def test_the_compiled_check_agrees_with_jsonschema(vendor, name):
    schema = validation.validator(vendor, name).schema
    check = validation.compile_check(schema)
    reference = validation.validator(vendor, name)
    generator = _Generator(zlib.crc32(f"{vendor}/{name}".encode()))
    valid = 0
    for _ in range(500):
        instance = generator(schema)
        expected = reference.is_valid(instance)
        assert check(instance) == expected, (instance, expected)
        valid += expected
    assert valid >= 25, f"only {valid} of 500 generated instances were valid: the valid path is hardly exercised"


def test_first_problem_is_jsonschemas_whichever_path_decides():
    body = {"externalId": "x", "subject": "s", "messages": [{"externalId": "m", "message": "hi", "from": {"type": "user", "id": "1"}, "to": []}]}
    assert validation.is_valid("vitally", "conversation.create", body) and validation.first_problem("vitally", "conversation.create", body) is None
    broken = {**body, "externalId": ""}
    assert not validation.is_valid("vitally", "conversation.create", broken)
    assert validation.first_problem("vitally", "conversation.create", broken) == validation.problems("vitally", "conversation.create", broken)[0]
