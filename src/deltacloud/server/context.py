"""The request context: which driver and provider serve a request, and whose credentials."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.requests import Request

from deltacloud.drivers.base import CallContext, Credentials
from deltacloud.drivers.registry import UnknownDriver
from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.errors import BadRequest
from deltacloud.server.matrix import API_MATRIX
from deltacloud.server.negotiation import choose_format
from deltacloud.server.proxy import PUBLIC_PREFIX
from deltacloud.text import has_control_characters, without_userinfo


@dataclass(frozen=True)
class Defaults:
    """What `deltacloudd -i DRIVER -P PROVIDER` set for requests that say nothing."""

    driver: str = "mock"
    provider: str | None = None


@dataclass(frozen=True)
class RequestContext:
    driver_name: str
    provider: str | None
    credentials: Credentials | None = field(repr=False)
    format: str
    api_url: str  # absolute, with the driver/provider matrix when the client used it
    path: str
    endpoints: EndpointPolicy = field(default_factory=EndpointPolicy)

    @property
    def provider_name(self) -> str:
        """The provider as answers show it (never a URL's user and password)."""
        return without_userinfo(self.provider) if self.provider else "default"

    @property
    def call(self) -> CallContext:
        return CallContext(self.provider, self.credentials, self.endpoints)


def public_root(request: Request) -> str:
    """The server's URL as its clients see it, without a trailing slash
    (`https://cloud.example.com/cloud`): what every href, Location and redirect starts
    with. Behind a trusted proxy its X-Forwarded-* headers are already the request's own
    scheme and Host here, and its prefix is in the scope (`proxy.py`)."""
    scheme = request.url.scheme
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    prefix = request.scope.get(PUBLIC_PREFIX, "") + request.scope.get("root_path", "")
    return f"{scheme}://{host}{prefix}"


def _api_url(request: Request, matrix: dict[str, str]) -> str:
    suffix = "".join(f";{k}={quote(v, safe='')}" for k, v in matrix.items()
                     if k in ("driver", "provider"))
    return f"{public_root(request)}/api{suffix}"


_DRIVER_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_PROVIDER = 2048


def request_context(request: Request, defaults: Defaults,
                    endpoints: EndpointPolicy | None = None) -> RequestContext:
    """Read the driver, provider, credentials and format: matrix over header over default.

    The driver and provider go back in headers and error documents, so they are checked
    here, once: a driver is a name, a provider holds no control character.
    """
    matrix: dict[str, str] = request.scope.get(API_MATRIX, {})
    headers = request.headers
    driver = (matrix.get("driver") or headers.get("x-deltacloud-driver")
              or defaults.driver).strip().lower()
    if not _DRIVER_NAME.fullmatch(driver):
        raise UnknownDriver()
    provider = (matrix.get("provider") or headers.get("x-deltacloud-provider")
                or defaults.provider)
    provider = provider.strip() if provider else None
    if provider is not None and (len(provider) > MAX_PROVIDER
                                 or has_control_characters(provider)):
        raise BadRequest(f"The provider must be at most {MAX_PROVIDER} characters, "
                         "without control characters")
    auth = headers.get("authorization")
    return RequestContext(
        driver_name=driver,
        provider=provider or None,
        credentials=Credentials.from_basic(auth) if auth else None,
        format=choose_format(request.query_params.get("format"), headers.get("accept")),
        api_url=_api_url(request, matrix),
        path=request.url.path,
        endpoints=endpoints or EndpointPolicy(),
    )
