"""JSON Schemas (draft 2020-12): loaded and compiled once per process, on first use.

Each vendor has a folder under schemas/; a schema's `$id` is
`https://mockserver.invalid/schemas/<vendor>/<file>`, so files `$ref` each other by
file name. Nothing here knows a vendor's error format: callers turn the first
problem into their vendor's error body.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Iterator
from urllib.parse import urldefrag, urljoin

from .resources import data_dir

SCHEMA_BASE = "https://mockserver.invalid/schemas/"

_lock = threading.Lock()
_validators: dict[tuple[str, str], Any] = {}
_registries: dict[str, Any] = {}

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$"
)


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # the "type" keyword reports non-strings
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value[:10] + "T" + value[11:19])
    except ValueError:
        return False
    return True


_LEADING_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")


def _is_calendar_date(value: object) -> bool:
    """A string whose leading `Y-m-d` is a real day (2018-02-30 is not); the schema's
    pattern says what may follow. For date rules such as PHP's strtotime + checkdate."""
    if not isinstance(value, str):
        return True
    found = _LEADING_DATE.match(value)
    if found is None:
        return True  # the pattern keyword reports the shape
    try:
        date(*(int(part) for part in found.groups()))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Problem:
    """One way an instance breaks its schema, phrased for an API user."""

    path: str  # e.g. "messages[0].from.type", "" for the whole body
    message: str  # e.g. "messages[0].from.type must be one of admin, user"
    rule: str = ""  # the message without its subject: "must be one of admin, user"


def format_path(parts: Iterable[Any]) -> str:
    """`["messages", 0, "from"]` -> `messages[0].from`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def _rule(error: Any) -> str | None:
    """What the failing keyword asks, without the subject; None for keywords phrased as-is."""
    kind, arg = error.validator, error.validator_value
    if kind == "required":
        return "is required"
    if kind == "type":
        types = arg if isinstance(arg, list) else [arg]
        return "must be " + " or ".join(_TYPE_NAMES.get(t, str(t)) for t in types)
    if kind == "enum":
        return "must be one of " + ", ".join(str(v) for v in arg)
    if kind == "const":
        return f"must be {arg}"
    if kind == "minLength":
        return "must not be empty" if arg == 1 else f"must be at least {arg} characters long"
    if kind == "maxLength":
        return f"must be at most {arg} characters long"
    if kind == "minItems":
        return f"must contain at least {arg} item(s)"
    if kind == "maxItems":
        return f"must contain at most {arg} item(s)"
    if kind == "format":
        return f"must be a valid {arg}"
    if kind == "pattern":
        return "has an invalid format"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "greater than", "exclusiveMaximum": "less than"}[kind]
        return f"must be {word} {arg}"
    if kind in ("additionalProperties", "unevaluatedProperties"):
        extra = re.findall(r"'([^']+)'", error.message)
        return f"must not have the field(s) {', '.join(extra)}"
    return None


def phrase(error: Any) -> Problem:
    """A jsonschema ValidationError as a Problem."""
    path = format_path(error.absolute_path)
    if error.validator == "required":
        missing = re.match(r"'(.+?)' is a required property", error.message)
        name = missing.group(1) if missing else "field"
        path = f"{path}.{name}" if path else name
    subject = path or "body"
    rule = _rule(error)
    if rule is None:
        return Problem(path, f"{subject}: {error.message}", error.message)
    return Problem(path, f"{subject} {rule}", rule)


def _registry(vendor: str) -> Any:
    from referencing import Registry, Resource  # here, not at the top: jsonschema's imports cost ~40 ms of boot

    registry = _registries.get(vendor)
    if registry is None:
        resources = []
        for file in sorted((data_dir("schemas") / vendor).glob("*.json")):
            contents = json.loads(file.read_text(encoding="utf-8"))
            uri = contents.get("$id") or f"{SCHEMA_BASE}{vendor}/{file.name}"
            resources.append((uri, Resource.from_contents(contents)))
        registry = _registries[vendor] = Registry().with_resources(resources)
    return registry


# Keywords whose values are data, not subschemas: never searched for `$ref`.
DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})
_ANNOTATIONS = frozenset({"title", "description", "$comment", "deprecated", "readOnly", "writeOnly"})


def _inline_refs(node: Any, registry: Any, base: str, active: tuple[str, ...] = ()) -> Any:
    """`node` with every `$ref` replaced by a copy of the schema it points to.

    jsonschema looks a `$ref` up in the registry on every visit, which is about 40% of
    validating a request body; the inlined schema validates alike without lookups. A
    `$ref` that recurses, or that sits beside other keywords, stays as an absolute
    `$ref` (the registry still resolves it).
    """
    if isinstance(node, list):
        return [_inline_refs(item, registry, base, active) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = urljoin(base, ref)
        if target in active or set(node) - {"$ref"} - _ANNOTATIONS:
            return {**node, "$ref": target}
        contents = registry.resolver().lookup(target).contents
        inlined = _inline_refs(contents, registry, urldefrag(target)[0], active + (target,))
        if isinstance(inlined, dict):  # the copy lives inside another document now
            inlined = {k: v for k, v in inlined.items() if k not in ("$id", "$schema", "$defs")}
        return inlined
    return {key: value if key in DATA_KEYWORDS or key == "$defs" else _inline_refs(value, registry, base, active)
            for key, value in node.items()}


def validator(vendor: str, name: str) -> Any:
    """The compiled validator for schemas/<vendor>/<name>.json (compiled once per process).

    A name of another folder is written `folder/name` and wins over `vendor`.
    """
    if "/" in name:
        vendor, name = name.split("/", 1)
    key = (vendor, name)
    found = _validators.get(key)
    if found is not None:
        return found
    with _lock:
        found = _validators.get(key)
        if found is None:
            from jsonschema import Draft202012Validator  # on first use (import speed)

            registry = _registry(vendor)
            uri = f"{SCHEMA_BASE}{vendor}/{name}.json"
            schema = _inline_refs(registry.contents(uri), registry, uri, (uri,))
            found = Draft202012Validator(schema, registry=registry, format_checker=_format_checker())
            _validators[key] = found
    return found


def _format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date-time")(_is_date_time)
    checker.checks("calendar-date")(_is_calendar_date)
    return checker


def registry(vendor: str) -> Any:
    """The vendor's schema files as a `referencing` Registry, loaded once per process."""
    return _registry(vendor)


_explaining_registries: dict[str, Any] = {}


def explaining_registry(vendor: str) -> Any:
    """registry(), each file without its `$schema` (nested nodes are the same objects):
    jsonschema switches to the stock validator class of a subschema's `$schema`, which
    would drop the explaining validator's own keyword (`x-expected`) past every `$ref`."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    found = _explaining_registries.get(vendor)
    if found is None:
        source = _registry(vendor)
        resources = []
        for uri in source:
            contents = source.contents(uri)
            bare = {key: value for key, value in contents.items() if key != "$schema"}
            resources.append((uri, DRAFT202012.create_resource(bare)))
        found = _explaining_registries[vendor] = Registry().with_resources(resources)
    return found


def schema_uri(vendor: str, name: str) -> str:
    if "/" in name:
        vendor, name = name.split("/", 1)
    return f"{SCHEMA_BASE}{vendor}/{name}.json"


EXPECTED_KEYWORD = "x-expected"


def _usual_values(validator: Any, subschema: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """`x-expected`: what the vendor usually sends where the promise is wider (a new
    Monica account's gender names, where any name is allowed). Only the explaining
    validator reads it; its errors are tolerances, never failures of the fake."""
    yield from validator.descend(instance, subschema, schema_path=EXPECTED_KEYWORD)


def explaining_validator(vendor: str, name: str) -> Any:
    """A validator on the schema files as written (no `$ref` inlined). Slower than
    `validator()`, but each error's `schema` is an object of one file's own contents, so
    a tool can say which file and keyword an error comes from (the contract check).
    It also checks `x-expected` (see _usual_values)."""
    from jsonschema import Draft202012Validator, validators  # on first use (import speed)

    kind = validators.extend(Draft202012Validator, {EXPECTED_KEYWORD: _usual_values})  # type: ignore[no-untyped-call]
    uri = schema_uri(vendor, name)
    folder = uri[len(SCHEMA_BASE):].split("/", 1)[0]
    found = explaining_registry(folder)
    return kind(found.contents(uri), registry=found, format_checker=_format_checker())


def _errors(vendor: str, name: str, instance: Any) -> list[Any]:
    return sorted(
        validator(vendor, name).iter_errors(instance),
        key=lambda e: ([(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in e.absolute_path], str(e.validator)),
    )


def problems(vendor: str, name: str, instance: Any) -> list[Problem]:
    """Every problem with `instance`, in document order (path, then rule)."""
    return [phrase(error) for error in _errors(vendor, name, instance)]


def strict_problems(vendor: str, name: str, instance: Any) -> list[Problem]:
    """problems() for a schema that refuses unknown fields with `unevaluatedProperties`
    beside an `allOf` (data sets): a failing branch evaluates none of its fields, so they
    would all look unknown; unknown fields are reported only when nothing else is wrong."""
    errors = _errors(vendor, name, instance)
    specific = [error for error in errors if error.validator != "unevaluatedProperties"]
    return list(dict.fromkeys(phrase(error) for error in specific or errors))


def first_problem(vendor: str, name: str, instance: Any) -> Problem | None:
    found = problems(vendor, name, instance)
    return found[0] if found else None


def schema_names(vendor: str) -> list[str]:
    return sorted(p.stem for p in (data_dir("schemas") / vendor).glob("*.json"))
