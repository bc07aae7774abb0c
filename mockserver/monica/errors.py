"""Monica's error answers: its own `{"error": {"message", "error_code"}}` body
(app/Traits/JsonRespondController.php, config/api.php) and Laravel's `{"message"}`
body for what the framework answers itself (route 404/405, 401, 413, uncaught errors,
a ModelNotFoundException or ValidationException no controller caught), whose
rendering (JSON, an HTML page or a redirect) lives with the vendor (vendor.py).
"""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import ApiError

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
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# Why a request was refused, by Monica's error code, for the journal.
REJECTIONS = {30: "validation", 31: "not_found", 32: "validation", 34: "rate_limit", 37: "validation", 39: "validation", 41: "validation"}


class MonicaError(ApiError):
    """A `respondWithError` answer: raised by the services, rendered by the vendor."""

    def __init__(self, status: int, code: int, message: Any = None, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.code = code
        self.message = ERROR_MESSAGES[code] if message is None else message
        self.headers = headers or {}
        self.reason = REJECTIONS.get(code)
        super().__init__(f"{status} {code} {self.message}")


class Unauthenticated(ApiError):
    """auth:api failed: Laravel's Handler answers 401 JSON, or redirects to the login page."""

    status = 401
    reason = "auth"


class NotFound(MonicaError):
    def __init__(self) -> None:
        super().__init__(404, 31)


class ValidationFailed(MonicaError):
    """A ValidationException as the API controllers catch it (respondValidatorFailed):
    the message is the list of every validation message. `errors` keeps the
    validator's message bag (attribute -> messages) for Laravel's own rendering."""

    def __init__(self, messages: list[str], errors: Mapping[str, list[str]] | Mapping[int, list[str]] | None = None) -> None:
        super().__init__(422, 32, list(messages))
        bag = errors if errors is not None else {0: messages}
        self.errors: dict[str | int, list[str]] = {key: list(value) for key, value in bag.items()}


class ArchivedContact(ValidationFailed):
    """Contact::throwInactive(): `ValidationException::withMessages([...])`, keyed 0."""

    def __init__(self) -> None:
        super().__init__([ARCHIVED_CONTACT], {0: [ARCHIVED_CONTACT]})


class UncaughtValidation(ApiError):
    """A ValidationException that no controller caught (a job run by the sync queue):
    Laravel's handler answers 422 `{"message", "errors"}`, or redirects back."""

    status = 422
    reason = "validation"

    def __init__(self, failed: ValidationFailed) -> None:
        super().__init__(str(failed))
        self.messages: list[str] = list(failed.message)
        self.errors = failed.errors


class ModelNotFound(ApiError):
    """A ModelNotFoundException that no controller caught: Laravel's handler turns it
    into a 404 whose message names the model and the ids asked for."""

    status = 404
    reason = "not_found"

    def __init__(self, model: str, raw_id: Any) -> None:
        self.message = f"No query results for model [{model}] {raw_id}"
        super().__init__(self.message)


def error_body(code: int, message: Any) -> dict[str, Any]:
    return {"error": {"message": message, "error_code": code}}
