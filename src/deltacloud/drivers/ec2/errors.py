"""AWS's errors (from EC2, S3, ELB, CloudWatch, or a compatible cloud) as API errors.

botocore is imported only once an exception is being translated.
"""

from __future__ import annotations

import functools
import re
from contextlib import AbstractContextManager
from typing import Any

from deltacloud.drivers.base import Credentials
from deltacloud.drivers.common.errors import translating
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
)
from deltacloud.text import parse_integer

AUTH = {
    "AuthFailure", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidClientTokenId",
    "UnrecognizedClientException", "MissingAuthenticationToken", "IncompleteSignature",
    "InvalidSecurity", "InvalidToken", "ExpiredToken", "RequestExpired",
    "AuthorizationHeaderMalformed",
}
FORBIDDEN = {
    "UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "OptInRequired",
    "Blocked", "AllAccessDisabled", "AccountProblem",
}
NOT_FOUND = {
    "NoSuchBucket", "NoSuchKey", "NoSuchUpload", "NotFound", "404", "LoadBalancerNotFound",
    "AccessPointNotFound", "InvalidAMIID.Malformed", "InvalidAMIID.Unavailable",
    "InvalidInstanceID.Malformed", "InvalidVolumeID.Malformed", "InvalidSnapshotID.Malformed",
    "InvalidGroupId.Malformed", "InvalidAllocationID.Malformed", "InvalidID",
    "InvalidZone.NotFound", "ResourceNotFound",
}
STATE = {
    "IncorrectInstanceState", "IncorrectState", "InvalidInstanceState",
    "UnsupportedOperation", "InvalidState",
}
CONFLICT = {
    "BucketNotEmpty", "BucketAlreadyExists", "BucketAlreadyOwnedByYou",
    "InvalidKeyPair.Duplicate", "InvalidGroup.Duplicate", "DuplicateLoadBalancerName",
    "VolumeInUse", "DependencyViolation", "InvalidGroup.InUse", "InvalidIPAddress.InUse",
    "Resource.AlreadyAssociated", "InvalidPermission.Duplicate", "OperationAborted",
    "IdempotentParameterMismatch", "InvalidAMIName.Duplicate",
}
THROTTLED = {
    "Throttling", "ThrottlingException", "RequestLimitExceeded", "SlowDown",
    "TooManyRequestsException", "RequestThrottled", "RequestThrottledException",
    "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "EC2ThrottledException",
}
UNAVAILABLE = {"ServiceUnavailable", "Unavailable", "InsufficientInstanceCapacity"}
BAD = {
    "InvalidParameterValue", "InvalidParameter", "InvalidParameterCombination",
    "MissingParameter", "ValidationError", "InvalidBucketName", "InvalidLocationConstraint",
    "IllegalLocationConstraintException", "InvalidKeyPair.Format", "InvalidRequest",
    "InvalidArgument", "InvalidInput", "InvalidBlockDeviceMapping", "InvalidUserData.Malformed",
    "InvalidPermission.Malformed", "InvalidPermission.NotFound", "EntityTooSmall",
    "InvalidPart", "InvalidPartOrder", "MalformedXML", "KeyTooLongError",
    "MetadataTooLarge", "InvalidConfigurationRequest", "InvalidInstance",
}
RETRY_AFTER = "5"


def _scrub(message: str, credentials: Credentials | None) -> str:
    """Never let a credential through, whatever the cloud said."""
    if credentials is not None:
        for secret in (credentials.password, credentials.user):
            if secret and len(secret) >= 4:
                message = message.replace(secret, "***")
    return message


def client_error(code: str, message: str, status: int | None) -> DeltacloudError:
    """The API error for an AWS error code (and HTTP status, when the code says little)."""
    if code in AUTH:
        return AuthenticationFailure("The cloud refused the credentials")
    if code in FORBIDDEN:
        return Forbidden(message or "The cloud forbids this")
    if code in NOT_FOUND or code.endswith(".NotFound"):
        return NotFound(message or "Not found")
    if code in STATE:
        return MethodNotAllowed(message or "The resource's state does not allow this")
    if code in CONFLICT or code.endswith(".Duplicate") or code.endswith(".InUse"):
        return Conflict(message or "Conflict")
    if code in THROTTLED:
        return BackendError(f"The cloud is throttling requests: {message}".rstrip(": "),
                                  headers={"Retry-After": RETRY_AFTER})
    if code in UNAVAILABLE or status == 503:
        return BackendError(message or "The cloud is unavailable")
    if code in BAD or code.startswith("Invalid") or code.endswith(".Malformed"):
        return BadRequest(message or "The cloud refused the request")
    if status == 404:
        return NotFound(message or "Not found")
    if status in (401,):
        return AuthenticationFailure("The cloud refused the credentials")
    if status == 403:
        return Forbidden(message or "The cloud forbids this")
    if status == 409:
        return Conflict(message or "Conflict")
    if status is not None and 400 <= status < 500:
        return BadRequest(message or f"The cloud refused the request ({code})")
    return BackendError(message or f"The cloud failed ({code or status})")


def translate(exc: Exception, credentials: Credentials | None = None) -> DeltacloudError | None:
    """The API error for a botocore exception; None if `exc` is not one."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = str(error.get("Code") or "")
        message = _scrub(str(error.get("Message") or ""), credentials)
        return client_error(code, message, status)
    if isinstance(exc, bx.ConnectTimeoutError | bx.ReadTimeoutError):
        return BackendTimeout("The cloud did not answer in time")
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError
                  | bx.ProxyConnectionError | bx.SSLError):
        return BackendError("The cloud's endpoint cannot be reached")
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return AuthenticationFailure()
    if isinstance(exc, bx.ParamValidationError):
        return BadRequest("The cloud's SDK refused a parameter")
    if isinstance(exc, ResponseParserError):
        return BackendError("The cloud's answer could not be understood")
    if isinstance(exc, bx.BotoCoreError):
        return BackendError(_scrub(str(exc), credentials) or "The cloud failed")
    return None


_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html)", re.IGNORECASE)
_BODY_LOCATIONS = {None, "", "payload"}


def refuse_garbled(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    """botocore's `before-parse` hook. botocore reads an empty, cut-off or HTML answer as an
    empty result (a bucket listing with no buckets) or as a bare "Internal Server Error":
    refuse those here, with what was wrong, before it parses them."""
    if operation_model.has_streaming_output:
        return  # blob bytes: checked by their length as they stream
    body: bytes = response_dict.get("body") or b""
    status = int(response_dict.get("status_code") or 0)
    if _HTML.match(body[:512]):
        raise BackendError(f"The cloud answered HTTP {status} with an HTML page, not an API "
                           "answer: is the endpoint right?")
    length = parse_integer((response_dict.get("headers") or {}).get("content-length") or "")
    head = operation_model.http.get("method") == "HEAD"  # its length is the entity's
    if length is not None and length != len(body) and not head:
        raise BackendError("The cloud's answer was cut off before its end")
    if 200 <= status < 300 and _expects_body(operation_model):
        start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if not start:
            raise BackendError("The cloud's answer had no body (empty or cut off)")
        protocol = operation_model.service_model.resolved_protocol
        if start not in ((b"{", b"[") if "json" in protocol else (b"<",)):
            raise BackendError("The cloud's answer is not in the API's format")


def _expects_body(operation_model: Any) -> bool:
    shape = operation_model.output_shape
    if shape is None:
        return False
    return any(member.serialization.get("location") in _BODY_LOCATIONS
               for member in shape.members.values())


def translated(credentials: Credentials | None = None) -> AbstractContextManager[None]:
    """Around every call to the cloud: its failures become API errors, and no message
    carries the request's credentials."""
    return translating(functools.partial(translate, credentials=credentials))
