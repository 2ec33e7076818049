"""Azure's errors as Deltacloud's: one context manager around every call."""

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
    NotFound,
)

_BY_CODE: dict[str, DeltacloudError] = {
    "AuthenticationFailed": AuthenticationFailure("Azure refused the account name or key"),
    "InvalidAuthenticationInfo": AuthenticationFailure("Azure refused the account name or key"),
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


def _fresh(error: DeltacloudError) -> DeltacloudError:
    return type(error)(error.message)


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn what the Azure SDK raises into the SPEC's statuses (never echoing parameters)."""
    from azure.core.exceptions import (
        HttpResponseError,
        ServiceRequestError,
        ServiceRequestTimeoutError,
        ServiceResponseError,
        ServiceResponseTimeoutError,
    )

    try:
        yield
    except (ServiceRequestTimeoutError, ServiceResponseTimeoutError):
        raise BackendTimeout("Azure did not answer in time") from None
    except ServiceRequestError:
        raise BackendError("The Azure endpoint cannot be reached") from None
    except ServiceResponseError:
        raise BackendError("The Azure endpoint broke off its answer") from None
    except HttpResponseError as exc:
        raise from_http_error(exc) from None


def from_http_error(exc: object) -> DeltacloudError:
    raw = getattr(exc, "error_code", None) or ""
    code = str(getattr(raw, "value", raw))
    status = int(getattr(exc, "status_code", 0) or 0)
    if status == 403 and "failed to authenticate" in str(exc):
        # Azurite says AuthorizationFailure where Azure says AuthenticationFailed:
        # both mean the key (the signature) is wrong.
        return AuthenticationFailure("Azure refused the account name or key")
    known = _BY_CODE.get(code)
    if known is not None:
        return _fresh(known)
    if status == 401 or (status == 403 and not code):
        return AuthenticationFailure("Azure refused the account name or key")
    if status == 403:
        return Forbidden(f"Azure forbids this operation ({code})")
    if status == 404:
        return NotFound()
    if status == 409:
        return Conflict(f"Azure refused the change ({code or status})")
    if status == 416:
        return BadRequest("Azure refused the byte range")
    if status == 504:
        return BackendTimeout("Azure timed out")
    if 400 <= status < 500:
        return BadRequest(f"Azure refused the request ({code or status})")
    return BackendError(f"Azure failed ({code or status})")
