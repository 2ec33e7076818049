"""OpenStack's failures as Deltacloud errors: `translated()` goes around every call.

The messages of 4xx answers are our own: the cloud's often repeat what the
client sent (ids, names), which error bodies must not. A 5xx keeps the
cloud's message (a 502), as the driver guide asks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

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

_BY_STATUS: dict[int, DeltacloudError] = {
    400: BadRequest("The cloud refused the request as invalid"),
    401: AuthenticationFailure(),
    403: Forbidden("The cloud does not allow this to these credentials"),
    404: NotFound("Not found in the cloud"),
    405: MethodNotAllowed("The cloud does not allow this operation here"),
    409: Conflict("The cloud refused: the resource is in a state that conflicts"),
    413: PayloadTooLarge("The cloud refused: over quota or too large"),
}


def for_status(status: int, message: str = "") -> DeltacloudError:
    """The error for an HTTP status a cloud service answered with."""
    known = _BY_STATUS.get(status)
    if known is not None:
        return type(known)(known.message)
    if status == 501:
        return NotImplementedByBackend("The cloud does not implement this operation")
    if 400 <= status < 500:
        return BadRequest(f"The cloud refused the request ({status})")
    if status in (503,):
        return BackendError(message or "The cloud is unavailable")
    if status == 504:
        return BackendTimeout(message or "The cloud timed out")
    return BackendError(message or f"The cloud failed ({status})")


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn openstacksdk / keystoneauth / requests exceptions into Deltacloud errors."""
    from keystoneauth1 import exceptions as ks
    from openstack import exceptions as sdk

    try:
        yield
    except DeltacloudError:
        raise
    except ks.http.Unauthorized:
        raise AuthenticationFailure() from None
    except ks.ConnectTimeout:
        raise BackendTimeout("The cloud did not answer in time") from None
    except ks.connection.ConnectionError:
        raise BackendError("The cloud cannot be reached") from None
    except ks.RequestTimeout:
        raise BackendTimeout("The cloud did not answer in time") from None
    except ks.EndpointNotFound:
        raise NotImplementedByBackend("The cloud offers no such service in this region") from None
    except ks.http.HttpError as e:
        raise for_status(e.http_status or 502, e.message) from None
    except sdk.ResourceTimeout:
        raise BackendTimeout("The cloud did not finish in time") from None
    except sdk.ServiceDisabledException:
        raise NotImplementedByBackend("The cloud offers no such service") from None
    except sdk.HttpException as e:
        status = e.status_code or 502
        raise for_status(status, _message(e)) from None
    except (ks.DiscoveryFailure, ks.ClientException, sdk.SDKException) as e:
        raise BackendError(f"The cloud failed: {type(e).__name__}") from None


def _message(e: Exception) -> str:
    details = getattr(e, "details", None)
    return str(details or getattr(e, "message", "") or type(e).__name__)[:500]
