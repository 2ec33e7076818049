"""Google's errors as Deltacloud's: one `translate` for `common.errors.translating`.

Both ways in end here: the XML API's `<Error><Code>` answers and what httpx raises
for it, and what google-cloud-storage, google-auth and requests raise for the JSON API.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from contextlib import AbstractContextManager

from deltacloud.drivers.common.errors import for_status, fresh, translating
from deltacloud.drivers.common.http import transport_error
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    BadRequest,
    Conflict,
    DeltacloudError,
    NotFound,
)

CLOUD = "Google"
ENDPOINT = "The Google Storage endpoint"  # what transport failures name
TIMEOUT = f"{CLOUD} did not answer in time"
_WRONG_KEY = f"{CLOUD} refused the credentials"
_AUTH_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurity",
               "MissingSecurityHeader", "AuthenticationRequired", "ExpiredToken",
               "InvalidToken", "UserProjectAccountProblem"}
_TAKEN = Conflict("A bucket with that name exists already")
# Error codes that say more than their status.
_BY_CODE: dict[str, DeltacloudError] = {
    "NoSuchBucket": NotFound("Bucket not found"),
    "NoSuchKey": NotFound("Blob not found"),
    "BucketAlreadyExists": _TAKEN,
    "BucketAlreadyOwnedByYou": _TAKEN,
    "BucketNameUnavailable": _TAKEN,
    "BucketNotEmpty": Conflict("The bucket is not empty: delete its blobs first"),
    "InvalidBucketName": BadRequest("Google refused the bucket name"),
}


def from_status(status: int, code: str = "", missing: str = "Not found") -> DeltacloudError:
    """The error for a status Google answered with, sharpened by its error code."""
    if code in _AUTH_CODES or status == 401:
        return AuthenticationFailure(_WRONG_KEY)
    if code in _BY_CODE:
        return fresh(_BY_CODE[code])
    detail = code or str(status)
    # This driver has always answered these as a plain refusal or failure (a 501
    # included): the ladder's more specific errors would change their statuses.
    refused = BadRequest(f"{CLOUD} refused the request ({detail})")
    known = {405: refused, 413: refused, 501: BackendError(f"{CLOUD} failed ({detail})")}
    return for_status(status, CLOUD, detail=detail, missing=missing, known=known)


def from_xml_error(status: int, body: bytes, missing: str = "Not found") -> DeltacloudError:
    code = ""
    if body:
        try:
            code = ET.fromstring(body).findtext("Code") or ""
        except ET.ParseError:
            code = ""
    return from_status(status, code, missing)


def _from_transport(exc: Exception) -> DeltacloudError | None:
    """What httpx raises (the XML API), as this driver has always said it."""
    error = transport_error(exc, ENDPOINT)
    return BackendTimeout(TIMEOUT) if isinstance(error, BackendTimeout) else error


def translate(exc: Exception, missing: str = "Not found") -> DeltacloudError | None:
    """The SPEC's error for what the HTTP stacks and Google's libraries raise; None for
    anything else (a bug)."""
    if isinstance(exc, TimeoutError):
        return BackendTimeout(TIMEOUT)
    error = _from_transport(exc)
    if error is None:
        error = _from_requests(exc)
    if error is None:
        error = _from_google_library(exc, missing)
    return error


def translated(missing: str = "Not found") -> AbstractContextManager[None]:
    """Around a call to Google; `missing` says what a 404 did not find."""
    return translating(lambda exc: translate(exc, missing))


def _from_requests(exc: Exception) -> DeltacloudError | None:
    """requests errors (the JSON API, through google-auth); None for anything else."""
    import requests

    if isinstance(exc, requests.Timeout):
        return BackendTimeout(TIMEOUT)
    if isinstance(exc, requests.ConnectionError):
        return BackendError(f"{ENDPOINT} cannot be reached")
    if isinstance(exc, requests.RequestException):
        return BackendError(f"{ENDPOINT} broke off its answer")
    return None


def _from_google_library(exc: Exception, missing: str) -> DeltacloudError | None:
    """google-auth and google-api-core errors (the JSON API); None for anything else."""
    module = type(exc).__module__
    if module.startswith("google.auth"):
        from google.auth import exceptions as auth

        if isinstance(exc, auth.RefreshError):
            # The token endpoint refused the signed assertion: the key is wrong.
            return AuthenticationFailure(_WRONG_KEY)
        if isinstance(exc, auth.TransportError):
            return BackendError("The Google token endpoint cannot be reached")
        if isinstance(exc, auth.MalformedError):
            return AuthenticationFailure("The service account key cannot be read")
        return AuthenticationFailure(_WRONG_KEY)
    if module.startswith("google.api_core"):
        from google.api_core import exceptions as core

        if isinstance(exc, core.GoogleAPICallError) and exc.code:
            reason = ""
            if exc.errors and isinstance(exc.errors[0], dict):
                reason = str(exc.errors[0].get("reason", ""))
            return from_status(int(exc.code), _JSON_REASONS.get(reason, ""), missing)
        if isinstance(exc, core.RetryError):
            return BackendTimeout(TIMEOUT)
    if module.startswith("google.resumable_media") or module.startswith("google.cloud"):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status:
            return from_status(int(status), "", missing)
    return None


# The JSON API's error reasons, in the XML API's words where they mean the same.
_JSON_REASONS = {"authError": "InvalidSecurity", "conflict": "", "notFound": "",
                 "invalid": "", "forbidden": ""}
