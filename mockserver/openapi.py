"""OpenAPI 3.1 documents, generated from a vendor's operation table and its JSON Schemas.

Never a second, hand-kept copy: paths, methods, parameters, request bodies and every
status of every operation come from operations.py; shapes come from schemas/<vendor>/,
copied into `components/schemas` with their `$ref`s pointed inside the document.
"""
from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag

from . import __version__
from .operations import Answer, Operation
from .resources import data_dir

if TYPE_CHECKING:
    from .surface import Vendor

COMPONENTS = "#/components/schemas/"
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})


def _rewrite_refs(node: Any, current: str) -> Any:
    """`participant.json` -> `#/components/schemas/participant`; `defs.json#/$defs/x` and
    `#/$defs/x` (inside defs.json) -> `#/components/schemas/defs/$defs/x`."""
    if isinstance(node, list):
        return [_rewrite_refs(item, current) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            file, fragment = urldefrag(value)
            name = file[:-5] if file.endswith(".json") else (file or current)
            out[key] = COMPONENTS + name + fragment
        elif key in ("$id", "$schema"):
            continue
        elif key in _DATA_KEYWORDS:
            out[key] = value
        else:
            out[key] = _rewrite_refs(value, current)
    return out


def component_schemas(vendor: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for file in sorted((data_dir("schemas") / vendor).glob("*.json")):
        schemas[file.stem] = _rewrite_refs(json.loads(file.read_text(encoding="utf-8")), file.stem)
    return schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": COMPONENTS + name}


def _content(answer: Answer) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if len(answer.schemas) == 1:
        content["application/json"] = {"schema": _ref(answer.schemas[0])}
    elif answer.schemas:
        content["application/json"] = {"schema": {"oneOf": [_ref(name) for name in answer.schemas]}}
    if answer.html:
        content["text/html"] = {"schema": {"type": "string"}}
    return content


def _counted(vendor: "Vendor[Any]", operation: Operation, answer: Answer) -> bool:
    """Whether the answer comes after the rate limiter counted the call, so that it
    carries the vendor's rate-limit headers."""
    return operation.auth and answer.status not in vendor.uncounted


def _response(vendor: "Vendor[Any]", operation: Operation, answer: Answer) -> dict[str, Any]:
    try:
        phrase = HTTPStatus(answer.status).phrase
    except ValueError:
        phrase = "Status " + str(answer.status)
    out: dict[str, Any] = {"description": answer.description or phrase}
    content = _content(answer)
    if content:
        out["content"] = content
    names = list(answer.headers)
    if _counted(vendor, operation, answer):
        names += [name for name in vendor.rate_headers if name not in names]
    if names:
        out["headers"] = {name: {"schema": {"type": "string"}} for name in names}
    return out


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in operation.path_params
    ]
    for param in operation.query:
        entry: dict[str, Any] = {"name": param.name, "in": "query", "required": param.required, "schema": dict(param.schema)}
        if param.description:
            entry["description"] = param.description
        params.append(entry)
    return params


def _operation(vendor: "Vendor[Any]", operation: Operation, scheme: str) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": operation.id, "summary": operation.summary}
    params = _parameters(operation)
    if params:
        out["parameters"] = params
    if operation.request is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(operation.request)}}}
    out["responses"] = {str(status): _response(vendor, operation, answer) for status, answer in operation.responses.items()}
    out["security"] = [{scheme: []}] if operation.auth else []
    return out


def document(vendor: "Vendor[Any]") -> dict[str, Any]:
    """The vendor's OpenAPI 3.1 document, as a JSON-ready dict."""
    scheme = f"{vendor.name}Auth"
    paths: dict[str, dict[str, Any]] = {}
    for operation in vendor.table:
        paths.setdefault(operation.full_path, {})[operation.method.lower()] = _operation(vendor, operation, scheme)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": vendor.title,
            "version": __version__,
            "description": f"Generated by mockserver from its operation table and JSON Schemas: the API as the fake serves it under {vendor.prefix}.",
        },
        "paths": paths,
        "components": {"schemas": component_schemas(vendor.name), "securitySchemes": {scheme: dict(vendor.security_scheme)}},
    }
