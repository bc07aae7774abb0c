"""Monica's error answers: its own `{"error": {"message", "error_code"}}` body
(app/Traits/JsonRespondController.php, config/api.php) and Laravel's `{"message"}`
body for what the framework answers itself (route 404/405, 401, 413, uncaught errors).
"""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from .laravel import expects_json

# config/api.php error_codes, verbatim: no trailing period except on 41.
ERROR_MESSAGES = {
    30: "The limit parameter is too big",
    31: "The resource has not been found",
    32: "Error while trying to save the data",
    33: "Too many parameters",
    34: "Too many attempts, please slow down the request",
    35: "This email address is already taken",
    36: "You can't set a partner or a child to a partial contact",
    37: "Problems parsing JSON",
    38: "Date should be in the future",
    39: "The sorting criteria is invalid",
    40: "Invalid query",
    41: "Invalid parameters.",
    42: "Not authorized",
}

# Router::$verbs: the order of "Supported methods" and of `Allow`.
LARAVEL_VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# resources/lang/en/people.php archived_contact_readonly (the apostrophe is U+2019).
ARCHIVED_CONTACT = "Archived contact can\u2019t be edited, please unarchive it first."

# Symfony's status texts, the titles of Laravel's HTML error pages.
STATUS_TEXTS = {
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Server Error",
}


class MonicaError(Exception):
    """A `respondWithError` answer: raised by the model, answered by the routes."""

    def __init__(self, status: int, code: int, message: Any = None) -> None:
        self.status = status
        self.code = code
        self.message = ERROR_MESSAGES[code] if message is None else message
        super().__init__(f"{status} {code} {self.message}")


class NotFound(MonicaError):
    def __init__(self) -> None:
        super().__init__(404, 31)


class ValidationFailed(MonicaError):
    """respondValidatorFailed: the message is the list of every validation message."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(422, 32, list(messages))


class ArchivedContact(ValidationFailed):
    """Contact::throwInactive()."""

    def __init__(self) -> None:
        super().__init__([ARCHIVED_CONTACT])


def error_body(code: int, message: Any) -> dict[str, Any]:
    return {"error": {"message": message, "error_code": code}}


def laravel_path() -> str:
    """`$request->path()`: the raw path without its surrounding slashes."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
    path = raw.split("?", 1)[0].strip("/")
    return path or "/"


def html_page(status: int, title: str) -> Response:
    """Laravel's error view for a request that does not want JSON (our minimal rendering)."""
    body = f"<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>{status} | {title}</body>\n</html>\n"
    return Response(body, status=status, mimetype="text/html")


def framework_error(status: int, message: str) -> Response:
    """Laravel's Handler: `{"message"}` when JSON is expected, its HTML page otherwise."""
    if not expects_json(request.headers):
        return html_page(status, STATUS_TEXTS.get(status, "Error"))
    response = jsonify({"message": message})
    response.status_code = status
    return response


def supported_methods(allowed: Any) -> list[str]:
    """The verbs a URI answers, in Router::$verbs order, without the one just used."""
    methods = {method.upper() for method in allowed or ()} - {"OPTIONS"}
    return [verb for verb in LARAVEL_VERBS if verb in methods and verb != request.method]


def http_error_response(exc: HTTPException) -> Response:
    """App-level errors under /api, answered as Laravel 9 answers them for Monica."""
    status = exc.code or 500
    if status == 404:
        return framework_error(404, f"The route {laravel_path()} could not be found.")
    if status == 405:
        others = supported_methods(getattr(exc, "valid_methods", None))
        if request.method == "OPTIONS":
            # The router's synthetic OPTIONS route: empty 200, no auth, no throttle.
            return Response("", status=200, headers={"Allow": ",".join(others)})
        message = (
            f"The {request.method} method is not supported for route {laravel_path()}. "
            f"Supported methods: {', '.join(others)}."
        )
        response = framework_error(405, message)
        response.headers["Allow"] = ", ".join(others)
        return response
    if status == 413:
        # ValidatePostSize throws PostTooLargeException, which carries no message.
        return framework_error(413, "")
    if status == 400:
        # Werkzeug refuses input Laravel reads as empty; no /api route lets this through.
        return framework_error(400, "")
    # Anything else we did not foresee: Laravel's text for a non-HTTP exception.
    return framework_error(500, "Server Error")
