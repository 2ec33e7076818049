"""RimuHosting's faults as deltacloud errors: `translated()` wraps every call.

RimuHosting answers `{"<call>_response": {"response_type": "ERROR", "error_info":
{"error_class": ..., "human_readable_message": ...}, ...}}`, usually with an HTTP error
status. A bad or missing API key (403, as Libcloud reads it, or the error classes
`LoginRequired` / `PermissionException` Deltacloud read) is 401; an unknown order 404; an
action the server refuses 405 with its message; other refusals 400; RimuHosting failing,
unreachable, redirecting or answering what is not its JSON 502; silent 504. Messages from
the cloud are cut short and never carry the API key, whatever the endpoint echoes.
"""

from __future__ import annotations

import socket
import ssl
from contextlib import AbstractContextManager

from deltacloud.drivers.common.errors import for_status, translating
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    BadRequest,
    DeltacloudError,
    MethodNotAllowed,
    NotFound,
)

CLOUD = "RimuHosting"
MESSAGE_LIMIT = 400
AUTH_CLASSES = ("LoginRequired", "PermissionException", "AuthenticationException")


class RimuError(Exception):
    """An answer of RimuHosting's that is an error: its HTTP status, the error class it
    names and its human-readable message (the body is never kept)."""

    def __init__(self, status: int, error_class: str | None, message: str,
                 readable: bool = True) -> None:
        super().__init__(status, error_class)
        self.status = status
        self.error_class = str(error_class or "")
        self.message = message
        self.readable = readable  # False: the body is not the API's JSON


def scrubbed(message: str, key: str) -> str:
    """A cloud's message fit for an error body: no API key, bounded."""
    text = " ".join(str(message).split())
    if key:
        text = text.replace(key, "***")
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "..."


def translate_answer(exc: RimuError, key: str, refusal: str) -> DeltacloudError:
    """An error answer of the API as the SPEC's status."""
    message = scrubbed(exc.message, key)
    if exc.status in (408, 504):
        return BackendTimeout(f"{CLOUD} did not answer in time")
    if exc.status in (401, 403) or exc.error_class.endswith(AUTH_CLASSES):
        return AuthenticationFailure(f"{CLOUD} refused the API key")
    if not exc.readable:
        return BackendError(f"{CLOUD}'s answer is not the JSON of its API "
                            f"(HTTP {exc.status})")
    if exc.status == 404 or "NotFound" in exc.error_class:
        return NotFound("The order does not exist at RimuHosting")
    if exc.status >= 500 or exc.status == 429:
        return BackendError(f"{CLOUD} failed: {message}" if message
                            else f"{CLOUD} failed (HTTP {exc.status})")
    if refusal == "action" or exc.status in (405, 409):
        return MethodNotAllowed(message or f"{CLOUD} refused the action")
    if exc.status <= 400:
        # An ERROR answer to a request: RimuHosting's words say what was wrong with it
        # (they name fields and plans, not the key).
        return BadRequest(f"{CLOUD} refused the request: {message}" if message
                          else f"{CLOUD} refused the request")
    return for_status(exc.status, CLOUD)


def translate_transport(exc: Exception) -> DeltacloudError | None:
    """What `requests` (under Libcloud) raises when the API cannot be spoken to."""
    import requests

    if isinstance(exc, requests.Timeout | socket.timeout | TimeoutError):
        return BackendTimeout(f"{CLOUD} did not answer in time")
    if isinstance(exc, requests.TooManyRedirects):
        return BackendError(f"{CLOUD} answered with a redirect, which is not followed")
    if isinstance(exc, requests.exceptions.SSLError | ssl.SSLError):
        return BackendError(f"TLS with the {CLOUD} endpoint failed (certificate not "
                            "trusted, or not TLS)")
    if isinstance(exc, requests.ConnectionError | socket.gaierror | ConnectionError):
        return BackendError(f"{CLOUD} cannot be reached")
    if isinstance(exc, requests.RequestException):
        return BackendError(f"{CLOUD} broke off its answer")
    return None


def translate_one(exc: Exception, key: str, refusal: str) -> DeltacloudError | None:
    if isinstance(exc, RimuError):
        return translate_answer(exc, key, refusal)
    found = translate_transport(exc)
    if found is not None:
        return found
    from libcloud.common.types import InvalidCredsError, LibcloudError, MalformedResponseError

    if isinstance(exc, InvalidCredsError):
        return AuthenticationFailure(f"{CLOUD} refused the API key")
    if isinstance(exc, MalformedResponseError | LibcloudError):
        return BackendError(f"{CLOUD}'s answer could not be read")
    if isinstance(exc, KeyError | TypeError | AttributeError):
        # Libcloud's reading of an answer that lacks what the API always sends.
        return BackendError(f"{CLOUD}'s answer lacks what its API sends")
    return None


def translated(key: str = "", refusal: str = "request") -> AbstractContextManager[None]:
    """Around every call to RimuHosting: its faults become deltacloud errors, ours pass."""
    return translating(lambda exc: translate_one(exc, key, refusal))
