"""One exchange against what its operation declares: the status, the headers that matter,
the body's JSON Schema. Each difference is a Finding with the JSON path, what the
declaration expects, what came back (shortened) and the file that says it.

Promise or tolerance: a difference is a broken promise unless
- it is an unknown extra field (vendors add fields; clients must ignore them), or
- it lies in or under a schema node annotated `"x-tolerance": "<why>"` (the README's
  fidelity table calls it our inference, or live observations disagree with the docs), or
- it is outside a node's `"x-expected"` values (what the vendor usually sends, where its
  promise is wider: a new Monica account's gender names), or
- it is a header the vendor's contract lists as inferred, or
- the vendor gave a declared answer other than the one the probe expected.
The schema files stay the single source: the annotation sits beside the rule it softens.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import urldefrag, urljoin

from .. import validation
from ..probe import Json
from .exchange import Exchange, header

if TYPE_CHECKING:
    from ..operations import Answer, Operation
    from ..surface import Vendor

PROMISE, TOLERANCE = "promise", "tolerance"
TOLERANCE_KEYWORD = "x-tolerance"
EXTRA_WHY = "an unknown field: the vendor may add fields, clients ignore them"
_KINDS = {"required": "missing", "additionalProperties": "extra", "unevaluatedProperties": "extra", "maxProperties": "extra", "type": "type"}


@dataclass(frozen=True)
class Finding:
    """One difference between an answer and its declaration."""

    level: str  # PROMISE or TOLERANCE
    kind: str  # missing, extra, type, value, status, header, body, route, round-trip
    operation: str  # the operation id; "" for a request no operation matches
    request: str  # "GET /resources/conversations?limit=10"
    status: int | None
    path: str  # "$.results[0].externalUrl"; "header RateLimit-Limit"; "status"
    expected: str
    got: str
    source: str  # the file (and JSON pointer) that declares it
    why: str = ""  # a tolerance's reason


def shorten(value: Any, limit: int = 60) -> str:
    """A value as JSON (a string keeps its quotes: `"1"` is not `1`), cut to `limit`."""
    text = " ".join(json.dumps(value, ensure_ascii=False).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_path(parts: Any) -> str:
    path = validation.format_path(parts)
    if not path:
        return "$"
    return "$" + path if path.startswith("[") else "$." + path


def table_file(vendor: "type[Vendor[Any]]") -> str:
    """Where a vendor's operations (statuses, headers) are declared."""
    return vendor.__module__.rsplit(".", 1)[0].replace(".", "/") + "/operations.py"


def _pointer(parts: tuple[Any, ...]) -> str:
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class SchemaFiles:
    """A vendor's schema files as written: which file and JSON pointer each node is at,
    and the tolerances along an instance path."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.registry = validation.explaining_registry(folder)
        self._where: dict[int, tuple[str, str]] = {}
        for name in validation.schema_names(folder):
            self._index(self.registry.contents(validation.schema_uri(folder, name)), f"schemas/{folder}/{name}.json", ())

    def _index(self, node: Any, file: str, parts: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            self._where[id(node)] = (file, _pointer(parts))
            for key, value in node.items():
                if key not in validation.DATA_KEYWORDS:
                    self._index(value, file, parts + (key,))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self._index(value, file, parts + (index,))

    def where(self, node: Any, *more: Any) -> str:
        file, pointer = self._where.get(id(node), (f"schemas/{self.folder}/", "#"))
        return file + pointer + _pointer(more)[1:]

    def _applicable(self, node: Any, base: str, seen: frozenset[str]) -> Iterator[tuple[dict[str, Any], str]]:
        """`node` and every schema that applies to the same instance through it."""
        if not isinstance(node, dict):
            return
        yield node, base
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = urljoin(base, ref)
            if target not in seen:
                contents = self.registry.resolver().lookup(target).contents
                yield from self._applicable(contents, urldefrag(target)[0], seen | {target})
        for key in ("allOf", "anyOf", "oneOf"):
            for branch in node.get(key, ()):
                yield from self._applicable(branch, base, seen)
        for key in ("then", "else"):
            if key in node:
                yield from self._applicable(node[key], base, seen)

    def tolerance(self, root: str, parts: tuple[Any, ...]) -> str | None:
        """The reason of the first `x-tolerance` met walking from schema `root` down the
        instance path `parts`, or None: a promise."""
        level = list(self._applicable(self.registry.contents(root), urldefrag(root)[0], frozenset()))
        for step in (*parts, None):
            for node, _ in level:
                why = node.get(TOLERANCE_KEYWORD)
                if isinstance(why, str):
                    return why
            if step is None:
                return None
            following: list[tuple[dict[str, Any], str]] = []
            for node, base in level:
                if isinstance(step, int):
                    children = [node["items"]] if isinstance(node.get("items"), dict) else []
                    prefix = node.get("prefixItems")
                    if isinstance(prefix, list) and step < len(prefix):
                        children = [prefix[step]]
                else:
                    children = [node["properties"][step]] if step in node.get("properties", {}) else []
                for child in children:
                    following.extend(self._applicable(child, base, frozenset()))
            level = following
        return None


@lru_cache(maxsize=None)
def schema_files(folder: str) -> SchemaFiles:
    return SchemaFiles(folder)


@lru_cache(maxsize=None)
def _validator(vendor: str, name: str) -> Any:
    return validation.explaining_validator(vendor, name)


def _causes(error: Any) -> Iterator[Any]:
    """The errors worth reporting: for anyOf/oneOf, those of the branch the instance
    meant to take (the one whose type fits), else the combinator's own error."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[int, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = [errs for errs in branches.values() if not any(e.validator == "type" and not e.relative_path for e in errs)]
        if len(fitting) == 1:
            for sub in fitting[0]:
                yield from _causes(sub)
            return
    yield error


def _expected(error: Any, problem: validation.Problem) -> str:
    kind, arg = error.validator, error.validator_value
    if kind == "pattern":
        return f"a string matching {arg}"
    if kind == "maxProperties":
        return f"at most {arg} field(s)"
    if kind == "enum":
        return "one of " + ", ".join(json.dumps(value) for value in arg)
    if kind in ("anyOf", "oneOf"):
        return "one of the declared shapes"
    return problem.rule


@dataclass(frozen=True)
class Difference:
    """A Finding before it is tied to an exchange."""

    level: str
    kind: str
    path: str
    expected: str
    got: str
    source: str
    why: str = ""


def _difference(kind: str, path: str, expected: str, got: str, source: str, why: str | None) -> Difference:
    return Difference(TOLERANCE if why else PROMISE, kind, path, expected, got, source, why or "")


def body_differences(vendor: str, schema: str, body: Json) -> list[Difference]:
    """Every difference of `body` from schemas/<vendor>/<schema>.json, by JSON path."""
    files = schema_files(schema.split("/", 1)[0] if "/" in schema else vendor)
    root = validation.schema_uri(vendor, schema)
    out = []
    for top in _validator(vendor, schema).iter_errors(body):
        for error in _causes(top):
            kind = _KINDS.get(error.validator, "value")
            parts = tuple(error.absolute_path)
            if kind == "extra":
                known = error.schema.get("properties", {}) if error.validator != "maxProperties" else {}
                extras = [key for key in error.instance if key not in known] if isinstance(error.instance, dict) else []
                for key in extras:
                    out.append(_difference("extra", json_path(parts + (key,)), "no such field (the schema lists the fields it knows)",
                                           shorten(error.instance[key]), files.where(error.schema), files.tolerance(root, parts) or EXTRA_WHY))
                continue
            problem = validation.phrase(error)
            if kind == "missing":
                name = problem.path.rsplit(".", 1)[-1]
                parts = parts + (name,)
                declared = error.schema.get("properties", {})
                source = files.where(declared[name]) if name in declared else files.where(error.schema, "required")
                out.append(_difference("missing", json_path(parts), "present (required)", "absent", source, files.tolerance(root, parts)))
                continue
            if validation.EXPECTED_KEYWORD in error.schema_path:
                # Outside the vendor's usual values but inside its promise: a tolerance.
                why = error.schema.get(TOLERANCE_KEYWORD) or "outside the values the vendor usually sends"
                out.append(_difference(kind, json_path(parts), _expected(error, problem), shorten(error.instance), files.where(error.schema), why))
                continue
            out.append(_difference(kind, json_path(parts), _expected(error, problem), shorten(error.instance), files.where(error.schema),
                                   files.tolerance(root, parts)))
    out.sort(key=lambda d: d.path)
    return out


def _declared(operation: "Operation") -> str:
    return ", ".join(str(status) for status in operation.responses)


def check_exchange(vendor: "type[Vendor[Any]]", operation: "Operation", exchange: Exchange, expect: int | None = None) -> list[Finding]:
    """Every difference between `exchange` and what `operation` declares for its status.
    `expect`: the status a probe meant to provoke (a declared other one is a warning)."""
    request = f"{exchange.method} {exchange.target}"
    return [Finding(d.level, d.kind, operation.id, request, exchange.status, d.path, d.expected, d.got, d.source, d.why)
            for d in answer_differences(vendor, operation, exchange, expect)]


def answer_differences(vendor: "type[Vendor[Any]]", operation: "Operation", exchange: Exchange, expect: int | None = None) -> list[Difference]:
    status = exchange.status
    declared_in = f"{table_file(vendor)} ({operation.id})"
    answer = operation.responses.get(status)
    if answer is None:
        ok, body = exchange.json()
        text = shorten(body, 120) if ok else exchange.response_body.decode("utf-8", "replace")[:120]
        return [Difference(PROMISE, "status", "status", f"one of the declared statuses ({_declared(operation)})", f"{status} {text}".strip(), declared_in)]
    found: list[Difference] = []
    if expect is not None and status != expect:
        found.append(Difference(TOLERANCE, "status", "status", f"{expect}, as the fake answers", str(status), declared_in, "another declared answer"))
    for name in vendor.answer_headers(operation, answer):
        if header(exchange.response_headers, name) is None:
            inferred = "the fake sends it on our inference" if name in vendor.contract.inferred_headers else None
            found.append(_difference("header", f"header {name}", "present", "absent", f"{declared_in} {status}", inferred))
    return found + _body_differences(vendor.name, answer, exchange, f"{declared_in} {status}")


def _body_differences(vendor: str, answer: "Answer", exchange: Exchange, declared_in: str) -> list[Difference]:
    content_type = exchange.content_type or "no Content-Type"
    if not answer.has_body or (answer.html and content_type == "text/html"):
        return []  # no body declared, or Laravel's page for a client that did not ask for JSON
    ok, body = exchange.json()
    if not ok:
        got = f"{content_type}: {' '.join(exchange.response_body.decode('utf-8', 'replace').split())[:60] or '(empty)'}"
        return [Difference(PROMISE, "body", "$", f"a JSON body ({' or '.join(answer.schemas)})", got, declared_in)]
    out: list[Difference] = []
    if not exchange.is_json:
        out.append(Difference(PROMISE, "header", "header Content-Type", "application/json", content_type, declared_in))
    # An answer that may take several shapes is judged by the one it is closest to.
    candidates = [body_differences(vendor, name, body) for name in answer.schemas]
    return out + min(candidates, key=lambda c: (sum(1 for d in c if d.level == PROMISE), len(c)))
