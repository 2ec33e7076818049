"""Azure's errors as Deltacloud's: one context manager around every call."""

from __future__ import annotations

from contextlib import AbstractContextManager

from deltacloud.drivers.common.errors import for_status, fresh, translating
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    BadRequest,
    Conflict,
    DeltacloudError,
    Forbidden,
    NotFound,
)

_REFUSED_KEY = "Azure refused the account name or key"

_BY_CODE: dict[str, DeltacloudError] = {
    "AuthenticationFailed": AuthenticationFailure(_REFUSED_KEY),
    "InvalidAuthenticationInfo": AuthenticationFailure(_REFUSED_KEY),
    "NoAuthenticationInformation": AuthenticationFailure(),
    "AuthorizationFailure": Forbidden("Azure forbids this operation to the account"),
    "AuthorizationPermissionMismatch": Forbidden("Azure forbids this operation to the account"),
    "InsufficientAccountPermissions": Forbidden("Azure forbids this operation to the account"),
    "AccountIsDisabled": Forbidden("The Azure storage account is disabled"),
    "ContainerNotFound": NotFound("Bucket not found"),
    "BlobNotFound": NotFound("Blob not found"),
    "ResourceNotFound": NotFound("Not found"),
    "ContainerAlreadyExists": Conflict("A bucket with that name exists already"),
    "ContainerBeingDeleted": Conflict("A bucket with that name is being deleted"),
    "InvalidResourceName": BadRequest("Azure refused the bucket or blob name"),
    "InvalidMetadata": BadRequest("Azure refused the blob metadata"),
    "OutOfRangeInput": BadRequest("Azure refused a name or value as out of range"),
    "RequestBodyTooLarge": BadRequest("The blob is too large for Azure"),
    "OperationTimedOut": BackendTimeout("Azure timed out"),
    "ServerBusy": BackendError("Azure is busy; try again later"),
}

# Where Azure's words differ from the common ladder's.
_BY_STATUS: dict[int, DeltacloudError] = {
    401: AuthenticationFailure(_REFUSED_KEY),
    504: BackendTimeout("Azure timed out"),
}
# Statuses the common ladder reads more specifically than this driver always has: kept
# a plain refusal (400) or failure (502), so clients see the statuses they always did.
_REFUSED = (405, 408, 412, 413)


def translate(exc: Exception) -> DeltacloudError | None:
    """What the Azure SDK raises, as the SPEC's statuses (never echoing parameters);
    None for anything else."""
    from azure.core.exceptions import (
        HttpResponseError,
        ServiceRequestError,
        ServiceRequestTimeoutError,
        ServiceResponseError,
        ServiceResponseTimeoutError,
    )

    if isinstance(exc, ServiceRequestTimeoutError | ServiceResponseTimeoutError):
        return BackendTimeout("Azure did not answer in time")
    if isinstance(exc, ServiceRequestError):
        return BackendError("The Azure endpoint cannot be reached")
    if isinstance(exc, ServiceResponseError):
        return BackendError("The Azure endpoint broke off its answer")
    if isinstance(exc, HttpResponseError):
        return from_http_error(exc)
    return None


def translated() -> AbstractContextManager[None]:
    """Around every call to Azure."""
    return translating(translate)


def from_http_error(exc: object) -> DeltacloudError:
    """Azure's error code says more than its status, so it is read first."""
    raw = getattr(exc, "error_code", None) or ""
    code = str(getattr(raw, "value", raw))
    status = int(getattr(exc, "status_code", 0) or 0)
    # Azurite says AuthorizationFailure where Azure says AuthenticationFailed (both mean
    # the key, the signature, is wrong); a 403 without a code means the same.
    if status == 403 and (not code or "failed to authenticate" in str(exc)):
        return AuthenticationFailure(_REFUSED_KEY)
    known = _BY_CODE.get(code)
    if known is not None:
        return fresh(known)
    detail = code or str(status)
    if status in _REFUSED:
        return BadRequest(f"Azure refused the request ({detail})")
    if status == 501:
        return BackendError(f"Azure failed ({detail})")
    return for_status(status, "Azure", detail=code, missing=NotFound.default_message,
                      known=_BY_STATUS)
