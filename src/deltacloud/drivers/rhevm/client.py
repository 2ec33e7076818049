"""How to reach an oVirt engine for one request: the provider's URL and data centre, TLS,
one SSO token, one SDK connection.

The provider is the engine's API URL, optionally followed by `;DATACENTER-UUID` (which
scopes the driver to that data centre) and `;user` (the filtered API of a user who is not
an administrator), as Deltacloud's driver took it: `https://engine.example.com/ovirt-engine/api;UUID`.

Each request gets its own token and connection and gives both back at its end (the token
is revoked, the connection closed): nothing with the password in it outlives the request.
The SSO exchange goes through `common.http.HttpClient` (timeouts and the endpoint policy
on every request) because the SDK's own has no timeout; the API calls go through the SDK
(pycurl), with the setting's timeout and CA bundle, after the endpoint policy was checked.
"""

from __future__ import annotations

import contextlib
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from deltacloud.drivers.base import CallContext, Settings
from deltacloud.drivers.common.http import HttpClient
from deltacloud.drivers.rhevm.errors import CLOUD, SsoRefused, translated
from deltacloud.drivers.urls import valid_url
from deltacloud.errors import BackendError, BadRequest, DeltacloudError

DEFAULT_PATH = "/ovirt-engine/api"
SSO_TOKEN = "/ovirt-engine/sso/oauth/token"
SSO_LOGOUT = "/ovirt-engine/services/sso-logout"

NO_PROVIDER = ("The rhevm driver needs the engine's API URL as its provider, e.g. "
               "https://engine.example.com/ovirt-engine/api;DATACENTER-UUID "
               "(X-Deltacloud-Provider, ;provider= or API_PROVIDER)")


@dataclass(frozen=True)
class Engine:
    """Where one request goes: the API URL, and the data centre it is scoped to."""

    url: str
    datacenter: str | None = None
    filtered: bool = False

    @property
    def base(self) -> str:
        """scheme://host[:port], where the engine's SSO lives."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


def engine(provider: str | None) -> Engine:
    """Parse `URL[;DATACENTER-UUID[;user]]`; 400 saying the form when it does not parse."""
    if not provider:
        raise BadRequest(NO_PROVIDER)
    url, *rest = (p.strip() for p in provider.split(";"))
    if not valid_url(url) or urlsplit(url).username is not None:
        raise BadRequest("The provider must start with the engine's http(s) API URL, "
                         "e.g. https://engine.example.com/ovirt-engine/api")
    if len(rest) > 2 or (len(rest) == 2 and rest[1].lower() != "user"):
        raise BadRequest("The provider is URL[;DATACENTER-UUID[;user]]")
    datacenter = rest[0] if rest and rest[0] else None
    if datacenter is not None:
        try:
            datacenter = str(uuid.UUID(datacenter))
        except ValueError:
            raise BadRequest("The data centre in the provider must be a UUID") from None
    path = urlsplit(url).path.rstrip("/")
    url = url.rstrip("/") if path else url.rstrip("/") + DEFAULT_PATH
    return Engine(url, datacenter, len(rest) == 2)


def _verify(settings: Settings) -> ssl.SSLContext:
    """The TLS context of the SSO exchange, trusting what pycurl is told to trust."""
    if settings.rhevm_insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=settings.rhevm_ca_bundle or None)


class _SsoHttp(HttpClient):
    """The common HTTP client, saying so when what failed was the engine's certificate."""

    def _translated(self, exc: Exception) -> DeltacloudError:
        if "certificate" in str(exc).lower():
            return BackendError("TLS with the oVirt engine failed: its certificate could not "
                                "be verified; see DELTACLOUD_RHEVM_CA_BUNDLE")
        return super()._translated(exc)


class Session:
    """An SDK connection holding one SSO token, for the length of one request."""

    def __init__(self, connection: Any, engine: Engine, user: str) -> None:
        self.connection = connection
        self.engine = engine
        self.user = user

    @property
    def system(self) -> Any:
        return self.connection.system_service()


class Client:
    """How the driver reaches engines: TLS and timeouts from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _http(self, ctx: CallContext) -> HttpClient:
        timeout = self.settings.rhevm_timeout
        return _SsoHttp(ctx.endpoints, cloud=CLOUD, connect_timeout=min(timeout, 10.0),
                          read_timeout=timeout, attempts=2, verify=_verify(self.settings),
                          headers={"Accept": "application/json"})

    def _token(self, http: HttpClient, eng: Engine, user: str, password: str) -> str:
        """An SSO access token for the request's credentials (oVirt's OAuth password grant)."""
        response = http.request("POST", eng.base + SSO_TOKEN, content=_form({
            "grant_type": "password", "scope": "ovirt-app-api",
            "username": user, "password": password,
        }), headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if response.status_code in (401, 403):
                raise SsoRefused("access_denied", "")
            raise BackendError(f"{CLOUD}'s single sign-on did not answer as oVirt does "
                               f"(HTTP {response.status_code})")
        if "error" in body or "error_code" in body:
            # oVirt answers 200 with an error document ({"error_code", "error"}).
            raise SsoRefused(str(body.get("error_code") or body.get("error") or "error"),
                             str(body.get("error_description") or ""))
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise BackendError(f"{CLOUD}'s single sign-on answered without a token")
        return token

    @contextmanager
    def session(self, ctx: CallContext) -> Iterator[Session]:
        """Log in with the request's credentials; revoke the token and close the
        connection whatever happens."""
        import ovirtsdk4 as sdk  # first: without the SDK nothing is sent (a 501)

        creds = ctx.require_credentials()
        eng = engine(ctx.provider)
        ctx.check_endpoint(eng.url)
        with translated(), self._http(ctx) as http:
            token = self._token(http, eng, creds.user, creds.password)
            try:
                connection = sdk.Connection(
                    url=eng.url, token=token, insecure=self.settings.rhevm_insecure,
                    ca_file=None if self.settings.rhevm_insecure
                    else self.settings.rhevm_ca_bundle,
                    timeout=max(1, round(self.settings.rhevm_timeout)),
                    headers={"Filter": "true"} if eng.filtered else None)
                try:
                    yield Session(connection, eng, creds.user)
                finally:
                    connection.close(logout=False)
            finally:
                # The answer stands if this fails; the token then expires on its own.
                with contextlib.suppress(Exception):
                    http.request("POST", eng.base + SSO_LOGOUT, content=_form({
                        "scope": "ovirt-app-api", "token": token,
                    }), headers={"Content-Type": "application/x-www-form-urlencoded"})


def _form(fields: dict[str, str]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()
