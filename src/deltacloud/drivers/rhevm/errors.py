"""oVirt SDK errors, SSO refusals and transport failures as deltacloud errors.

`translated()` wraps every call to an engine. The engine's own words are kept where they
say why it refused a change (its fault detail: "Cannot run VM. VM is running."), never
for credentials, and never a request parameter of ours.
"""

from __future__ import annotations

import re
import ssl
from contextlib import AbstractContextManager

from deltacloud.drivers.common.errors import translating
from deltacloud.drivers.common.http import transport_error
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

CLOUD = "The oVirt engine"
_LIMIT = 300  # characters of an engine's message passed on


class SsoRefused(Exception):
    """The engine's SSO answered with an error document instead of a token."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _detail(fault: object) -> str:
    """The engine's reason for a refusal: the fault's detail without its brackets."""
    detail = str(getattr(fault, "detail", "") or getattr(fault, "reason", "") or "")
    detail = detail.strip().removeprefix("[").removesuffix("]").strip()
    return detail[:_LIMIT]


def _curl_reason(message: str) -> str:
    """What libcurl said, from the SDK's "Error while sending HTTP request: (N, '...')"."""
    match = re.search(r"\((\d+), '([^']*)'\)", message)
    return match.group(2)[:_LIMIT] if match else ""


def translate_sdk(exc: Exception) -> DeltacloudError | None:
    """One ovirtsdk4 error as a deltacloud error; None if it is not the SDK's."""
    import ovirtsdk4 as sdk

    if not isinstance(exc, sdk.Error):
        return None
    code = getattr(exc, "code", None)
    detail = _detail(getattr(exc, "fault", None))
    if isinstance(exc, sdk.TimeoutError):
        return BackendTimeout(f"{CLOUD} did not answer in time")
    if isinstance(exc, sdk.ConnectionError):
        return BackendError(f"{CLOUD} cannot be reached")
    if code == 401:
        return AuthenticationFailure(f"{CLOUD} refused the credentials")
    if isinstance(exc, sdk.AuthError) or code == 403:
        return Forbidden(f"{CLOUD} forbids this operation" + (f": {detail}" if detail else ""))
    if isinstance(exc, sdk.NotFoundError) or code == 404:
        return NotFound("Not found")
    if code == 409:
        return Conflict(f"{CLOUD} refused: {detail}" if detail else f"{CLOUD} refused the change")
    if code == 405:
        return MethodNotAllowed(detail or f"{CLOUD} does not allow this operation here")
    if code == 400:
        return BadRequest(f"{CLOUD} refused the request" + (f": {detail}" if detail else ""))
    if code in (408, 504):
        return BackendTimeout(f"{CLOUD} did not answer in time")
    if code is not None:
        return BackendError(f"{CLOUD} failed (HTTP {code})" + (f": {detail}" if detail else ""))
    message = str(exc)
    reason = _curl_reason(message)
    lowered = message.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return BackendError("TLS with the oVirt engine failed: its certificate could not be "
                            f"verified ({reason or 'TLS error'}); see DELTACLOUD_RHEVM_CA_BUNDLE")
    if "content type" in lowered:
        return BackendError(f"{CLOUD} answered with something other than its API (is the "
                            "provider's path right? usually /ovirt-engine/api)")
    return BackendError(f"{CLOUD} failed" + (f" ({reason})" if reason else ""))


def translate(exc: Exception) -> DeltacloudError | None:
    """Any exception raised while talking to an engine, as an error; None if not ours."""
    if isinstance(exc, SsoRefused):
        if exc.code in ("access_denied", "invalid_grant", "unauthorized_client"):
            return AuthenticationFailure(f"{CLOUD} refused the credentials")
        return BackendError(f"{CLOUD}'s single sign-on failed ({exc.code[:40]})")
    found = translate_sdk(exc)
    if found is not None:
        return found
    text = str(exc).lower()
    if "certificate" in text or isinstance(exc, ssl.SSLError):
        # httpx (the SSO exchange, which comes first) says it in the exception's text.
        return BackendError("TLS with the oVirt engine failed: its certificate could not be "
                            "verified; see DELTACLOUD_RHEVM_CA_BUNDLE")
    return transport_error(exc, CLOUD)


def translated() -> AbstractContextManager[None]:
    """Around every call to an engine: its errors become deltacloud errors."""
    return translating(translate)
