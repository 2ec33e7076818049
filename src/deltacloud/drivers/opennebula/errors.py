"""OpenNebula's failures as deltacloud errors: `translated()` wraps every call.

oned answers a failed call with `[false, message, code]`; pyone raises one exception class
per code. Wrong credentials are 401, missing objects 404, what the user may not do 403,
an action the VM's state refuses 405 with oned's message, other refusals (allocation,
locks) 409 with oned's message, oned failing or unreachable 502, silent 504. Messages
that come from the cloud are cut short and never carry the request's password or session
string, whatever the endpoint echoes.
"""

from __future__ import annotations

import socket
import xml.parsers.expat
import xmlrpc.client
from contextlib import AbstractContextManager

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

MESSAGE_LIMIT = 400
# oned's words for an action the VM's state does not allow (DispatchManager).
STATE_REFUSALS = ("This action is not available for state", "wrong state")


class Unanswerable(BackendError):
    """The endpoint answered, but not as OpenNebula's XML-RPC API does (502)."""


def scrubbed(message: str, creds: Credentials | None) -> str:
    """A cloud's message fit for an error body: no secret of the request, bounded."""
    text = " ".join(str(message).split())
    if creds is not None:
        for secret in (f"{creds.user}:{creds.password}", creds.password):
            if secret:
                text = text.replace(secret, "***")
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "..."


def translate_one(exc: Exception, creds: Credentials | None) -> DeltacloudError | None:
    """pyone's exceptions (OpenNebula's error codes) as deltacloud errors."""
    import pyone

    message = scrubbed(str(exc.args[0]) if exc.args else "", creds)
    if isinstance(exc, pyone.OneAuthenticationException):
        return AuthenticationFailure("OpenNebula refused the user name or password")
    if isinstance(exc, pyone.OneAuthorizationException):
        return Forbidden("OpenNebula does not authorize this user for the operation")
    if isinstance(exc, pyone.OneNoExistsException):
        return NotFound("The object does not exist in OpenNebula")
    if isinstance(exc, pyone.OneActionException):
        if any(words in message for words in STATE_REFUSALS):
            return MethodNotAllowed(message or "OpenNebula refused the action in this state")
        return Conflict(message or "OpenNebula refused the action")
    if isinstance(exc, pyone.OneApiException):
        return BadRequest("OpenNebula refused the call's parameters")
    if isinstance(exc, pyone.OneInternalException):
        return BackendError(message or "OpenNebula failed")
    if isinstance(exc, pyone.OneException):
        # ALLOCATE (quotas, capacity) and LOCKED come without a class of their own.
        if "Error allocating" in message or "is locked" in message:
            return Conflict(message)
        return BackendError(message or "OpenNebula failed")
    return None


def translate_transport(exc: Exception) -> DeltacloudError | None:
    """What `requests` and the XML-RPC parser raise when oned cannot be spoken to."""
    import requests

    if isinstance(exc, requests.Timeout | socket.timeout | TimeoutError):
        return BackendTimeout("OpenNebula did not answer in time")
    if isinstance(exc, requests.exceptions.SSLError):
        return BackendError("TLS with the OpenNebula endpoint failed (certificate not "
                            "trusted, or not TLS)")
    if isinstance(exc, requests.ConnectionError):
        return BackendError("OpenNebula (oned) cannot be reached")
    if isinstance(exc, requests.RequestException):
        return BackendError("OpenNebula broke off its answer")
    if isinstance(exc, xml.parsers.expat.ExpatError | xmlrpc.client.ResponseError):
        return BackendError("The endpoint does not answer as OpenNebula's XML-RPC API")
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml comes with pyone
        return None
    if isinstance(exc, etree.LxmlError):
        return BackendError("OpenNebula's answer is not the XML it should be")
    return None


def translated(creds: Credentials | None = None) -> AbstractContextManager[None]:
    """Around every call to OpenNebula: its failures become deltacloud errors, ours pass."""
    return translating(lambda exc: translate_one(exc, creds) or translate_transport(exc))
