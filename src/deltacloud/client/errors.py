"""The client's exceptions: an API error carries the server's status, code and message."""

from __future__ import annotations

from typing import Any

import orjson


class ClientError(Exception):
    """Anything the client could not do."""


class ConnectionFailed(ClientError):
    """The server could not be reached, or the connection broke mid-answer."""


class WaitTimeout(ClientError):
    """A resource did not reach the state waited for in time."""

    def __init__(self, message: str, last_state: str | None = None) -> None:
        super().__init__(message)
        self.last_state = last_state


class APIError(ClientError):
    """The server answered with an error document (or an error status without one)."""

    def __init__(self, status: int, message: str, *, code: int | None = None,
                 url: str | None = None, driver: str | None = None,
                 provider: str | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.code = code if code is not None else status
        self.message = message
        self.url = url
        self.driver = driver
        self.provider = provider


class BadRequest(APIError):
    """400 (also 413, 416): the server refused what was sent."""


class Unauthorized(APIError):
    """401: credentials missing or refused by the cloud."""


class Forbidden(APIError):
    """403: the cloud, or the server's endpoint policy, forbids it."""


class NotFound(APIError):
    """404: no such resource (or collection, for this driver)."""


class MethodNotAllowed(APIError):
    """405: the driver, or the resource's state, does not allow the operation."""


class Conflict(APIError):
    """409: e.g. deleting a bucket that still holds blobs."""


class ServerError(APIError):
    """5xx: the cloud failed (502), timed out (504), or the server did (500)."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
    405: MethodNotAllowed, 409: Conflict, 413: BadRequest, 416: BadRequest,
}

_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Request body too large",
    416: "Range Not Satisfiable", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}


def _document(body: bytes) -> dict[str, Any]:
    try:
        doc = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return {}
    return doc if isinstance(doc, dict) else {}


def api_error(status: int, body: bytes) -> APIError:
    """The exception for an error answer, read from the server's JSON error document.

    A body that is not one (a proxy's HTML page, a HEAD answer) gives the status's reason
    phrase: its text is never echoed, as it is not the server's.
    """
    doc = _document(body)
    error = doc.get("error") if isinstance(doc.get("error"), dict) else {}
    assert isinstance(error, dict)
    message = error.get("message") or doc.get("message")
    if not isinstance(message, str) or not message:
        message = _REASONS.get(status, f"HTTP status {status}")
    code = error.get("code", doc.get("code"))
    backend = error.get("backend") if isinstance(error.get("backend"), dict) else {}
    assert isinstance(backend, dict)
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else APIError)
    return kind(
        status, message,
        code=code if isinstance(code, int) else None,
        url=error.get("url") if isinstance(error.get("url"), str) else None,
        driver=backend.get("driver") if isinstance(backend.get("driver"), str) else None,
        provider=backend.get("provider") if isinstance(backend.get("provider"), str) else None,
    )
