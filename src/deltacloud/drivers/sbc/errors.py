"""SmartCloud Enterprise's answers as deltacloud errors.

SCE says what went wrong with the HTTP status: 401 for a user id or password it refuses,
404 for an id it does not know, 409 / 412 when the resource's state does not allow the
operation, 5xx when it fails itself. Messages are ours, never the cloud's body (a 4xx body
may repeat what was sent); transport failures (unreachable 502, silent 504) come from
`common.http.transport_error`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from deltacloud.drivers.common.errors import for_status, translating
from deltacloud.drivers.common.http import transport_error
from deltacloud.errors import DeltacloudError, MethodNotAllowed

CLOUD = "IBM SmartCloud Enterprise"


def for_answer(status: int, missing: str = "Not found", *,
               action: bool = False) -> DeltacloudError:
    """The error for an SCE answer that is not a 200. On an action (restart, delete), a 409
    or 412 is SCE refusing it in the instance's current state: a 405."""
    refused = MethodNotAllowed(f"{CLOUD} refused the action in the instance's current state")
    known = {409: refused, 412: refused} if action else None
    return for_status(status, CLOUD, missing=missing, known=known)


def translated() -> AbstractContextManager[None]:
    """Around every exchange with SCE: what httpx raises becomes a 502 or 504."""
    return translating(lambda exc: transport_error(exc, CLOUD))
