"""How to reach OpenNebula for one request: the XML-RPC endpoint, and pyone over a transport
of our own.

The endpoint comes from the provider (`X-Deltacloud-Provider`, `;provider=`, `API_PROVIDER`),
else `ONE_XMLRPC`, else the scheme, host and port of Deltacloud's `OCCI_URL` (OCCI is gone
from OpenNebula: a notice says so once, and the XML-RPC endpoint there is used). Forms:
`http[s]://HOST[:PORT][/PATH]` as given; `HOST[:PORT]` is `http://HOST:PORT/RPC2` (port
2633, oned's). The operator's endpoint policy is checked before anything is sent.

pyone's own transport posts through `requests` with no timeout, follows redirects (a 307
would carry the session string elsewhere) and reads proxies and `.netrc` from the
environment. The transport here sends each call only to the checked endpoint, directly,
without redirects, with `DELTACLOUD_OPENNEBULA_TIMEOUT` on connect and read, and a bound
on the answer's size. The session string (`user:password`) lives in the request body of
one call and in the pyone object of one request, never longer.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from deltacloud.drivers.base import CallContext, Settings
from deltacloud.drivers.opennebula.errors import Unanswerable, translated
from deltacloud.drivers.urls import EndpointPolicy, checking_session, unproxied, valid_url
from deltacloud.errors import BackendError, BadRequest

log = logging.getLogger(__name__)

DEFAULT_PORT = 2633
DEFAULT_PATH = "/RPC2"
ANSWER_LIMIT = 256 * 1024 * 1024  # an XML-RPC answer larger than this is a broken cloud
_HOSTPORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$")


def _hostport(host: str, port: int | None) -> str:
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port is not None else host


def from_provider(provider: str) -> str:
    """The XML-RPC URL a provider names; 400 for what is no endpoint."""
    text = provider.strip()
    if "://" in text:
        parts = urlsplit(text)
        if not valid_url(text) or parts.username is not None or parts.password is not None:
            raise BadRequest("The provider must be an http(s) URL of OpenNebula's XML-RPC "
                             "endpoint (without user or password), or HOST[:PORT]")
        return text
    match = _HOSTPORT.match(text)
    if match is None or (match.group(2) and not 0 < int(match.group(2)) < 65536):
        raise BadRequest("The provider must be an http(s) URL of OpenNebula's XML-RPC "
                         "endpoint, or HOST[:PORT]")
    port = int(match.group(2) or DEFAULT_PORT)
    return f"http://{_hostport(match.group(1).strip('[]'), port)}{DEFAULT_PATH}"


def from_occi_url(occi_url: str) -> str:
    """The XML-RPC endpoint on the scheme, host and port of Deltacloud's OCCI_URL."""
    try:
        parts = urlsplit(occi_url.strip())
        port = parts.port
    except ValueError:
        port, parts = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("OCCI_URL is not an http(s) URL; set ONE_XMLRPC to OpenNebula's "
                         "XML-RPC endpoint instead")
    return f"{parts.scheme}://{_hostport(parts.hostname, port or DEFAULT_PORT)}{DEFAULT_PATH}"


class Transport(xmlrpc.client.Transport):
    """XML-RPC over one checked `requests` session: no redirects, no proxies or .netrc
    from the environment, timeouts on every exchange, a bounded answer."""

    def __init__(self, url: str, policy: EndpointPolicy, timeout: float,
                 verify: bool | str = True) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout
        self.verify = verify
        self.session = unproxied(checking_session(policy))

    def call(self, body: bytes) -> Any:
        """POST one method call; its XML-RPC answer (a Fault is raised as xmlrpc raises)."""
        response = self.session.post(
            self.url, data=body, timeout=(self.timeout, self.timeout), allow_redirects=False,
            stream=True, headers={"Content-Type": "text/xml", "Accept": "text/xml",
                                  "User-Agent": "deltacloud-server"})
        try:
            if response.status_code != 200:
                raise Unanswerable(f"The OpenNebula endpoint answered HTTP "
                                   f"{response.status_code} instead of XML-RPC")
            parser, unmarshaller = self.getparser()
            have = 0
            for chunk in response.iter_content(64 * 1024):
                have += len(chunk)
                if have > ANSWER_LIMIT:
                    raise Unanswerable("The OpenNebula endpoint's answer is too large")
                parser.feed(chunk)
            parser.close()
            values = unmarshaller.close()  # raises the Fault of a fault answer
        finally:
            response.close()
        return values[0] if len(values) == 1 else values

    def close(self) -> None:
        self.session.close()


@functools.cache
def _server_class() -> type:
    """pyone's XML-RPC server object, sending through `Transport` (pyone imported here, on
    first use)."""
    from pyone.server_xrpc import OneServerXRPC

    class Server(OneServerXRPC):
        def __init__(self, uri: str, session: str, transport: Transport) -> None:
            super().__init__(uri, session)
            self._deltacloud_transport = transport

        def _do_request(self, method: str, params: tuple[Any, ...]) -> Any:
            body = xmlrpc.client.dumps(params, method, encoding="utf-8").encode()
            try:
                answer = self._deltacloud_transport.call(body)
            except xmlrpc.client.Fault as fault:
                # pyone would put the fault's text in its exception; a hostile endpoint could
                # echo what it was sent there. Only the code is kept.
                raise Unanswerable(f"The OpenNebula endpoint answered with an XML-RPC "
                                   f"fault ({fault.faultCode})") from None
            if (not isinstance(answer, list | tuple) or len(answer) < 3
                    or not isinstance(answer[0], bool)):
                raise Unanswerable("The endpoint does not answer as OpenNebula's XML-RPC API")
            return answer

    return Server


class Session:
    """pyone's API for one request: `one.vm.info(...)` etc., over the checked transport."""

    def __init__(self, api: Any, user: str) -> None:
        self.api = api
        self.user = user

    def __getattr__(self, name: str) -> Any:
        return getattr(self.api, name)


class Client:
    """How one driver reaches OpenNebula; keeps nothing between requests but the fact that
    the OCCI_URL notice was given."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._occi_noticed = False
        self._lock = threading.Lock()

    def endpoint(self, ctx: CallContext) -> str:
        """The XML-RPC URL this request goes to (not yet checked against the policy)."""
        if ctx.provider:
            return from_provider(ctx.provider)
        if self.settings.opennebula_endpoint:
            return from_provider(self.settings.opennebula_endpoint)
        if self.settings.occi_url:
            url = from_occi_url(self.settings.occi_url)
            with self._lock:
                first, self._occi_noticed = not self._occi_noticed, True
            if first:
                log.warning("OCCI_URL names OpenNebula's OCCI server, which OpenNebula no "
                            "longer has; using the XML-RPC endpoint %s on its host and port "
                            "(set ONE_XMLRPC to choose another)", url)
            return url
        raise BadRequest("The opennebula driver needs OpenNebula's XML-RPC endpoint: a "
                         "provider (X-Deltacloud-Provider, ;provider= or API_PROVIDER), or "
                         "ONE_XMLRPC")

    @contextmanager
    def session(self, ctx: CallContext) -> Iterator[Session]:
        """pyone logged in as the request's user, for the length of the request."""
        creds = ctx.require_credentials()
        url = ctx.check_endpoint(self.endpoint(ctx))
        transport = Transport(url, ctx.endpoints, self.settings.opennebula_timeout)
        try:
            with translated(creds):
                api = _server_class()(url, f"{creds.user}:{creds.password}", transport)
                yield Session(api, creds.user)
        finally:
            transport.close()


def require(found: Any, what: str) -> Any:
    """A pool answer pyone could not bind (an unknown root element) is a broken cloud."""
    if found is None or isinstance(found, str | int | bool):
        raise BackendError(f"OpenNebula's {what} answer could not be read")
    return found
