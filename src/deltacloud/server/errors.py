"""One place that turns any exception into an error response in the requested format."""

from __future__ import annotations

import logging

from starlette.responses import Response

from deltacloud.errors import AuthenticationFailure, DeltacloudError
from deltacloud.render import json as json_render
from deltacloud.render import xml as xml_render
from deltacloud.server.responses import base_headers, respond
from deltacloud.text import header_value

log = logging.getLogger("deltacloud.server")

REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
    413: "Request body too large",
    416: "Range Not Satisfiable", 500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}


def error_response(
    exc: BaseException, *, fmt: str, path: str, driver: str, provider: str
) -> Response:
    if isinstance(exc, DeltacloudError):
        status, message = exc.status, exc.message
    else:
        # A defect of this server: log it (no request data), say nothing more.
        log.error("unhandled error serving %s", path, exc_info=exc)
        status, message = 500, REASONS[500]
    headers = base_headers(driver, provider)
    if isinstance(exc, DeltacloudError):
        headers.update(exc.headers)
    if isinstance(exc, AuthenticationFailure):
        realm = header_value(f"{driver}-deltacloud@{provider}")
        realm = realm.replace("\\", "\\\\").replace('"', '\\"')
        headers["WWW-Authenticate"] = f'Basic realm="{realm}"'
    if fmt == "json":
        body = json_render.render_error(status, message, path, driver, provider)
    elif fmt == "html":
        from deltacloud.render import html

        body = html.render_error(status, message, path, driver, provider)
    else:
        body = xml_render.render_error(status, message, path, driver, provider)
    return respond(body, status, fmt, headers, method="ERROR")
