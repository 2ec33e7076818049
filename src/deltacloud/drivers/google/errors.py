"""Google's errors as Deltacloud's: one context manager around every call.

Both ways in end here: the XML API's `<Error><Code>` answers, and what
google-cloud-storage, google-auth and requests raise for the JSON API.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
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

_WRONG_KEY = "Google refused the credentials"
_AUTH_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurity",
               "MissingSecurityHeader", "AuthenticationRequired", "ExpiredToken",
               "InvalidToken", "UserProjectAccountProblem"}
_BUCKET_TAKEN = {"BucketAlreadyExists", "BucketAlreadyOwnedByYou", "BucketNameUnavailable"}


def from_status(status: int, code: str = "", missing: str = "Not found") -> DeltacloudError:
    if code in _AUTH_CODES or status == 401:
        return AuthenticationFailure(_WRONG_KEY)
    if code == "NoSuchBucket":
        return NotFound("Bucket not found")
    if code == "NoSuchKey":
        return NotFound("Blob not found")
    if code in _BUCKET_TAKEN:
        return Conflict("A bucket with that name exists already")
    if code == "BucketNotEmpty":
        return Conflict("The bucket is not empty: delete its blobs first")
    if code == "InvalidBucketName":
        return BadRequest("Google refused the bucket name")
    if status == 403:
        return Forbidden(f"Google forbids this operation ({code or status})")
    if status == 404:
        return NotFound(missing)
    if status in (409, 412):
        return Conflict(f"Google refused the change ({code or status})")
    if status == 416:
        return BadRequest("Google refused the byte range")
    if status in (408, 504):
        return BackendTimeout("Google did not answer in time")
    if 400 <= status < 500:
        return BadRequest(f"Google refused the request ({code or status})")
    return BackendError(f"Google failed ({code or status})")


def from_xml_error(status: int, body: bytes, missing: str = "Not found") -> DeltacloudError:
    code = ""
    if body:
        try:
            code = ET.fromstring(body).findtext("Code") or ""
        except ET.ParseError:
            code = ""
    return from_status(status, code, missing)


@contextlib.contextmanager
def translated(missing: str = "Not found") -> Iterator[None]:
    """Turn what the HTTP stack and Google's libraries raise into the SPEC's statuses."""
    import requests

    try:
        yield
    except DeltacloudError:
        raise
    except (requests.Timeout, TimeoutError):
        raise BackendTimeout("Google did not answer in time") from None
    except requests.ConnectionError:
        raise BackendError("The Google Storage endpoint cannot be reached") from None
    except requests.RequestException:
        raise BackendError("The Google Storage endpoint broke off its answer") from None
    except Exception as exc:
        error = _from_google_library(exc, missing)
        if error is None:
            raise
        raise error from None


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
            return BackendTimeout("Google did not answer in time")
    if module.startswith("google.resumable_media") or module.startswith("google.cloud"):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status:
            return from_status(int(status), "", missing)
    return None


# The JSON API's error reasons, in the XML API's words where they mean the same.
_JSON_REASONS = {"authError": "InvalidSecurity", "conflict": "", "notFound": "",
                 "invalid": "", "forbidden": ""}
