"""How one request reaches Google Cloud Storage: which API, endpoints, credentials.

The credentials choose the way in:

- HMAC interoperability keys (user: the access id, `GOOG...`; password: the
  secret) go over GCS's XML API, signed by hand (`xml_api.py`), as Deltacloud's
  driver did.
- A service account (user: its e-mail address; password: its private key in PEM,
  or the whole JSON key file base64-encoded) goes over the JSON API with
  google-cloud-storage (`json_api.py`). Each request signs its own OAuth token
  request; nothing is kept after it.

The provider may name other endpoints (an emulator, a private endpoint): a URL
for the storage API (`http://127.0.0.1:4443`), or `storage=URL;token=URL` to
name the OAuth token endpoint as well. A key file's own `token_uri` is not
followed: only the provider (the server's operator or the client's header) names
where the server sends requests.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from deltacloud.drivers.base import CallContext, Credentials
from deltacloud.drivers.urls import valid_url
from deltacloud.errors import AuthenticationFailure, BadRequest

STORAGE = "https://storage.googleapis.com"
TOKEN = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/devstorage.full_control"
MIB = 1024 * 1024
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
# Blobs up to this size (declared by the client) go in one request; larger ones,
# or ones of unknown size, as resumable uploads in chunks of this size.
CHUNK = 8 * MIB
_PROJECT = re.compile(
    r"^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$")


@dataclass(frozen=True)
class Endpoints:
    storage: str = STORAGE
    token: str = TOKEN


def _url(value: str) -> str:
    if not valid_url(value):
        raise BadRequest("The provider must be a URL or 'storage=URL;token=URL'")
    return value.rstrip("/")


def endpoints(provider: str | None) -> Endpoints:
    text = (provider or "").strip()
    if not text or text == "default":
        return Endpoints()
    if "=" not in text.split("://", 1)[0]:
        return Endpoints(storage=_url(text))
    named: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.strip().partition("=")
        if not sep or key not in ("storage", "token"):
            raise BadRequest("The provider must be a URL or 'storage=URL;token=URL'")
        named[key] = _url(value.strip())
    return Endpoints(**named)


def uses_service_account(creds: Credentials) -> bool:
    return "@" in creds.user


def service_account_info(creds: Credentials, token_uri: str) -> dict[str, Any]:
    """The service account's key as google-auth reads it, from the Basic password."""
    text = creds.password.strip()
    info: dict[str, Any] | None = None
    if text.startswith("{"):
        info = _json(text)
    elif "PRIVATE KEY" not in text:
        try:
            info = _json(base64.b64decode("".join(text.split()), validate=True).decode())
        except (binascii.Error, ValueError):
            raise AuthenticationFailure(
                "The password must be the service account's private key or its key file, "
                "base64-encoded") from None
    if info is not None:
        if info.get("type", "service_account") != "service_account" or not isinstance(
                info.get("private_key"), str):
            raise AuthenticationFailure("The key file is not a service account key")
        if info.get("client_email") not in (None, creds.user):
            raise AuthenticationFailure("The key file belongs to another service account")
        pem, project = info["private_key"], info.get("project_id")
    else:
        pem, project = text.replace("\\n", "\n"), None
    if not project:
        match = _PROJECT.match(creds.user)
        project = match.group(1) if match else None
    return {"type": "service_account", "client_email": creds.user, "private_key": pem,
            "token_uri": token_uri, "project_id": project}


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise AuthenticationFailure("The key file is not valid JSON") from None
    if not isinstance(value, dict):
        raise AuthenticationFailure("The key file is not a service account key")
    return value


def open_api(ctx: CallContext) -> Any:
    """The API this request's credentials speak, ready for one request; close it after."""
    creds = ctx.require_credentials()
    where = endpoints(ctx.provider)
    ctx.check_endpoint(where.storage)
    if uses_service_account(creds):
        from deltacloud.drivers.google.json_api import JsonApi

        ctx.check_endpoint(where.token)
        return JsonApi(service_account_info(creds, where.token), where.storage, ctx.endpoints)
    from deltacloud.drivers.google.xml_api import XmlApi

    return XmlApi(creds.user, creds.password, where.storage, ctx.endpoints)
