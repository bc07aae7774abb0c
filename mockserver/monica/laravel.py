"""What Monica inherits from Laravel 9 and PHP 8, reimplemented for the rules Monica uses.

- Input: body merged over the query string, strings trimmed, `""` turned to null
  (TrimStrings + ConvertEmptyStringsToNull).
- Validation: `required`, `nullable`, `date`, `integer`, `boolean`, `string`, `array`,
  `max:N`, `in:a,b`, `exists:<table>`, every failing rule of every attribute, in rule
  order, with the messages of Monica's resources/lang/en/validation.php; and what
  Laravel's handler answers for a ValidationException nothing caught.
- PHP and MySQL value semantics the API leaks: FILTER_VALIDATE_INT, numeric strings,
  MySQL's string-to-number comparison used by `exists` and `where id = ?`.
- Dates as Eloquent stores them, Carbon's createFromDate, and `expectsJson()`.

Nothing here knows Monica's resources or HTTP routes.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

from ..errors import ApiError
from ..jsontext import decode, rebuild, strings

PHP_INT_MAX = 2**63 - 1
PHP_INT_MIN = -(2**63)

MESSAGES = {
    "required": "The {attribute} field is required.",
    "date": "The {attribute} is not a valid date.",
    "integer": "The {attribute} must be an integer.",
    "boolean": "The {attribute} field must be true or false.",
    "string": "The {attribute} must be a string.",
    "exists": "The selected {attribute} is invalid.",
    "in": "The selected {attribute} is invalid.",
    "array": "The {attribute} must be an array.",
    "max.string": "The {attribute} may not be greater than {max} characters.",
}


# -- input ---------------------------------------------------------------------


def _clean_string(value: Any) -> Any:
    if isinstance(value, str):
        trimmed = php_trim(value)
        return None if trimmed == "" else trimmed
    return value


def clean(value: Any) -> Any:
    """TrimStrings then ConvertEmptyStringsToNull, all the way down, as the global
    middleware does (without recursion: input nests up to JSON_DEPTH levels)."""
    return rebuild(value, leaf=_clean_string)


def php_trim(text: str) -> str:
    # Laravel 9 TrimStrings: preg_replace('~^[\s\x{FEFF}\x{200B}]+|[\s\x{FEFF}\x{200B}]+$~u', '', $value);
    # PCRE's \s without UCP is ASCII whitespace only.
    return re.sub(r"^[ \t\n\x0b\x0c\r\ufeff\u200b]+|[ \t\n\x0b\x0c\r\ufeff\u200b]+$", "", text)


# json_decode()'s default $depth. PHP's parser starts at depth 1 and refuses an array
# or object that would reach it, so at most JSON_DEPTH - 1 of them nest.
JSON_DEPTH = 512
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _php_int(text: str) -> int | float:
    # An integer beyond PHP_INT_MAX decodes as a float (no JSON_BIGINT_AS_STRING).
    if len(text.lstrip("-")) <= 19:
        number = int(text)
        if PHP_INT_MIN <= number <= PHP_INT_MAX:
            return number
    return float(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_decode(raw: bytes) -> Any:
    """`json_decode($raw, true)`: the value, or None wherever PHP gives null: invalid
    JSON or UTF-8, a lone UTF-16 surrogate escape (JSON_ERROR_UTF16), or arrays and
    objects nested deeper than JSON_DEPTH allows (JSON_ERROR_DEPTH)."""
    try:
        value = decode(raw, JSON_DEPTH - 1, parse_int=_php_int, parse_constant=_reject_constant)
    except ValueError:
        return None
    if _SURROGATE_ESCAPE.search(raw) and any(_SURROGATE.search(text) for text in strings(value)):
        return None  # a pair decodes to one character; what is left is unpaired
    return value


def as_input_bag(decoded: Any) -> dict[str, Any]:
    """`(array) json_decode($content, true)`: an object keeps its keys; anything else has
    only integer keys (a list, or a scalar wrapped as `[scalar]`), so no named field."""
    if isinstance(decoded, dict):
        return decoded
    if decoded is None:
        return {}
    items = decoded if isinstance(decoded, list) else [decoded]
    return {str(i): item for i, item in enumerate(items)}


def merged_input(body: Mapping[str, Any], query: Mapping[str, Any]) -> dict[str, Any]:
    """`$request->all()`: body input first, query string for keys the body lacks."""
    merged = dict(query)
    merged.update(body)
    return {key: clean(value) for key, value in merged.items()}


# -- PHP and MySQL values ------------------------------------------------------

_INT_STRING = re.compile(r"^[+-]?(0|[1-9][0-9]*)$")
# PHP 8 numeric string: optional leading and trailing whitespace around a number.
_NUMERIC = re.compile(r"^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$")
_LEADING_NUMERIC = re.compile(r"^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_MYSQL_PREFIX = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def php_string(value: Any) -> str:
    """`(string) $value` for the scalars JSON can carry."""
    if value is True:
        return "1"
    if value is False or value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return "NAN" if math.isnan(value) else "INF" if value > 0 else "-INF"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace("e+", "E+").replace("e-", "E-")
    return str(value)


def php_truthy(value: Any) -> bool:
    """PHP's `(bool) $value` (and `! empty($value)`) for JSON values: null, false, 0,
    0.0, "", "0" and an empty array are false."""
    if isinstance(value, str):
        return value not in ("", "0")
    if isinstance(value, (list, dict)):
        return len(value) > 0
    return bool(value)


def filter_int(value: Any) -> int | None:
    """filter_var($value, FILTER_VALIDATE_INT): the int, or None when it fails."""
    if isinstance(value, (list, dict)) or value is None:
        return None
    text = php_string(value).strip(" \t\n\r\v\x00")
    if not _INT_STRING.match(text) or len(text.lstrip("+-")) > 19:  # more digits cannot fit (nor should int() read them)
        return None
    number = int(text)
    return number if PHP_INT_MIN <= number <= PHP_INT_MAX else None


def is_numeric(value: Any) -> bool:
    """PHP 8 is_numeric()."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value))


def mysql_number(value: Any) -> float | None:
    """The number MySQL compares an integer column with: a string's numeric prefix, else 0."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _MYSQL_PREFIX.match(value)
        return float(match.group(0)) if match else 0.0
    return None


def mysql_id(value: Any) -> int | None:
    """The integer id that `where id = <value>` matches, or None when it matches none."""
    number = mysql_number(value)
    if number is None or not math.isfinite(number) or not number.is_integer():
        return None
    return int(number)


class PhpError(ApiError):
    """An uncaught PHP error: Monica's Handler answers 500 with its message."""

    status = 500


def php_int_argument(value: str, method: str, position: int, name: str) -> int:
    """A route segment passed to an `int`-typed controller parameter (coercive typing mode):
    a numeric string that fits an int (`12`, `1.5`, `1e3`) converts; one beyond
    PHP_INT_MAX, like any other string, is a TypeError."""
    if _NUMERIC.match(value):
        digits = value.strip()
        if _INT_STRING.match(digits) and len(digits.lstrip("+-")) <= 19 and PHP_INT_MIN <= int(digits) <= PHP_INT_MAX:
            return int(digits)
        number = float(value)
        if PHP_INT_MIN <= number < 2.0**63:  # ZEND_DOUBLE_FITS_LONG
            return int(number)
    elif _LEADING_NUMERIC.match(value):
        raise PhpError("A non-numeric value encountered")
    raise PhpError(
        f"{method}(): Argument #{position} (${name}) must be of type int, string given, "
        "called in /var/www/html/vendor/laravel/framework/src/Illuminate/Routing/Controller.php on line 54"
    )


# -- dates ---------------------------------------------------------------------

_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(?:[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$"
)
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_AMERICAN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_EUROPEAN = re.compile(r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_date(value: Any) -> datetime | None:
    """The wall-clock datetime Eloquent stores for a value the `date` rule accepts, else None.

    `date` is strtotime() !== false plus checkdate() on date_parse(): real calendar
    dates only, no relative words. `Y-m-d` is stored at midnight; any other accepted
    form keeps its wall-clock time and drops its offset. Accepted: Y-m-d[ H:i[:s[.u]]]
    with an optional Z/UTC/offset, Y/m/d, m/d/Y and d-m-Y or d.m.Y, each with an
    optional time (our subset of what strtotime reads).
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    parts: tuple[Any, ...]
    match = _YMD.match(text)
    if match:
        parts = (match.group(1), match.group(2), match.group(3), 0, 0, 0)
    elif (match := _DATE_TIME.match(text)) is not None:
        parts = match.groups()[:6]
    elif (match := _SLASHED.match(text)) is not None:
        parts = match.groups()
    elif (match := _AMERICAN.match(text)) is not None:
        month, day, year, *time = match.groups()
        parts = (year, month, day, *time)
    elif (match := _EUROPEAN.match(text)) is not None:
        day, month, year, *time = match.groups()
        parts = (year, month, day, *time)
    else:
        return None
    year, month, day, hour, minute, second = (int(p) if p is not None else 0 for p in parts)
    if year < 1 or hour > 23 or minute > 59 or second > 59:
        return None
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


@lru_cache(maxsize=65536)  # a list page formats every date of every embedded object
def timestamp(moment: datetime | None) -> str | None:
    """DateHelper::getTimestamp: `Y-m-d\\TH:i:s\\Z` of the stored wall clock (app timezone UTC)."""
    if moment is None:
        return None
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


def carbon_json(moment: datetime | None) -> str | None:
    """A raw Carbon value serialised by json_encode: ISO 8601 with microseconds."""
    if moment is None:
        return None
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{moment.microsecond:06d}Z"


def carbon_create_from_date(year: int, month: int, day: int) -> date:
    """The day `Carbon::createFromDate($year, $month, $day)` gives (PHP's createFromFormat
    with `!Y-n-j`): a month or day past its end overflows into the next (13 is January
    of the next year, day 0 the last day of the month before), as PHP's date parser does.

    A month or day that is negative or has three digits does not parse (Carbon throws);
    a year outside 1..9999 is beyond what the fake stores (our departure): PhpError.
    """
    if not 0 <= month <= 99:
        raise PhpError("A two digit month could not be found")
    if not 0 <= day <= 99:
        raise PhpError("A two digit day could not be found")
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    try:
        return date(year, month, 1) + timedelta(days=day - 1)
    except (ValueError, OverflowError):
        raise PhpError(f"mockserver cannot store a date in year {year}") from None


# -- validation ----------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    argument: str | None = None


def parse_rules(spec: str) -> tuple[Rule, ...]:
    rules = []
    for part in spec.split("|"):
        name, _, argument = part.partition(":")
        rules.append(Rule(name, argument or None))
    return tuple(rules)


Exists = Callable[[str, Any], bool]


def _is_empty(value: Any) -> bool:
    # validateRequired: null, a blank string, an empty array
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip(" \t\n\r\x00\x0b") == ""  # PHP trim()
    if isinstance(value, (list, dict)):
        return len(value) == 0
    return False


def _size(value: Any) -> int:
    if isinstance(value, (list, dict)):
        return len(value)
    return len(php_string(value))


def _passes(rule: Rule, value: Any, exists: Exists) -> bool:
    name = rule.name
    if name == "required":
        return not _is_empty(value)
    if name == "integer":
        return filter_int(value) is not None
    if name == "boolean":
        return value is True or value is False or (type(value) is int and value in (0, 1)) or value in ("0", "1")
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, (list, dict))
    if name == "in":
        # validateIn: `! is_array($value) && in_array((string) $value, $parameters)`
        return not isinstance(value, (list, dict)) and php_string(value) in (rule.argument or "").split(",")
    if name == "date":
        return parse_date(value) is not None
    if name == "max":
        return _size(value) <= int(rule.argument or 0)
    if name == "exists":
        if isinstance(value, (list, dict)):
            # whereIn(): every distinct item must exist
            items = list(value.values()) if isinstance(value, dict) else value
            return all(exists(rule.argument or "", item) for item in items)
        return exists(rule.argument or "", value)
    raise ValueError(f"unsupported rule {name}")


def _message(rule: Rule, attribute: str) -> str:
    display = attribute.replace("_", " ")
    if rule.name == "max":
        # getAttributeType(): "string" unless the attribute has a numeric or array rule,
        # which none of Monica's rules here have, even when an array's items were counted.
        return MESSAGES["max.string"].format(attribute=display, max=rule.argument)
    return MESSAGES[rule.name].format(attribute=display)


def validation_errors(data: Mapping[str, Any], rules: Sequence[tuple[str, str]], exists: Exists) -> dict[str, list[str]]:
    """The validator's message bag: every message of every failing rule, attribute by
    attribute (in rule order), rule by rule.

    An absent attribute is checked only by `required`; a null one skips the rules of
    a `nullable` attribute; a failed `required` ends that attribute's checks. An empty
    rule (Rule::requiredIf whose condition is false) is no rule.
    """
    errors: dict[str, list[str]] = {}
    for attribute, spec in rules:
        parsed = tuple(rule for rule in parse_rules(spec) if rule.name)
        present = attribute in data
        value = data.get(attribute)
        nullable = any(rule.name == "nullable" for rule in parsed)
        for rule in parsed:
            if rule.name == "nullable":
                continue
            if rule.name != "required" and (not present or (nullable and value is None)):
                continue
            if not _passes(rule, value, exists):
                errors.setdefault(attribute, []).append(_message(rule, attribute))
                if rule.name == "required":
                    break
    return errors


def validate(data: Mapping[str, Any], rules: Sequence[tuple[str, str]], exists: Exists) -> list[str]:
    """`$validator->errors()->all()`: the messages of validation_errors(), in order."""
    return [message for messages in validation_errors(data, rules, exists).values() for message in messages]


def validation_summary(messages: Sequence[str]) -> str:
    """ValidationException::summarize: the first message, and how many more there are."""
    if not messages:
        return "The given data was invalid."
    more = len(messages) - 1
    if more == 0:
        return messages[0]
    return f"{messages[0]} (and {more} more {'error' if more == 1 else 'errors'})"


def php_array(mapping: Mapping[Any, Any]) -> Any:
    """json_encode() of a PHP array: a list when its keys are 0..n-1, else an object."""
    keys = list(mapping)
    if keys == list(range(len(keys))):
        return list(mapping.values())
    return {str(key): value for key, value in mapping.items()}


# -- content negotiation -------------------------------------------------------


def _acceptable(accept: str | None) -> list[str]:
    """Symfony AcceptHeader: media types by quality, highest first, ties in header order."""
    if not accept:
        return []
    items = []
    for index, part in enumerate(accept.split(",")):
        media, *params = [piece.strip() for piece in part.split(";")]
        if not media:
            continue
        quality = 1.0
        for param in params:
            key, _, val = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(val)
                except ValueError:
                    quality = 0.0
        items.append((-quality, index, media))
    return [media for _, _, media in sorted(items)]


class Headers(Protocol):
    def get(self, key: str) -> str | None: ...


def expects_json(headers: Headers) -> bool:
    """Request::expectsJson(): an XHR accepting anything, or a first acceptable type that is JSON."""
    acceptable = _acceptable(headers.get("Accept"))
    accepts_any = not acceptable or acceptable[0] in ("*/*", "*")
    is_ajax = headers.get("X-Requested-With") == "XMLHttpRequest"
    is_pjax = bool(headers.get("X-PJAX"))
    wants_json = bool(acceptable) and any(token in acceptable[0].lower() for token in ("/json", "+json"))
    return (is_ajax and not is_pjax and accepts_any) or wants_json


def is_json_content_type(content_type: str | None) -> bool:
    """Request::isJson()."""
    lowered = (content_type or "").lower()
    return "/json" in lowered or "+json" in lowered


def last_of(values: Iterable[str]) -> str | None:
    """PHP keeps the last of repeated query keys (`?limit=1&limit=2` is 2)."""
    found = None
    for value in values:
        found = value
    return found
