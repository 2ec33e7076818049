"""How to reach GoGrid for one request: the endpoint, the signature, one JSON call.

GoGrid's API 1.x is plain GETs: `ENDPOINT/METHOD?api_key=KEY&v=1.9&format=json&sig=SIG`
plus the call's parameters, where SIG is the hex MD5 of the API key, the shared secret
and the epoch seconds, made anew for every request. The shared secret itself never
leaves this process; the key travels in the query, as GoGrid requires.

The endpoint is the provider (`http[s]://HOST[:PORT][/PATH]`, default
`https://api.gogrid.com/api`), checked against the operator's endpoint policy before
anything is sent, and by `HttpClient` on every request after. One `HttpClient` serves one
request and is closed with it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from deltacloud.drivers.base import CallContext, Credentials, Settings
from deltacloud.drivers.common.http import HttpClient
from deltacloud.drivers.gogrid.errors import CLOUD, Unanswerable, for_failure, translated
from deltacloud.drivers.urls import valid_url
from deltacloud.errors import BadRequest

DEFAULT_ENDPOINT = "https://api.gogrid.com/api"
API_VERSION = "1.9"


def endpoint_of(provider: str | None) -> str:
    """The API URL a provider names (GoGrid's own without one); 400 for what is no
    endpoint."""
    text = (provider or "").strip()
    if not text or text == "default":
        return DEFAULT_ENDPOINT
    parts = urlsplit(text)
    if not valid_url(text) or parts.username is not None or parts.password is not None:
        raise BadRequest("The provider must be the http(s) URL of GoGrid's API endpoint "
                         "(such as https://api.gogrid.com/api), without user or password")
    return text.rstrip("/")


def signature(api_key: str, secret: str, now: float) -> str:
    """GoGrid's `sig`: hex MD5 of key, secret and the epoch seconds."""
    return hashlib.md5(f"{api_key}{secret}{int(now)}".encode()).hexdigest()


class Session:
    """Signed calls to one GoGrid endpoint with one request's credentials."""

    def __init__(self, http: HttpClient, url: str, creds: Credentials,
                 clock: Callable[[], float] = time.time) -> None:
        self.http = http
        self.url = url
        self._creds = creds
        self._clock = clock

    @property
    def user(self) -> str:
        return self._creds.user

    def call(self, method: str, params: Mapping[str, str] | None = None, *,
             action: bool = False, missing: str = "Not found") -> list[Any]:
        """The `list` of a successful answer to METHOD; the SPEC's error otherwise
        (`action`: a power change or delete, whose refusal is a 405; `missing`: what a
        "No object found" did not find, raised as `errors.Missing`)."""
        query = {"api_key": self._creds.user, "v": API_VERSION, "format": "json",
                 **(params or {}),
                 "sig": signature(self._creds.user, self._creds.password, self._clock())}
        with translated():
            response = self.http.request("GET", f"{self.url}/{method}", params=query,
                                         headers={"Accept": "application/json"})
        status = response.status_code
        body = _json(response.content)
        if status == 200 and isinstance(body, dict) and body.get("status") == "success":
            items = body.get("list")
            if not isinstance(items, list):
                raise Unanswerable(f"{CLOUD}'s answer to {method} has no list")
            return items
        if status == 200 and not (isinstance(body, dict) and body.get("status") == "failure"):
            raise Unanswerable(f"The endpoint does not answer as {CLOUD}'s JSON API")
        raise for_failure(status, body, action=action, missing=missing)

    def lookup(self, name: str) -> list[dict[str, Any]]:
        """A `common/lookup/list` option list (data centres, RAM sizes, server types)."""
        return [o for o in self.call("common/lookup/list", {"lookup": name})
                if isinstance(o, dict)]


def _json(content: bytes) -> Any:
    """The answer's JSON (GoGrid labels it text/html), or None where it is not JSON."""
    try:
        return json.loads(content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


class Client:
    """How the driver reaches GoGrid; keeps nothing between requests."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def endpoint(self, ctx: CallContext) -> str:
        return endpoint_of(ctx.provider)

    @contextmanager
    def session(self, ctx: CallContext) -> Iterator[Session]:
        """Signed calls with the request's credentials, for the length of the request."""
        creds = ctx.require_credentials()
        url = ctx.check_endpoint(self.endpoint(ctx))
        timeout = self.settings.gogrid_timeout
        http = HttpClient(ctx.endpoints, cloud=CLOUD, connect_timeout=min(timeout, 10.0),
                          read_timeout=timeout)
        try:
            yield Session(http, url, creds)
        finally:
            http.close()
