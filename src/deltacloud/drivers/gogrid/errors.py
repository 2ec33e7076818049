"""GoGrid's failures as deltacloud errors.

GoGrid answers every call with a JSON envelope whose `status` is `success` or `failure`;
a failure carries `{"object": "error", "errorcode": ..., "message": ...}`. Its API proxy
refuses an unknown key or a bad signature with 403 (or 401) and a small HTML page. An
object that does not exist is a 400 with "No object found"; a power or delete the
server's state refuses is a failure envelope. Messages in error bodies are ours: GoGrid's
own words may repeat what was sent, so only its error code (an identifier) is kept.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager

from deltacloud.drivers.common.errors import for_status, translating
from deltacloud.drivers.common.http import transport_error
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BadRequest,
    DeltacloudError,
    MethodNotAllowed,
    NotFound,
)

CLOUD = "GoGrid"
_CODE = re.compile(r"^[A-Za-z0-9_.]{1,64}$")
# GoGrid's words for an id or name no object has.
MISSING_WORDS = "No object found"


class Missing(NotFound):
    """GoGrid found no object for the id or name it was given (its 400 "No object found")."""


class Unanswerable(BackendError):
    """The endpoint answered, but not as GoGrid's JSON API does (502)."""


def error_code(body: object) -> str:
    """The `errorcode` of a failure envelope, if it is a plain identifier."""
    first = _first_error(body)
    code = str(first.get("errorcode") or "") if first else ""
    return code if _CODE.match(code) else ""


def is_missing(body: object) -> bool:
    first = _first_error(body)
    return bool(first) and MISSING_WORDS in str(first.get("message") or "")


def _first_error(body: object) -> dict[str, object]:
    if not isinstance(body, dict):
        return {}
    items = body.get("list")
    if isinstance(items, list) and items and isinstance(items[0], dict) \
            and items[0].get("object") == "error":
        return items[0]
    return {}


def for_failure(status: int, body: object, *, action: bool = False,
                missing: str = "Not found") -> DeltacloudError:
    """The error for an answer that is not a success: `status` is its HTTP status, `body`
    its parsed JSON (or None); `action` says the call was a power change or a delete."""
    if status in (401, 403):
        return AuthenticationFailure(f"{CLOUD} refused the API key or signature")
    if is_missing(body):
        return Missing(missing)
    code = error_code(body)
    if action and status in (200, 400):
        return MethodNotAllowed(f"{CLOUD} refused the action in the server's current state"
                                + (f" ({code})" if code else ""))
    if status == 200:  # a failure envelope on a read
        return BadRequest(f"{CLOUD} refused the request ({code or 'failure'})")
    if status in (502, 503):
        return BackendError(f"{CLOUD} is unavailable ({status})")
    return for_status(status, CLOUD, detail=code, missing=missing)


def translate(exc: Exception) -> DeltacloudError | None:
    """What the HTTP layer raises when GoGrid does not answer well (502, 504)."""
    return transport_error(exc, CLOUD)


def translated() -> AbstractContextManager[None]:
    """Around every call to GoGrid: its transport failures become 502 and 504."""
    return translating(translate)
