"""The parts every operation of the OpenAPI document shares: the credentials scheme, the
driver and provider headers, the headers of every answer, the error documents."""

from __future__ import annotations

from typing import Any

from deltacloud.render.json_schema import Schema, ref

NO_CREDENTIALS: list[dict[str, list[str]]] = []
OPTIONAL_CREDENTIALS: list[dict[str, list[str]]] = [{}, {"basic": []}]

# What every answer carries (responses.base_headers), then what some do.
_ALWAYS = ("server", "date", "driver", "provider")
_HEADERS: dict[str, tuple[str, str]] = {
    "server": ("Server", "Apache-Deltacloud/VERSION, VERSION being the API's"),
    "date": ("Date", "When the answer was made"),
    "driver": ("X-Deltacloud-Driver", "The driver that served the request"),
    "provider": ("X-Deltacloud-Provider", "The provider that served it, or `default`"),
    "etag": ("ETag", "Of the body: send it back in If-None-Match for a 304"),
    "location": ("Location", "The absolute URL of what was made, or where to go"),
    "allow": ("Allow", "The methods (or, on /api, the collections) on offer"),
    "www_authenticate": ("WWW-Authenticate", 'Basic realm="DRIVER-deltacloud@PROVIDER"'),
    "blob_metadata": ("X-Deltacloud-Blobmeta-NAME",
                      "One header per metadata name, NAME being the name"),
    "content_length": ("Content-Length", "The bytes sent"),
    "content_disposition": ("Content-Disposition", "attachment, with the blob's name"),
    "accept_ranges": ("Accept-Ranges", "bytes: Range requests are served"),
    "content_range": ("Content-Range", "bytes FIRST-LAST/SIZE"),
}

# status -> (component name, description)
ERRORS: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "A parameter is missing or malformed, or the driver is unknown"),
    "401": ("Unauthorized", "Credentials are missing, or the cloud refused them"),
    "403": ("Forbidden", "The cloud forbids it, or the provider names an endpoint the "
                         "operator does not allow"),
    "404": ("NotFound", "No such resource"),
    "405": ("MethodNotAllowed", "The driver cannot do that, or the resource's state "
                                "does not allow it"),
    "502": ("BadGateway", "The cloud failed, could not be reached, or answered nonsense"),
    "504": ("GatewayTimeout", "The cloud did not answer in time"),
    "default": ("OtherError", "Another failure (406, 409, 413, 416, 500, 501, 503), in the "
                              "same error document"),
}

_FORMATS = ("application/xml", "application/json", "text/html")


def media(schema: Schema) -> dict[str, Any]:
    """A document in the three formats; JSON's shape is `schema`, XML's Deltacloud's own."""
    return {"application/xml": {}, "application/json": {"schema": schema}, "text/html": {}}


def header_refs(*names: str) -> dict[str, Any]:
    """The headers of a response: those every answer has, then `names`."""
    return {_HEADERS[n][0]: {"$ref": f"#/components/headers/{n}"}
            for n in (*_ALWAYS, *names)}


def param_refs(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{n}"} for n in names]


def errors(*statuses: str, json_only: bool = False) -> dict[str, Any]:
    """Error responses by status, and the default for any other."""
    out: dict[str, Any] = {}
    for status in (*statuses, "default"):
        name, description = ERRORS[status]
        if json_only:
            out[status] = {"description": description, "headers": header_refs(),
                           "content": {"application/json": {"schema": ref("error")}}}
        else:
            out[status] = {"$ref": f"#/components/responses/{name}"}
    return out


def components(driver: str, provider: str) -> dict[str, Any]:
    """The shared components, with the driver and provider as the headers' defaults."""
    provider_schema: Schema = {"type": "string"}
    if provider != "default":
        provider_schema["default"] = provider
    parameters: dict[str, Any] = {
        "driver": {
            "name": "X-Deltacloud-Driver", "in": "header", "required": False,
            "description": "The driver to use (or `/api;driver=NAME/...`); this document "
                           "describes this one",
            "schema": {"type": "string", "default": driver},
        },
        "provider": {
            "name": "X-Deltacloud-Provider", "in": "header", "required": False,
            "description": "The driver's provider: a region or an endpoint (or "
                           "`/api;provider=.../...`)",
            "schema": provider_schema,
        },
        "format": {
            "name": "format", "in": "query", "required": False,
            "description": "The answer's format, over the Accept header",
            "schema": {"enum": ["xml", "json", "html"]},
        },
        "if_none_match": {
            "name": "If-None-Match", "in": "header", "required": False,
            "description": "An ETag of an earlier answer: 304 if it is unchanged",
            "schema": {"type": "string"},
        },
        "range": {
            "name": "Range", "in": "header", "required": False,
            "description": "One byte range, `bytes=FIRST-[LAST]` or `bytes=-SUFFIX`",
            "schema": {"type": "string"},
        },
    }
    responses = {
        name: {
            "description": description,
            "headers": header_refs("www_authenticate") if status == "401" else header_refs(),
            "content": media(ref("error")),
        }
        for status, (name, description) in ERRORS.items()
    }
    return {
        "securitySchemes": {"basic": {
            "type": "http", "scheme": "basic",
            "description": "The cloud's own credentials, passed to it and never kept (for "
                           "the mock driver mockuser / mockpassword)",
        }},
        "parameters": parameters,
        "headers": {key: {"description": description, "schema": {"type": "string"}}
                    for key, (_, description) in _HEADERS.items()},
        "responses": responses,
    }
