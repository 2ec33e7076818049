"""The request context: which driver and provider serve a request, and whose credentials."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.requests import Request

from deltacloud.drivers.base import CallContext, Credentials
from deltacloud.server.matrix import API_MATRIX
from deltacloud.server.negotiation import choose_format


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

    @property
    def provider_name(self) -> str:
        return self.provider or "default"

    @property
    def call(self) -> CallContext:
        return CallContext(self.provider, self.credentials)


def _api_url(request: Request, matrix: dict[str, str]) -> str:
    scheme = request.url.scheme
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    root = request.scope.get("root_path", "")
    suffix = "".join(f";{k}={quote(v, safe='')}" for k, v in matrix.items()
                     if k in ("driver", "provider"))
    return f"{scheme}://{host}{root}/api{suffix}"


def request_context(request: Request, defaults: Defaults) -> RequestContext:
    """Read the driver, provider, credentials and format: matrix over header over default."""
    matrix: dict[str, str] = request.scope.get(API_MATRIX, {})
    headers = request.headers
    driver = matrix.get("driver") or headers.get("x-deltacloud-driver") or defaults.driver
    provider = (matrix.get("provider") or headers.get("x-deltacloud-provider")
                or defaults.provider)
    auth = headers.get("authorization")
    return RequestContext(
        driver_name=driver.strip().lower(),
        provider=provider.strip() if provider else None,
        credentials=Credentials.from_basic(auth) if auth else None,
        format=choose_format(request.query_params.get("format"), headers.get("accept")),
        api_url=_api_url(request, matrix),
        path=request.url.path,
    )
