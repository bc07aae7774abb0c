"""Endpoint facts, declared once as data: every feature walks the same table.

An `Operation` says what one endpoint is: its id, method and path, the schema of its
request body, the answers it can give (status -> schema), its query parameters and
whether it needs credentials. A vendor's `OperationTable` lists them all; routing,
the strict response check, the OpenAPI documents, the request journal, faults and
the contract check read it, and nothing keeps a second list of routes.

Paths are OpenAPI templates relative to the table's prefix (`/conversations/{id}`).
Schema names are files of schemas/<vendor>/ without `.json`; a name of another
folder is written `folder/name`. Nothing here knows HTTP servers or a vendor.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping

JsonSchema = Mapping[str, Any]
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Answer:
    """One status an operation can answer, and the shape of its body."""

    status: int
    schemas: tuple[str, ...] = ()  # JSON bodies, one of these; () means no body
    description: str = ""
    html: bool = False  # a client that does not ask for JSON may get an HTML page instead
    headers: tuple[str, ...] = ()  # response headers documented for this answer

    @property
    def has_body(self) -> bool:
        return bool(self.schemas)


@dataclass(frozen=True)
class Param:
    """A query parameter: its JSON Schema (for documents and checks) and meaning."""

    name: str
    schema: JsonSchema
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Operation:
    """One endpoint. `view(call, **path_params)` returns a payload or a Reply."""

    id: str  # "vitally.createConversation"
    method: str  # "POST"
    path: str  # relative to the table's prefix: "/conversations/{conversation_id}"
    view: Callable[..., Any]
    summary: str
    responses: Mapping[int, Answer]
    request: str | None = None  # schema of the JSON body
    query: tuple[Param, ...] = ()
    auth: bool = True
    locked: bool = True  # the view runs under the store lock
    vendor: str = ""  # filled in by the table
    prefix: str = ""  # filled in by the table

    @property
    def full_path(self) -> str:
        """The OpenAPI path template, prefix included: `/resources/conversations/{id}`."""
        return self.prefix + self.path if self.path else self.prefix

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.path))

    @property
    def success(self) -> Answer:
        """The answer of a view that returns a bare payload: the first 2xx declared."""
        return next(a for s, a in sorted(self.responses.items()) if 200 <= s < 300)

    def pattern(self) -> re.Pattern[str]:
        """A regex matching concrete paths of this operation (prefix included)."""
        return path_pattern(self.full_path)


@lru_cache(maxsize=None)
def path_pattern(template: str) -> re.Pattern[str]:
    """`/resources/conversations/{id}` -> a regex matching `/resources/conversations/abc`."""
    out, last = "", 0
    for found in _PLACEHOLDER.finditer(template):
        out += re.escape(template[last:found.start()]) + f"(?P<{found.group(1)}>[^/]+)"
        last = found.end()
    out += re.escape(template[last:])
    return re.compile(out + "/?$")


def flask_rule(template: str) -> str:
    """`/conversations/{id}` -> `/conversations/<id>`."""
    return _PLACEHOLDER.sub(lambda m: f"<{m.group(1)}>", template)


def _answers(declared: Mapping[int, str | tuple[str, ...] | Answer | None]) -> dict[int, Answer]:
    out: dict[int, Answer] = {}
    for status, value in declared.items():
        if isinstance(value, Answer):
            out[status] = replace(value, status=status)
        elif value is None:
            out[status] = Answer(status)
        else:
            out[status] = Answer(status, (value,) if isinstance(value, str) else tuple(value))
    return out


@dataclass
class OperationTable:
    """A vendor's operations, in declaration order, with the answers they share.

    `always` applies to every operation, `authenticated` to those that need
    credentials, `with_body` to those that read a JSON body; an operation's own
    declaration wins over them for the same status.
    """

    vendor: str
    prefix: str
    always: tuple[Answer, ...] = ()
    authenticated: tuple[Answer, ...] = ()
    with_body: tuple[Answer, ...] = ()
    operations: list[Operation] = field(default_factory=list)

    def add(
        self,
        op_id: str,
        method: str,
        path: str,
        view: Callable[..., Any],
        *,
        summary: str,
        responses: Mapping[int, str | tuple[str, ...] | Answer | None],
        request: str | None = None,
        query: Iterable[Param] = (),
        auth: bool = True,
        locked: bool = True,
    ) -> Operation:
        shared: dict[int, Answer] = {a.status: a for a in self.always}
        if auth:
            shared.update({a.status: a for a in self.authenticated})
        if request is not None:
            shared.update({a.status: a for a in self.with_body})
        own = _answers(responses)
        operation = Operation(
            id=f"{self.vendor}.{op_id}",
            method=method.upper(),
            path=path,
            view=view,
            summary=summary,
            responses=dict(sorted({**shared, **own}.items())),
            request=request,
            query=tuple(query),
            auth=auth,
            locked=locked,
            vendor=self.vendor,
            prefix=self.prefix,
        )
        if any(o.id == operation.id for o in self.operations):
            raise ValueError(f"operation {operation.id} is declared twice")
        self.operations.append(operation)
        return operation

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __len__(self) -> int:
        return len(self.operations)

    def get(self, op_id: str) -> Operation:
        for operation in self.operations:
            if operation.id == op_id:
                return operation
        raise KeyError(f"no operation {op_id!r}; known: {', '.join(o.id for o in self.operations)}")

    def match(self, method: str, path: str) -> Operation | None:
        """The operation a request to `path` (prefix included) with `method` reaches."""
        method = "GET" if method.upper() == "HEAD" else method.upper()
        for operation in self.operations:
            if operation.method == method and operation.pattern().match(path):
                return operation
        return None
