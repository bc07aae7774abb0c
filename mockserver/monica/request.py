"""The request as Laravel hands it to Monica: bearer token, `$request->all()`, the
path, and what ApiController's middleware keeps of `sort`, `limit` and `with`."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..surface import Call
from .errors import MonicaError
from .laravel import PhpError, as_input_bag, filter_int, is_json_content_type, is_numeric, json_decode, last_of, merged_input, php_string
from .models import DEFAULT_PER_PAGE, MAX_LIMIT, SORT_CRITERIA, PageRequest

if TYPE_CHECKING:
    from werkzeug.wrappers import Request


def bearer_token(header: str | None) -> str | None:
    """Request::bearerToken(): after the last `Bearer `, up to a comma."""
    if not header:
        return None
    position = header.rfind("Bearer ")
    if position < 0:
        return None
    token = header[position + 7:]
    return token.split(",", 1)[0] or None


def laravel_path(request: "Request") -> str:
    """`$request->path()`: the raw path without its surrounding slashes."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
    path = raw.split("?", 1)[0].strip("/")
    return path or "/"


def _body_input(call: Call[Any]) -> dict[str, Any]:
    """Body input as Laravel reads it: JSON for a JSON Content-Type (what json_decode()
    reads as null is empty), form fields for a form, nothing otherwise."""
    request = call.request
    if is_json_content_type(request.content_type):
        return as_input_bag(json_decode(call.body))
    return {key: last_of(request.form.getlist(key)) for key in request.form}


def request_input(call: Call[Any]) -> dict[str, Any]:
    """`$request->all()`, trimmed and with empty strings as null, computed once per request."""
    found: dict[str, Any] | None = call.cache.get("input")
    if found is None:
        query = {key: last_of(call.request.args.getlist(key)) for key in call.request.args}
        found = call.cache["input"] = merged_input(_body_input(call), query)
    return found


def _sort(value: Any) -> tuple[str, bool] | None:
    """setSortCriteria: in_array() against the whitelist, loosely (PHP 8 comparisons)."""
    if value is True:
        return ("1", False)  # true == any non-empty string; ltrim(true, '-') is "1"
    if isinstance(value, str) and value in SORT_CRITERIA:
        return (value.lstrip("-"), value.startswith("-"))
    return None


def _limit_too_big(value: Any) -> bool:
    """`$request->input('limit') > 100` with PHP 8's comparison rules."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value > MAX_LIMIT
    if isinstance(value, str):
        if is_numeric(value):
            return float(value) > MAX_LIMIT
        return value > str(MAX_LIMIT)  # a non-numeric string compares with "100" as a string
    return True  # an array is greater than any number


def _current_page(value: Any) -> int:
    """PaginationState: FILTER_VALIDATE_INT and >= 1, else 1."""
    number = filter_int(value)
    return number if number is not None and number >= 1 else 1


@dataclass(frozen=True)
class ListQuery:
    """What ApiController's middleware kept of `sort`, `limit` and `with`."""

    column: str = "created_at"
    descending: bool = False
    limit: Any = None
    with_parameter: Any = None

    def page_request(self, call: Call[Any]) -> PageRequest:
        page = _current_page(request_input(call).get("page"))
        value = self.limit
        if value is True:
            return PageRequest(1, page, self.column, self.descending)
        if value is None or value is False or value == 0:
            return PageRequest(DEFAULT_PER_PAGE, page, self.column, self.descending)
        if isinstance(value, (int, float)) or (isinstance(value, str) and is_numeric(value)):
            number = float(value)
            if not math.isfinite(number):
                # -INF (INF was too big): `?:` keeps it, no LIMIT follows, and (int) -INF is 0.
                return PageRequest(0, page, self.column, self.descending)
            return PageRequest(int(number) or DEFAULT_PER_PAGE, page, self.column, self.descending)
        # A non-numeric limit that passed the `> 100` check breaks Laravel's arithmetic.
        raise PhpError("A non-numeric value encountered" if php_string(value)[:1].isdigit() else "Unsupported operand types: int * string")


def api_controller_middleware(call: Call[Any]) -> None:
    """ApiController::__construct's closure, in its order: sort (39), limit (30), JSON `null` (37)."""
    data = request_input(call)
    query = ListQuery()
    if "sort" in data:
        criteria = _sort(data["sort"])
        if criteria is None:
            raise MonicaError(400, 39, "The sorting criteria is invalid")
        query = ListQuery(column=criteria[0], descending=criteria[1])
    if "limit" in data:
        if _limit_too_big(data["limit"]):
            raise MonicaError(400, 30, "The limit parameter is too big")
        query = ListQuery(query.column, query.descending, data["limit"])
    if "with" in data:
        query = ListQuery(query.column, query.descending, query.limit, data["with"])
    call.cache["list"] = query
    if call.request.method not in ("GET", "DELETE") and call.body.strip(b" \t\n\r") == b"null":
        raise MonicaError(400, 37, "Problems parsing JSON")


def list_query(call: Call[Any]) -> ListQuery:
    query: ListQuery = call.cache["list"]
    return query
