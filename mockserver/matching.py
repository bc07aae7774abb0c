"""Which requests a journal query, an assertion or a fault rule means.

A `RequestPattern` names requests by method, path and who sent them. The path is
either an OpenAPI-style template with `{name}` placeholders, prefix included
(`/resources/conversations/{id}`; a path without placeholders is itself), or an
operation id from the vendors' tables (`vitally.createConversation`). Operation ids
are checked against the tables when the pattern is built, so a typo is an error
instead of an assertion that can never match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from .operations import Operation, path_pattern

ANY_METHOD = "*"
_METHOD = re.compile(r"[A-Z]+")


@dataclass(frozen=True)
class RequestPattern:
    method: str | None = None  # None or "*": any method
    path: str | None = None  # a template, or an operation id
    vendor: str | None = None
    tenant: str | None = None  # the API key or token the request carried

    @classmethod
    def build(cls, method: str | None, path: str | None, operations: Mapping[str, Operation], *,
              vendor: str | None = None, tenant: str | None = None) -> "RequestPattern":
        """A checked pattern; a ValueError says what is wrong with the arguments."""
        if method is not None:
            if not isinstance(method, str) or not (method == ANY_METHOD or _METHOD.fullmatch(method.upper())):
                raise ValueError(f"method must be an HTTP method such as GET, or {ANY_METHOD!r} for any, not {method!r}")
            method = None if method == ANY_METHOD else method.upper()
        if path is not None:
            if not isinstance(path, str) or not path:
                raise ValueError(f"path must be a path template such as /resources/conversations/{{id}}, or an operation id, not {path!r}")
            if not path.startswith("/"):
                operation = operations.get(path)
                if operation is None:
                    raise ValueError(f"{path!r} is neither a path (it must start with /) nor a known operation id, such as "
                                     f"{', '.join(list(operations)[:3])}")
                if method is not None and method != operation.method:
                    raise ValueError(f"{path} is a {operation.method} operation; {method} requests never reach it")
                if vendor is not None and vendor != operation.vendor:
                    raise ValueError(f"{path} is an operation of {operation.vendor}, not of {vendor}")
        for name, value in (("vendor", vendor), ("tenant", tenant)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string, not {value!r}")
        return cls(method, path, vendor, tenant)

    @property
    def is_operation(self) -> bool:
        return self.path is not None and not self.path.startswith("/")

    def path_matches(self, path: str, operation: str | None) -> bool:
        if self.path is None:
            return True
        if self.is_operation:
            return operation == self.path
        return path_pattern(self.path).match(path) is not None

    def matches(self, method: str, path: str, operation: str | None, vendor: str | None, tenant: str | None) -> bool:
        return (
            (self.method is None or self.method == method)
            and (self.vendor is None or self.vendor == vendor)
            and (self.tenant is None or self.tenant == tenant)
            and self.path_matches(path, operation)
        )

    def differences(self, method: str, path: str, operation: str | None, vendor: str | None, tenant: str | None) -> list[str]:
        """How a request differs from this pattern, one phrase per part, for near misses."""
        out = []
        if self.method is not None and self.method != method:
            out.append(f"method is {method}, not {self.method}")
        if not self.path_matches(path, operation):
            if self.is_operation:
                out.append(f"operation is {operation}, not {self.path}")
            else:
                out.append(f"path does not match {self.path}")
        if self.vendor is not None and self.vendor != vendor:
            out.append(f"vendor is {vendor}, not {self.vendor}")
        if self.tenant is not None and self.tenant != tenant:
            out.append(f"tenant is {tenant!r}, not {self.tenant!r}")
        return out

    def describe(self) -> str:
        parts = [self.method or "any method", self.path or "any path"]
        if self.vendor is not None:
            parts.append(f"vendor={self.vendor}")
        if self.tenant is not None:
            parts.append(f"tenant={self.tenant!r}")
        return " ".join(parts)
