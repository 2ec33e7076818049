"""vCloud Express's failures as deltacloud errors: `translated()` wraps every call.

Libcloud raises `BaseHTTPError` (with the HTTP status) for an answer that is not a
success, `InvalidCredsError` for a refused login, `MalformedResponseError` for a body that
is not XML, and lets `requests`' own exceptions through for transport failures. Messages
here are ours: none repeats what the cloud or Libcloud said, which can hold the request.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import AbstractContextManager

from deltacloud.drivers.common.errors import for_status, translating
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    DeltacloudError,
    MethodNotAllowed,
)

CLOUD = "Terremark vCloud Express"


class Unanswerable(BackendError):
    """The endpoint answered, but not as vCloud Express's API does (502)."""


def translate_libcloud(exc: Exception) -> DeltacloudError | None:
    """Libcloud's exceptions, by the HTTP status they carry."""
    from libcloud.common.exceptions import BaseHTTPError
    from libcloud.common.types import InvalidCredsError, LibcloudError, MalformedResponseError

    if isinstance(exc, InvalidCredsError):
        return AuthenticationFailure(f"{CLOUD} refused the user name or password")
    if isinstance(exc, BaseHTTPError):
        return for_status(int(exc.code), CLOUD, missing="The object does not exist in "
                          f"{CLOUD}")
    if isinstance(exc, MalformedResponseError):
        return Unanswerable(f"The endpoint does not answer as {CLOUD}'s API (no XML)")
    if isinstance(exc, LibcloudError):
        return BackendError(f"{CLOUD} failed")
    return None


def translate_transport(exc: Exception) -> DeltacloudError | None:
    """What `requests` raises when the endpoint cannot be spoken to, and XML that breaks."""
    import requests

    if isinstance(exc, requests.Timeout | socket.timeout | TimeoutError):
        return BackendTimeout(f"{CLOUD} did not answer in time")
    if isinstance(exc, requests.exceptions.SSLError | ssl.SSLError):
        return BackendError(f"TLS with the {CLOUD} endpoint failed (certificate not "
                            "trusted, or not TLS)")
    if isinstance(exc, requests.TooManyRedirects):
        return Unanswerable(f"The {CLOUD} endpoint redirected elsewhere (not followed)")
    if isinstance(exc, requests.ConnectionError | ConnectionError | socket.gaierror):
        return BackendError(f"{CLOUD} cannot be reached")
    if isinstance(exc, requests.RequestException):
        return BackendError(f"{CLOUD} broke off its answer")
    if isinstance(exc, ET.ParseError):
        return Unanswerable(f"The endpoint does not answer as {CLOUD}'s API (no XML)")
    return None


def translate(exc: Exception) -> DeltacloudError | None:
    return translate_libcloud(exc) or translate_transport(exc)


def translated() -> AbstractContextManager[None]:
    """Around every call to vCloud Express: its failures become deltacloud errors."""
    return translating(translate)


@contextlib.contextmanager
def refusal(action: str) -> Iterator[None]:
    """Around an action on a vApp: the cloud refusing it (400, 405, 409: the vApp's state
    does not allow it) is a 405 that says so."""
    from libcloud.common.exceptions import BaseHTTPError

    try:
        yield
    except BaseHTTPError as exc:
        if int(exc.code) in (400, 405, 409):
            raise MethodNotAllowed(f"{CLOUD} refused to {action} the vApp in its current "
                                   "state") from None
        raise
