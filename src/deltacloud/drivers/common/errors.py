"""What every driver's `translated()` shares: our own errors pass through, a cloud's
become the SPEC's statuses, anything unforeseen stays a bug (a 500 with a log line).

A driver writes one function, `translate(exc) -> DeltacloudError | None`, that knows its
SDK's exceptions, and wraps calls in `translating(translate)`. `for_status` is the
status ladder for clouds that answer in plain HTTP. Messages of 4xx errors are ours,
never the cloud's: those often repeat what the client sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping

from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    BadRequest,
    Conflict,
    DeltacloudError,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    NotImplementedByBackend,
    PayloadTooLarge,
)

Translate = Callable[[Exception], "DeltacloudError | None"]


@contextlib.contextmanager
def translating(translate: Translate) -> Iterator[None]:
    """Around a call to a cloud: what `translate` recognises is raised as an API error
    (without the SDK's traceback, which may hold request details); the rest as it is."""
    try:
        yield
    except DeltacloudError:
        raise
    except Exception as exc:
        error = translate(exc)
        if error is None or error is exc:
            raise
        raise error from None


def fresh(error: DeltacloudError) -> DeltacloudError:
    """A new error like a table's template (a raised exception carries its traceback,
    so a shared instance must never be raised)."""
    return type(error)(error.message)


def for_status(status: int, cloud: str = "The cloud", *, detail: str = "",
               message: str = "", missing: str = "Not found",
               known: Mapping[int, DeltacloudError] | None = None) -> DeltacloudError:
    """The error for an HTTP status a cloud answered with.

    `cloud` names it in messages; `detail` (the cloud's error code) goes in brackets
    where the status would; `message` is the cloud's own words, kept for 5xx only;
    `missing` says what a 404 did not find; `known` overrides statuses a cloud means
    something more specific by.
    """
    if known and status in known:
        return fresh(known[status])
    detail = detail or str(status)
    if status == 401:
        return AuthenticationFailure(f"{cloud} refused the credentials")
    if status == 403:
        return Forbidden(f"{cloud} forbids this operation ({detail})")
    if status == 404:
        return NotFound(missing)
    if status == 405:
        return MethodNotAllowed(f"{cloud} does not allow this operation here")
    if status in (409, 412):
        return Conflict(f"{cloud} refused the change ({detail})")
    if status == 413:
        return PayloadTooLarge(f"{cloud} refused: over quota or too large")
    if status == 416:
        return BadRequest(f"{cloud} refused the byte range")
    if status in (408, 504):
        return BackendTimeout(message or f"{cloud} did not answer in time")
    if status == 501:
        return NotImplementedByBackend(f"{cloud} does not implement this operation")
    if 400 <= status < 500:
        return BadRequest(f"{cloud} refused the request ({detail})")
    return BackendError(message or f"{cloud} failed ({detail})")
