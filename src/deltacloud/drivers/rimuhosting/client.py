"""How to reach RimuHosting's `/r/` REST API for one request: the endpoint, and Libcloud's
RimuHosting driver held to it.

The endpoint is the provider (`X-Deltacloud-Provider`, `;provider=`, `API_PROVIDER`), else
`https://rimuhosting.com/r`, Libcloud's own default. Forms: `http[s]://HOST[:PORT][/PATH]`
(PATH defaults to `/r`) and `HOST[:PORT]` (`https://HOST[:PORT]/r`). The operator's
endpoint policy is checked before anything is built, and again on every request sent.

Libcloud's driver is made for one request and closed with it. Its requests session is
held to the endpoint: each request is checked against the policy, no redirect is followed
(one would carry the API key elsewhere), nothing is read from the environment (proxies,
`.netrc`, which could replace the Authorization header), Libcloud's debug logging (which
writes headers, the API key among them) is never used, and every exchange has a timeout.
Answers are read by `Answer` (below) instead of Libcloud's reader, whose exceptions would
quote the whole body.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from deltacloud.drivers.base import CallContext, Settings
from deltacloud.drivers.rimuhosting.errors import RimuError, translated
from deltacloud.drivers.urls import EndpointPolicy, checking_session, unproxied, valid_url
from deltacloud.errors import BadRequest

DEFAULT_ENDPOINT = "https://rimuhosting.com/r"
DEFAULT_CONTEXT = "/r"
_HOSTPORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$")
_FORMS = ("The provider must be the http(s) URL of RimuHosting's REST API (without user, "
          "password or query), or HOST[:PORT]")


@dataclass(frozen=True)
class Endpoint:
    """Where the API is: what Libcloud's driver takes as host, port, secure, api_context."""

    url: str
    host: str  # IPv6 literals in brackets, as they go in a URL and a Host header
    port: int
    secure: bool
    context: str


def endpoint_of(provider: str | None) -> Endpoint:
    """The endpoint a provider names (the default without one); 400 for what is none."""
    text = (provider or "").strip() or DEFAULT_ENDPOINT
    if "://" not in text:
        match = _HOSTPORT.match(text)
        if match is None or (match.group(2) and not 0 < int(match.group(2)) < 65536):
            raise BadRequest(_FORMS)
        text = f"https://{text}"
    parts = urlsplit(text)
    if not valid_url(text) or parts.username is not None or parts.password is not None:
        raise BadRequest(_FORMS)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    if (secure and port == 80) or (not secure and port == 443):
        # Libcloud speaks TLS exactly on 443 and plain HTTP on 80, whatever the scheme says.
        raise BadRequest("The provider's port does not fit its scheme (https on 80, or "
                         "http on 443)")
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    context = parts.path.rstrip("/") or DEFAULT_CONTEXT
    netloc = host if parts.port is None else f"{host}:{port}"
    return Endpoint(f"{parts.scheme}://{netloc}{context}", host, port, secure, context)


@functools.cache
def _libcloud() -> tuple[type, type]:
    """Libcloud's RimuHosting driver and connection, adapted (Libcloud imported here, on
    first use, so the server starts without it)."""
    from libcloud.compute.drivers.rimuhosting import (
        RimuHostingConnection,
        RimuHostingNodeDriver,
        RimuHostingResponse,
    )
    from libcloud.http import LibcloudConnection

    class Answer(RimuHostingResponse):
        """Reads an answer as `{"<call>_response": {...}}`; anything else, an ERROR
        answer, or an HTTP error status is a RimuError with the status, the error class
        and the API's message (never the body)."""

        def success(self) -> bool:
            return True  # the status is judged in parse_body, with the body's words

        def parse_body(self) -> Any:
            try:
                document = json.loads(self.body) if self.body else None
            except ValueError:
                document = None
            inner = next(iter(document.values()), None) if isinstance(document,
                                                                     dict) else None
            if not isinstance(inner, dict):
                raise RimuError(self.status, None, "", readable=False)
            error = inner.get("error_info") if isinstance(inner.get("error_info"),
                                                          dict) else {}
            if self.status >= 400 or inner.get("response_type") == "ERROR":
                assert isinstance(error, dict)
                message = error.get("human_readable_message") or inner.get(
                    "human_readable_message") or ""
                raise RimuError(self.status, error.get("error_class"), str(message))
            return inner

    class Connection(RimuHostingConnection):
        responseCls = Answer
        # Never the LoggingConnection that LIBCLOUD_DEBUG installs on Connection itself.
        conn_class = LibcloudConnection

        def add_default_headers(self, headers: dict[str, str]) -> dict[str, str]:
            headers = super().add_default_headers(headers)
            if not self.key:  # the catalogue answers without a key: send none
                headers.pop("Authorization", None)
            return headers

    class Driver(RimuHostingNodeDriver):
        connectionCls = Connection

    return Driver, Connection


class Api:
    """Libcloud's RimuHosting driver for one request, and the calls it lacks."""

    def __init__(self, driver: Any, key: str) -> None:
        self.driver = driver
        self.key = key

    def request(self, path: str, method: str = "GET",
                body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One call through Libcloud's connection (below the API's context): the answer's
        inner object."""
        data = json.dumps(body) if body is not None else ""
        answer = self.driver.connection.request(path, data=data, method=method)
        return dict(answer.object)

    def close(self) -> None:
        connection = getattr(self.driver.connection, "connection", None)
        if connection is not None:
            connection.session.close()


class Client:
    """How one driver reaches RimuHosting; keeps nothing between requests."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout = settings.rimuhosting_timeout  # to connect, and for each answer

    def endpoint(self, ctx: CallContext) -> Endpoint:
        return endpoint_of(ctx.provider)

    @contextmanager
    def api(self, ctx: CallContext, *, need_key: bool = True,
            refusal: str = "request") -> Iterator[Api]:
        """Libcloud's driver with the request's API key (the Basic password; the user is
        not used), for the length of the request. `need_key=False` for the catalogue
        (distributions, pricing plans), which RimuHosting answers without a key.
        `refusal` says what a refused call is: a `request` (400) or an `action` (405)."""
        creds = ctx.require_credentials() if need_key else ctx.credentials
        key = creds.password if creds is not None else ""
        if need_key and not key:
            raise BadRequest("The rimuhosting driver needs the RimuHosting API key as the "
                             "password")
        endpoint = self.endpoint(ctx)
        ctx.check_endpoint(endpoint.url)
        api: Api | None = None
        try:
            with translated(key, refusal):
                api = Api(_make_driver(endpoint, key, ctx.endpoints, self.timeout), key)
                yield api
        finally:
            if api is not None:
                api.close()


def _make_driver(endpoint: Endpoint, key: str, policy: EndpointPolicy, timeout: float) -> Any:
    """Libcloud's driver on `endpoint`, its session held to it (see the module's doc)."""
    driver_class, _ = _libcloud()
    driver = driver_class(key, host=endpoint.host, port=endpoint.port,
                          api_context=endpoint.context, secure=endpoint.secure)
    connection = driver.connection
    connection.timeout = timeout
    session = connection.connection.session
    session.timeout = (timeout, timeout)
    checking_session(policy, unproxied(session))
    return driver
