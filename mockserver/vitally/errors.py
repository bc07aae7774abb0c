"""Vitally's error body: Hapi/Boom's `{"statusCode", "error", "message"}`.

No Vitally error body is documented; clients read `error` (Empirical-Core) and
`message` (fiscaltec, Airbyte), and Boom's shape carries both. See README fidelity table.
"""
from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

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
}

# Boom's default messages, where Hapi answers by itself before any handler runs.
DEFAULT_MESSAGES = {
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    429: "Rate limit exceeded",
    500: "An internal server error occurred",
}


class VitallyError(Exception):
    """Raised by the Vitally model or routes; answered with Vitally's error body."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(VitallyError):
    status = 400


class NotFound(VitallyError):
    status = 404


def error_body(status: int, message: str | None = None) -> dict[str, object]:
    reason = REASONS.get(status, "Error")
    return {"statusCode": status, "error": reason, "message": message or DEFAULT_MESSAGES.get(status, reason)}


def error_response(status: int, message: str | None = None) -> Response:
    response = jsonify(error_body(status, message))
    response.status_code = status
    return response


def http_error_response(exc: HTTPException) -> Response:
    """App-level errors (unknown route, wrong method, 413, 500) under /resources."""
    status = exc.code or 500
    if status == 413:
        from flask import current_app

        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message = f"Payload content length greater than maximum allowed: {limit}"
    elif status == 400:
        message = "Invalid request payload JSON format"
    else:
        message = DEFAULT_MESSAGES.get(status)  # never the exception text: no internals leak
    response = error_response(status, message)
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    return response
