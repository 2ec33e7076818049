"""Errors with an HTTP status: drivers raise them, the server renders them.

Messages must never contain credentials or echo request parameters: they
are sent to the client as they are.
"""

from __future__ import annotations


class DeltacloudError(Exception):
    """Base of every error that becomes an HTTP response."""

    status = 500
    default_message = "Internal Server Error"

    def __init__(self, message: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.message = message or self.default_message
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(DeltacloudError):
    status = 400
    default_message = "Bad Request"


class AuthenticationFailure(DeltacloudError):
    """Missing or wrong credentials: the client should (re)authenticate."""

    status = 401
    default_message = "Unauthorized"


class Forbidden(DeltacloudError):
    status = 403
    default_message = "Forbidden"


class NotFound(DeltacloudError):
    status = 404
    default_message = "Not Found"


class MethodNotAllowed(DeltacloudError):
    """The driver lacks the operation, or the resource's state refuses it."""

    status = 405
    default_message = "Method Not Allowed"


class NotAcceptable(DeltacloudError):
    status = 406
    default_message = "Not Acceptable"


class Conflict(DeltacloudError):
    status = 409
    default_message = "Conflict"


class PayloadTooLarge(DeltacloudError):
    status = 413
    default_message = "Request body too large"


class RangeNotSatisfiable(DeltacloudError):
    status = 416
    default_message = "Range Not Satisfiable"


class NotImplementedByBackend(DeltacloudError):
    status = 501
    default_message = "Not Implemented"


class BackendError(DeltacloudError):
    """The cloud failed; the message is the cloud's own."""

    status = 502
    default_message = "Bad Gateway"


class BackendTimeout(DeltacloudError):
    status = 504
    default_message = "Gateway Timeout"


class InternalError(DeltacloudError):
    """A deliberate 500 (the mock's error-handling probes), not a crash."""

    status = 500
