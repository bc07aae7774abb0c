"""Inputs and checks shared by the hostile-input sweeps of both vendors.

The sweeps send thousands of requests, so "the store is unchanged" is checked with
`state()`, a cheap comparable form of a tenant (the suites' `dump()` renders every
record and is for readable failures), and the depths are sampled: every depth up to
20, then steps, and each side of the limits (PHP's 511 nested levels, our 512, and
the ~1,000 where Python's own recursion used to give up).
"""
from __future__ import annotations

import logging
import random
from typing import Any

import pytest

from mockserver.store import SortedIndex, Table

DEPTHS = (*range(1, 21), 32, 64, 128, 256, 384, 500, 509, 510, 511, 512, 513, 640, 900, 999, 1000, 1001, 1500, 2000)
SHAPES = ("array", "object")


def nested(depth: int, shape: str, leaf: str = '"x"') -> str:
    """JSON text of `leaf` inside `depth` arrays or objects (`[[["x"]]]`, `{"k":{"k":"x"}}`).

    Built as text: json.dumps itself gives up past about 1,000 levels.
    """
    if shape == "array":
        return "[" * depth + leaf + "]" * depth
    return '{"k":' * depth + leaf + "}" * depth


def with_field(body: dict[str, Any], field: str | None, value_text: str) -> bytes:
    """`body` as JSON text with `field` set to the raw JSON `value_text` (the whole body when None)."""
    import json

    if field is None:
        return value_text.encode()
    marker = "\u0000mark\u0000"
    text = json.dumps({**body, field: marker})
    return text.replace(json.dumps(marker), value_text).encode()


def _comparable(value: Any) -> Any:
    if isinstance(value, Table):
        return (dict(value.rows), dict(value.by_external), list(value.by_created.ascending()), list(value.by_updated.ascending()))
    if isinstance(value, SortedIndex):
        return list(value.ascending())
    if isinstance(value, random.Random):
        return value.getstate()
    if isinstance(value, (dict, list, set)):
        return value.copy()
    return value


def state(tenant: Any) -> dict[str, Any]:
    """Everything a tenant holds (TenantState: every instance attribute is state), in a form
    that compares cheaply: stored records are immutable and replaced on each write, so
    comparing copies of the containers compares record identities first."""
    return {name: _comparable(value) for name, value in vars(tenant).items() if name not in tenant.REFERENCES}


def crashes(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the app logged at ERROR or above (a crash logs its traceback there)."""
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
