"""JSON Schemas (draft 2020-12): loaded and compiled once per process, on first use.

Each vendor has a folder under schemas/; a schema's `$id` is
`https://mockserver.invalid/schemas/<vendor>/<file>`, so files `$ref` each other by
file name. Nothing here knows a vendor's error format: callers turn the first
problem into their vendor's error body.
"""
from __future__ import annotations

import json
import numbers
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator
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
    """The first of problems(); a valid instance is told apart first, by is_valid()."""
    if is_valid(vendor, name, instance):
        return None
    found = problems(vendor, name, instance)
    return found[0] if found else None


# -- validity, compiled ------------------------------------------------------------------
#
# Telling a valid instance apart is most of what validation does on a request (an invalid
# one is the exception), and jsonschema spends ~100 us on a Vitally create body walking
# its keyword functions. A schema made only of the keywords below is compiled into
# closures that answer "valid?" with jsonschema's semantics for those keywords (its
# type checker, its equality for enum/const, Python's re.search for pattern, our two
# formats); a schema with any other keyword jsonschema knows ($ref, if, prefixItems,
# unevaluatedProperties...) is not compiled, and jsonschema decides for it. Only the
# "valid" answer is trusted: an instance the closures refuse is handed to jsonschema,
# which phrases the problem (and has the last word). tests/test_validation.py checks the
# two agree on generated instances of every schema that compiles.

Check = Callable[[Any], bool]
_compiled: dict[tuple[str, str], Check | None] = {}


def is_valid(vendor: str, name: str, instance: Any) -> bool:
    """Whether `instance` is valid against schemas/<vendor>/<name>.json."""
    key = (vendor, name)
    if key not in _compiled:
        _compiled[key] = compile_check(validator(vendor, name).schema)
    check = _compiled[key]
    return check(instance) if check is not None else bool(validator(vendor, name).is_valid(instance))


def _type_check(name: str) -> Check | None:
    checks: dict[str, Check] = {
        "string": lambda x: isinstance(x, str),
        "object": lambda x: isinstance(x, dict),
        "array": lambda x: isinstance(x, list),
        "null": lambda x: x is None,
        "boolean": lambda x: isinstance(x, bool),
        "number": lambda x: isinstance(x, numbers.Number) and not isinstance(x, bool),
        # Draft 2020-12: an integer is any number with a zero fractional part (1.0 too).
        "integer": lambda x: not isinstance(x, bool) and (isinstance(x, int) or (isinstance(x, float) and x.is_integer())),
    }
    return checks.get(name)


_KNOWN_KEYWORDS: frozenset[str] | None = None


def _known_keywords() -> frozenset[str]:
    """The keywords jsonschema's 2020-12 validator acts on (others it ignores, as we do)."""
    global _KNOWN_KEYWORDS
    if _KNOWN_KEYWORDS is None:
        from jsonschema import Draft202012Validator

        _KNOWN_KEYWORDS = frozenset(Draft202012Validator.VALIDATORS)
    return _KNOWN_KEYWORDS


_FORMATS: dict[str, Check] = {"date-time": _is_date_time, "calendar-date": _is_calendar_date}


def compile_check(schema: Any) -> Check | None:
    """A function telling whether an instance is valid against `schema`, or None when
    the schema uses a keyword compiled here does not cover."""
    if schema is True:
        return lambda x: True
    if schema is False:
        return lambda x: False
    if not isinstance(schema, dict):
        return None
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword not in _known_keywords():
            continue  # an annotation or extension (title, x-expected...): jsonschema ignores it too
        check = _keyword(keyword, value, schema)
        if check is None:
            return None
        checks.append(check)
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    first, *rest = checks
    return lambda x: first(x) and all(check(x) for check in rest)


def _keyword(keyword: str, value: Any, schema: dict[str, Any]) -> Check | None:
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        types = [_type_check(name) for name in names]
        if any(t is None for t in types):
            return None
        found = [t for t in types if t is not None]
        return found[0] if len(found) == 1 else lambda x: any(t(x) for t in found)
    if keyword in ("enum", "const"):
        values = value if keyword == "enum" else [value]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None  # jsonschema's equality for other values (1 == 1.0, True != 1) is not redone here
        allowed = frozenset(values)
        return lambda x: isinstance(x, str) and x in allowed
    if keyword == "properties":
        subs = [(name, compile_check(sub)) for name, sub in value.items()]
        if any(check is None for _, check in subs):
            return None
        pairs = [(name, check) for name, check in subs if check is not None]
        return lambda x: not isinstance(x, dict) or all(name not in x or check(x[name]) for name, check in pairs)
    if keyword == "required":
        wanted = tuple(value)
        return lambda x: not isinstance(x, dict) or all(name in x for name in wanted)
    if keyword == "additionalProperties":
        if "patternProperties" in schema:
            return None
        known = frozenset(schema.get("properties", {}))
        extra = compile_check(value)
        if extra is None:
            return None
        return lambda x: not isinstance(x, dict) or all(key in known or extra(item) for key, item in x.items())
    if keyword == "items":
        if "prefixItems" in schema:
            return None
        item_check = compile_check(value)
        if item_check is None:
            return None
        return lambda x: not isinstance(x, list) or all(item_check(item) for item in x)
    if keyword in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"):
        kind = {"L": str, "I": list, "P": dict}[keyword[3]]
        bound = value
        if keyword.startswith("min"):
            return lambda x: not isinstance(x, kind) or not len(x) < bound
        return lambda x: not isinstance(x, kind) or not len(x) > bound
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        is_number = _type_check("number")
        assert is_number is not None
        limit = value
        # jsonschema's own failing comparisons, negated (NaN compares as it does there).
        fails: Callable[[Any], bool] = {
            "minimum": lambda x: x < limit, "maximum": lambda x: x > limit,
            "exclusiveMinimum": lambda x: x <= limit, "exclusiveMaximum": lambda x: x >= limit,
        }[keyword]
        return lambda x: not is_number(x) or not fails(x)
    if keyword == "pattern":
        compiled = re.compile(value)
        return lambda x: not isinstance(x, str) or compiled.search(x) is not None
    if keyword == "format":
        asserted: Check | None = _FORMATS.get(str(value))
        return asserted if asserted is not None else lambda x: True  # a format the checker does not assert is an annotation
    if keyword in ("anyOf", "allOf", "oneOf", "not"):
        branches = [compile_check(sub) for sub in (value if keyword != "not" else [value])]
        if any(branch is None for branch in branches):
            return None
        found = [branch for branch in branches if branch is not None]
        if keyword == "anyOf":
            return lambda x: any(branch(x) for branch in found)
        if keyword == "allOf":
            return lambda x: all(branch(x) for branch in found)
        if keyword == "oneOf":
            return lambda x: sum(1 for branch in found if branch(x)) == 1
        return lambda x: not found[0](x)
    return None


def schema_names(vendor: str) -> list[str]:
    return sorted(p.stem for p in (data_dir("schemas") / vendor).glob("*.json"))
