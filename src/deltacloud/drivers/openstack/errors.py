"""OpenStack's failures as Deltacloud errors: `translate` knows the SDKs' exceptions, and
every call runs inside `common.errors.translating(translate)`.

The messages of 4xx answers are our own: the cloud's often repeat what the
client sent (ids, names), which error bodies must not. A 5xx keeps the
cloud's message (a 502), as the driver guide asks.
"""

from __future__ import annotations

from deltacloud.drivers.common import errors as common
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    BadRequest,
    Conflict,
    DeltacloudError,
    Forbidden,
    NotImplementedByBackend,
)

# Where this driver's answers differ from the common ladder's (they are part of its API).
_KNOWN: dict[int, DeltacloudError] = {
    400: BadRequest("The cloud refused the request as invalid"),
    401: AuthenticationFailure(),
    403: Forbidden("The cloud does not allow this to these credentials"),
    408: BadRequest("The cloud refused the request (408)"),
    409: Conflict("The cloud refused: the resource is in a state that conflicts"),
    412: BadRequest("The cloud refused the request (412)"),
    416: BadRequest("The cloud refused the request (416)"),
}
# What a 5xx says when the cloud gave no message of its own.
_SILENT = {503: "The cloud is unavailable", 504: "The cloud timed out"}


def for_status(status: int, message: str = "") -> DeltacloudError:
    """The error for an HTTP status a cloud service answered with."""
    return common.for_status(status, "The cloud", message=message or _SILENT.get(status, ""),
                             missing="Not found in the cloud", known=_KNOWN)


def translate(exc: Exception) -> DeltacloudError | None:
    """An openstacksdk / keystoneauth exception as a Deltacloud error; None for the rest
    (a bug, left as it is). The SDKs are imported only once something failed."""
    from keystoneauth1 import exceptions as ks
    from openstack import exceptions as sdk

    # Most specific first: ConnectTimeout is a ConnectionError, RequestTimeout an HttpError.
    if isinstance(exc, ks.http.Unauthorized):
        return AuthenticationFailure()
    if isinstance(exc, ks.ConnectTimeout):
        return BackendTimeout("The cloud did not answer in time")
    if isinstance(exc, ks.connection.ConnectionError):
        return BackendError("The cloud cannot be reached")
    if isinstance(exc, ks.RequestTimeout):
        return BackendTimeout("The cloud did not answer in time")
    if isinstance(exc, ks.EndpointNotFound):
        return NotImplementedByBackend("The cloud offers no such service in this region")
    if isinstance(exc, ks.http.HttpError):
        return for_status(exc.http_status or 502, exc.message)
    if isinstance(exc, sdk.ResourceTimeout):
        return BackendTimeout("The cloud did not finish in time")
    if isinstance(exc, sdk.ServiceDisabledException):
        return NotImplementedByBackend("The cloud offers no such service")
    if isinstance(exc, sdk.HttpException):
        return for_status(exc.status_code or 502, _message(exc))
    if isinstance(exc, ks.DiscoveryFailure | ks.ClientException | sdk.SDKException):
        return BackendError(f"The cloud failed: {type(exc).__name__}")
    return None


def _message(e: Exception) -> str:
    details = getattr(e, "details", None)
    return str(details or getattr(e, "message", "") or type(e).__name__)[:500]
