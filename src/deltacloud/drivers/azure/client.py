"""How one request reaches Azure Blob Storage: endpoint, credentials, timeouts.

The Basic credentials are the storage account's name and one of its access keys.
The endpoint is `https://NAME.blob.core.windows.net` unless the provider names
another one: a full URL (Azurite: `http://127.0.0.1:10000/devstoreaccount1`,
Azure Stack: `https://NAME.blob.local.azurestack.external`), or just the
endpoint suffix of a sovereign cloud (`core.chinacloudapi.cn`,
`core.usgovcloudapi.net`), which gives `https://NAME.blob.SUFFIX`.

A client lives for one request and is closed at its end: the key never
outlives the request. The SDK is imported here only, at call time.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from deltacloud.drivers.base import CallContext
from deltacloud.drivers.urls import checking_session, valid_url
from deltacloud.errors import AuthenticationFailure, BackendError, BadRequest

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient

# A service version both Azure and Azurite 3.35 (the newest on Node 20) accept;
# the SDK's own default (2026-10-06 for 12.31) is refused by that Azurite.
API_VERSION = "2025-11-05"
DEFAULT_SUFFIX = "core.windows.net"
MIB = 1024 * 1024
# Bytes held per request stay bounded: blocks of BLOCK bytes, at most
# UPLOAD_THREADS in flight; downloads fetch CHUNK bytes per ranged GET.
BLOCK = 8 * MIB
UPLOAD_THREADS = 4
CHUNK = 8 * MIB
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
RETRIES = 2
_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")


def endpoint(provider: str | None, account: str) -> str:
    """The blob service URL for `account` under `provider` (None: public Azure)."""
    provider = (provider or "").strip()
    if not provider or provider == "default":
        return f"https://{account}.blob.{DEFAULT_SUFFIX}"
    if "://" in provider:
        if not valid_url(provider):
            raise BadRequest("The provider must be an http(s) URL or an endpoint suffix")
        return provider.rstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", provider):
        raise BadRequest("The provider must be an http(s) URL or an endpoint suffix")
    return f"https://{account}.blob.{provider}"


def _only_azure_answers(response: Any) -> None:
    """The SDK's `raw_response_hook`: refuse answers that are not Azure Storage's (every one
    of those carries `x-ms-request-id`). The SDK reads an empty or cut-off answer as
    nothing at all, and then fails on it with an AttributeError."""
    answer = response.http_response
    if "x-ms-request-id" not in answer.headers:
        kind = answer.headers.get("content-type", "").split(";")[0] or "no type"
        raise BackendError(f"The endpoint's answer (HTTP {answer.status_code}, {kind}) is "
                           "not Azure Storage's: is the provider right?")


def service(ctx: CallContext) -> BlobServiceClient:
    """A client for this request's account; the caller closes it."""
    creds = ctx.require_credentials()
    # The account name becomes part of a host name: only what Azure allows.
    if not _ACCOUNT.match(creds.user):
        raise AuthenticationFailure("Azure account names are 3-24 lower-case letters and digits")
    try:
        base64.b64decode(creds.password, validate=True)
    except (binascii.Error, ValueError):
        raise AuthenticationFailure("An Azure account key is base64-encoded") from None
    from azure.storage.blob import BlobServiceClient, LinearRetry

    return BlobServiceClient(
        ctx.check_endpoint(endpoint(ctx.provider, creds.user)),
        # Redirects go through the same checks as the first request.
        session=checking_session(ctx.endpoints),
        raw_response_hook=_only_azure_answers,
        credential={"account_name": creds.user, "account_key": creds.password},
        api_version=API_VERSION,
        connection_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        # The SDK's default waits 15 s and more between tries; a request should not.
        # (The SDK sleeps `backoff` seconds as a float; its annotation says int.)
        retry_policy=LinearRetry(backoff=0.5, random_jitter_range=0,  # type: ignore[arg-type]
                                 retry_total=RETRIES),
        max_single_put_size=BLOCK,
        max_block_size=BLOCK,
        max_single_get_size=CHUNK,
        max_chunk_get_size=CHUNK,
    )
