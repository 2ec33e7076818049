"""How to reach vCloud Express for one request: the endpoint, and Libcloud's Terremark
connection held to it.

The provider is the API's URL (default `https://services.vcloudexpress.terremark.com/api`,
the one Libcloud's `TerremarkDriver` uses): `http[s]://HOST[:PORT][/api]`. vCloud Express
serves its API under `/api` (Libcloud logs in at `/api/v0.8/login` whatever it is given),
so no other path is accepted. The operator's endpoint policy is checked before anything is
sent.

Libcloud's connection is used as it is (its host, port and scheme set from the provider,
the timeout given), with these changes:
- the login is our own call through the same connection: Libcloud's does not look at the
  status and reads any answer as a session (a 401 would become a parse error);
- an error answer keeps its status whatever its body (Libcloud parses it as XML first,
  and loses the status when it is not XML);
- only the `vcloud-token` cookie is sent back, not the whole `Set-Cookie` line;
- the requests session under it follows no redirect, reads no proxy or `.netrc` from the
  environment, and refuses to send anything to another origin than the endpoint, or to
  one the policy forbids.
Nothing outlives the request: the token and the credentials live in the connection
object of one call, which is closed.
"""

from __future__ import annotations

import base64
import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from deltacloud.drivers.base import CallContext, Credentials, Settings
from deltacloud.drivers.terremark import mapping
from deltacloud.drivers.terremark.errors import CLOUD, Unanswerable, translated
from deltacloud.drivers.urls import EndpointPolicy, checking_session, unproxied, valid_url
from deltacloud.errors import AuthenticationFailure, BadRequest

DEFAULT_ENDPOINT = "https://services.vcloudexpress.terremark.com/api"
API_PATH = "/api"
LOGIN_PATH = "/api/v0.8/login"
_TOKEN = re.compile(r"(?:^|[\s,;])(vcloud-token=[^;,\s]+)")
_PATHS = ("", "/", "/api", "/api/")
_FORMS = ("The provider must be the http(s) URL of vCloud Express's API, "
          "`https://HOST[:PORT]/api` (without user or password)")


@dataclass(frozen=True)
class Endpoint:
    url: str  # scheme://host[:port]/api
    host: str
    port: int
    secure: bool


def endpoint(provider: str | None) -> Endpoint:
    """The API endpoint a provider names (the default without one); 400 for what is none."""
    text = (provider or "").strip() or DEFAULT_ENDPOINT
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise BadRequest(_FORMS) from None
    if (not valid_url(text) or parts.username is not None or parts.password is not None
            or parts.path not in _PATHS or not parts.hostname):
        raise BadRequest(_FORMS)
    secure = parts.scheme == "https"
    port = port or (443 if secure else 80)
    netloc = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default_port = port == (443 if secure else 80)
    url = f"{parts.scheme}://{netloc}{'' if default_port else f':{port}'}{API_PATH}"
    return Endpoint(url, parts.hostname, port, secure)


@functools.cache
def _driver_class() -> type:
    """Libcloud's TerremarkDriver over the connection this module describes (Libcloud is
    imported here, on first use)."""
    from libcloud.common.types import InvalidCredsError
    from libcloud.compute.drivers.vcloud import (
        TerremarkConnection,
        TerremarkDriver,
        VCloudResponse,
    )
    from libcloud.http import LibcloudConnection

    class Http(LibcloudConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            unproxied(self.session)

        def hold(self, endpoint: Endpoint, policy: EndpointPolicy) -> None:
            """Send only to the endpoint's origin, and only where the policy allows."""
            checking_session(policy, self.session, origin=endpoint.url)

    class Response(VCloudResponse):
        def parse_error(self) -> Any:
            """The status is what counts: an error's body (HTML from a proxy, say) is kept
            as text, where Libcloud would fail to parse it and lose the status."""
            return self.body

    class Connection(TerremarkConnection):
        conn_class = Http
        responseCls = Response

        def _get_auth_token(self) -> None:
            if self.token:
                return
            basic = base64.b64encode(f"{self.user_id}:{self.key}".encode()).decode()
            http: Any = self.connection
            http.request(method="POST", url=LOGIN_PATH, headers={
                "Authorization": f"Basic {basic}", "Content-Length": "0",
                "Accept": "application/*+xml"})
            answer = http.getresponse()
            if answer.status_code == 401:
                raise InvalidCredsError()
            if answer.status_code != 200:
                raise Unanswerable(f"{CLOUD}'s login answered HTTP {answer.status_code}")
            token = _TOKEN.search(answer.headers.get("set-cookie", ""))
            if token is None:
                raise Unanswerable(f"{CLOUD}'s login gave no vcloud-token")
            org = mapping.first_org(ET.fromstring(answer.content))
            if org is None:
                raise Unanswerable(f"{CLOUD}'s login named no organization")
            self.token = token.group(1)
            driver: Any = self.driver
            driver.org = mapping.path_of(org)

    class Driver(TerremarkDriver):
        connectionCls = Connection

    return Driver


class Cloud:
    """vCloud Express for one request, logged in as its user: GETs and POSTs of the API's
    documents by path, through Libcloud's connection."""

    def __init__(self, driver: Any, user: str, endpoint: Endpoint, task_timeout: float) -> None:
        self.libcloud = driver
        self.user = user
        self.endpoint = endpoint
        self.task_timeout = task_timeout

    @property
    def org(self) -> str:
        """The path of the user's organization (logging in if not yet)."""
        self.libcloud.connection.check_org()
        return str(self.libcloud.org)

    def get(self, path: str, content_type: str | None = None) -> ET.Element:
        headers = {"Content-Type": content_type} if content_type else {}
        return self._xml(self.libcloud.connection.request(_checked(path), headers=headers))

    def post(self, path: str, body: bytes | None = None,
             content_type: str | None = None) -> ET.Element:
        headers = {"Content-Type": content_type} if content_type else {}
        return self._xml(self.libcloud.connection.request(
            _checked(path), method="POST", data=body, headers=headers))

    def delete(self, path: str) -> None:
        self.libcloud.connection.request(_checked(path), method="DELETE")

    def href(self, path: str) -> str:
        """The absolute URL of an API path, as the cloud writes its own hrefs."""
        return self.endpoint.url[: -len(API_PATH)] + _checked(path)

    @staticmethod
    def _xml(response: Any) -> ET.Element:
        found = response.object
        if not isinstance(found, ET.Element):
            raise Unanswerable(f"{CLOUD} answered without the document it owes")
        return found

    def close(self) -> None:
        http = getattr(self.libcloud.connection, "connection", None)
        if http is not None and http.session is not None:
            http.session.close()
        self.libcloud.connection.token = None


def _checked(path: str) -> str:
    """An API path (what an href's path is): never a URL that could name another host."""
    if not path.startswith(API_PATH + "/") or "//" in path or "\\" in path:
        raise Unanswerable(f"{CLOUD} referred to something outside its API")
    return path


class Client:
    """How one driver reaches vCloud Express; keeps nothing between requests."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout = settings.terremark_timeout
        self.task_timeout = settings.terremark_task_timeout

    @contextmanager
    def session(self, ctx: CallContext) -> Iterator[Cloud]:
        """Libcloud's connection for the request's user, closed when the request is done."""
        creds: Credentials = ctx.require_credentials()
        if not creds.user or not creds.password:
            raise AuthenticationFailure()
        where = endpoint(ctx.provider)
        ctx.check_endpoint(where.url)
        with translated():
            host = f"[{where.host}]" if ":" in where.host else where.host
            driver = _driver_class()(creds.user, creds.password, secure=where.secure,
                                     host=host, port=where.port, timeout=self.timeout)
            driver.connection.connection.hold(where, ctx.endpoints)
            cloud = Cloud(driver, creds.user, where, self.task_timeout)
            try:
                yield cloud
            finally:
                cloud.close()
