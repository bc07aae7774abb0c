"""Vitally's error body: Hapi/Boom's `{"statusCode", "error", "message"}`.

No Vitally error body is documented; clients read `error` (Empirical-Core) and
`message` (fiscaltec, Airbyte), and Boom's shape carries both. See README fidelity table.
"""
from __future__ import annotations

from ..errors import ApiError

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# Boom's default messages, where Hapi answers by itself before any handler runs.
DEFAULT_MESSAGES = {
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    429: "Rate limit exceeded",
    500: "An internal server error occurred",
}

# Why a request was refused, by status, for the journal.
REJECTIONS = {400: "validation", 401: "auth", 404: "not_found", 413: "too_large", 415: "validation", 429: "rate_limit"}


class VitallyError(ApiError):
    """Raised by the Vitally model or views; answered with Vitally's error body."""

    status = 400

    def __init__(self, message: str | None = None, status: int | None = None, headers: dict[str, str] | None = None) -> None:
        if status is not None:
            self.status = status
        self.message = message or DEFAULT_MESSAGES.get(self.status) or REASONS.get(self.status, "Error")
        self.headers = headers or {}
        self.reason = REJECTIONS.get(self.status)
        super().__init__(self.message)


class BadRequest(VitallyError):
    status = 400


class NotFound(VitallyError):
    status = 404


def error_body(status: int, message: str | None = None) -> dict[str, object]:
    reason = REASONS.get(status, "Error")
    return {"statusCode": status, "error": reason, "message": message or DEFAULT_MESSAGES.get(status, reason)}
