"""Exception types shared by the core and the vendors. No Flask here: models and
services raise these, and the request pipeline has them rendered by the surface
(a vendor, or the control API) that owns the request's path."""
from __future__ import annotations

# Why a request was rejected, as the journal records it.
REASONS = (
    "auth", "rate_limit", "validation", "not_found", "unknown_route", "method_not_allowed", "too_large", "fault",
)


class ApiError(Exception):
    """An answer other than success, raised anywhere below the pipeline.

    `reason` is one of REASONS, or None for an error that is not a rejection of the
    client's request (a vendor's own 500, say).
    """

    status: int = 500
    reason: str | None = None


class RequestTooLarge(ApiError):
    """The body is over the server's limit; each vendor words it its own way."""

    status = 413
    reason = "too_large"


class FaultStatus(ApiError):
    """The status a fault rule answers with, in the surface's own error format."""

    reason = "fault"

    def __init__(self, status: int) -> None:
        super().__init__(f"a fault rule answers {status}")
        self.status = status


class ResponseSchemaError(AssertionError):
    """A response of the fake itself broke its declared schema (strict mode only)."""


class OptionError(ValueError):
    """A server option with a value that cannot work (a negative limit, no keys...)."""


class DataSetError(OptionError):
    """A data set that cannot be loaded. The message names the file (or `request body`),
    the JSON path and the rule it breaks: `acme.json: $.vitally.workspaces[0].users[1].externalId is required`."""


class RecordRejected(Exception):
    """Raised by a vendor's data-set loader: `path` is relative to the vendor's section
    (`workspaces[0].users[1]`), `message` the rule (the model's own error text)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
