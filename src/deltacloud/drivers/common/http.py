"""An HTTP client for clouds that no maintained SDK speaks (httpx2, imported on first use).

What each such driver would otherwise write for itself:
- the operator's `EndpointPolicy` checked on every request sent (redirects are not
  followed: a driver that follows one sends a new request, checked in turn);
- connect and read timeouts, so a silent cloud is a 504, not a hung worker thread;
- bounded retries with exponential back-off for answers that say "not now" (429, 503,
  honouring `Retry-After`) and for connections that were never made, only when the body
  can be sent again (bytes, not a stream);
- proxies from the standard environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`);
- transport failures as the SPEC's errors (`transport_error`), and streamed answers as
  `Content` that a blob download hands to the server.

One `HttpClient` serves one request's work and is closed with it: connections are not
shared between clients' credentials.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable, Mapping
from collections.abc import Sized as HasLength
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from deltacloud.drivers.common.streams import CHUNK, Content
from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.errors import BackendError, BackendTimeout, DeltacloudError
from deltacloud.text import parse_integer

if TYPE_CHECKING:
    import httpx2 as httpx

# httpx logs every request's URL at INFO, and a URL may carry a key or a signature
# (GoGrid's query does): its request lines never reach the server's log.
logging.getLogger("httpx2").setLevel(logging.WARNING)

RETRY_STATUSES = (429, 503)
ERROR_BODY_LIMIT = 64 * 1024  # what of an error answer is read to learn why


def transport_error(exc: Exception, cloud: str = "The cloud") -> DeltacloudError | None:
    """A 504 or 502 for what httpx raises when a cloud does not answer well; None for
    anything else."""
    import httpx2 as httpx

    if isinstance(exc, httpx.TimeoutException):
        return BackendTimeout(f"{cloud} did not answer in time")
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError | httpx.UnsupportedProtocol):
        return BackendError(f"{cloud} cannot be reached")
    if isinstance(exc, httpx.TransportError | httpx.DecodingError | httpx.TooManyRedirects):
        return BackendError(f"{cloud} broke off its answer")
    return None


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    seconds = parse_integer(value)
    if seconds is not None:
        return float(seconds)
    try:
        when = parsedate_to_datetime(value.strip()).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def _replayable(content: object) -> bool:
    return content is None or isinstance(content, bytes | str)


class HttpClient:
    """Requests to one cloud, checked, timed out and retried as the module says."""

    def __init__(self, policy: EndpointPolicy, *, cloud: str = "The cloud",
                 connect_timeout: float = 10.0, read_timeout: float = 60.0,
                 attempts: int = 3, backoff: float = 0.5, max_wait: float = 30.0,
                 verify: Any = True, headers: Mapping[str, str] | None = None,
                 transport: Any = None) -> None:
        import httpx2 as httpx

        self.cloud = cloud
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = time.sleep  # a test may count the waits instead

        def check(request: httpx.Request) -> None:
            policy.check(str(request.url))

        self._client = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            verify=verify, headers=dict(headers or {}), transport=transport,
            follow_redirects=False, trust_env=True, event_hooks={"request": [check]})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def request(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None,
                content: bytes | Iterable[bytes] | None = None,
                stream: bool = False) -> httpx.Response:
        """Send one request (retried as the module says) and return its answer, whatever
        its status. A `stream`ed answer must be closed; others are read already."""
        import httpx2 as httpx

        if isinstance(content, HasLength) and not isinstance(content, bytes | str):
            # A streamed body of known length (`streams.Sized`): httpx would send it
            # chunked, which some object stores refuse.
            headers = {**(headers or {}), "Content-Length": str(len(content))}
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts or not _replayable(content)
            request = self._client.build_request(method, url, params=params,
                                                 headers=headers, content=content)
            try:
                response = self._client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if last:
                    raise self._translated(exc) from None
                self.sleep(self._delay(attempt, None))
                continue
            except httpx.HTTPError as exc:
                raise self._translated(exc) from None
            if response.status_code in RETRY_STATUSES and not last:
                wait = retry_after(response.headers.get("Retry-After"))
                # Asked to come back later than we would wait: the answer stands.
                if wait is None or wait <= self.max_wait:
                    response.close()
                    self.sleep(self._delay(attempt, wait))
                    continue
            if not stream:
                self._read(response)
            return response
        raise AssertionError("unreachable")  # the last attempt always returns or raises

    def _delay(self, attempt: int, asked: float | None) -> float:
        if asked is not None:
            return min(asked, self.max_wait)
        # Exponential back-off with jitter, so many workers do not come back together.
        return min(self.backoff * 2 ** (attempt - 1) * (0.5 + random.random()),
                   self.max_wait)

    def _read(self, response: httpx.Response) -> None:
        import httpx2 as httpx

        try:
            response.read()
        except httpx.HTTPError as exc:
            raise self._translated(exc) from None
        finally:
            response.close()

    def error_body(self, response: httpx.Response) -> bytes:
        """What an error answer says, at most ERROR_BODY_LIMIT bytes of it (an answer
        that was not streamed is read already)."""
        import httpx2 as httpx

        if response.is_stream_consumed:
            return response.content[:ERROR_BODY_LIMIT]
        parts, have = [], 0
        try:
            for chunk in response.iter_raw(CHUNK):
                parts.append(chunk)
                have += len(chunk)
                if have >= ERROR_BODY_LIMIT:
                    break
        except httpx.HTTPError:
            pass  # the status says enough
        finally:
            response.close()
        return b"".join(parts)[:ERROR_BODY_LIMIT]

    def content(self, response: httpx.Response, *release: Any) -> Content:
        """A streamed answer's bytes as they came (no decoding), for a blob download;
        closing it closes the answer, then each of `release`."""
        return Content(response.iter_raw(CHUNK), response.close, *release,
                       translate=self.translating)

    def translating(self) -> Any:
        from deltacloud.drivers.common.errors import translating

        return translating(lambda exc: transport_error(exc, self.cloud))

    def _translated(self, exc: Exception) -> DeltacloudError:
        return transport_error(exc, self.cloud) or BackendError(
            f"{self.cloud} failed ({type(exc).__name__})")
