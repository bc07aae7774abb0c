"""Shapes of JSON answers, and where two of them differ: status, keys, types; not values.

A shape folds every item of an array into one (a key some items have counts as there),
and `null` fits any type: whether a nullable field happens to be set is a value. Shapes
are plain dicts so that pytest-xdist can send them from a worker to the controller.
"""
from __future__ import annotations

from typing import Any

Shape = dict[str, Any]  # {"types": [...], "keys": {name: Shape}, "items": Shape | None}


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _merge(a: Shape | None, b: Shape | None) -> Shape | None:
    if a is None or b is None:
        return a or b
    keys = dict(a["keys"])
    for name, shape in b["keys"].items():
        keys[name] = _merge(keys.get(name), shape)
    return {"types": sorted(set(a["types"]) | set(b["types"])), "keys": keys, "items": _merge(a["items"], b["items"])}


def shape_of(value: Any) -> Shape:
    shape: Shape = {"types": [_type(value)], "keys": {}, "items": None}
    if isinstance(value, dict):
        shape["keys"] = {name: shape_of(item) for name, item in value.items()}
    elif isinstance(value, list):
        for item in value:
            shape["items"] = _merge(shape["items"], shape_of(item))
    return shape


def differences(fake: Shape, vendor: Shape, path: str = "$") -> list[str]:
    """Where the vendor's shape differs from the fake's, one line each."""
    out: list[str] = []
    fake_types, vendor_types = set(fake["types"]) - {"null"}, set(vendor["types"]) - {"null"}
    if fake_types and vendor_types and fake_types != vendor_types:
        out.append(f"{path}: {' or '.join(sorted(fake_types))} on the fake, {' or '.join(sorted(vendor_types))} on the vendor")
        return out
    if "object" in fake_types and "object" in vendor_types:
        for name in fake["keys"]:
            if name not in vendor["keys"]:
                out.append(f"{path}.{name}: only on the fake")
        for name in vendor["keys"]:
            if name not in fake["keys"]:
                out.append(f"{path}.{name}: only on the vendor")
            else:
                out += differences(fake["keys"][name], vendor["keys"][name], f"{path}.{name}")
    if fake["items"] is not None and vendor["items"] is not None:
        out += differences(fake["items"], vendor["items"], f"{path}[]")
    return out
