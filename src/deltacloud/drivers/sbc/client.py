"""A small client of SmartCloud Enterprise's REST API (API version 2010-03-31), over
`common.http.HttpClient`: Libcloud dropped its SCE driver, and no other is maintained.

The endpoint is the provider, an http(s) URL: with a path, as given; without one, with
SCE's REST path appended. Without a provider, IBM's own endpoint. The operator's endpoint
policy is checked before anything is sent, and again on every request.

The request's IBM id and password go as HTTP Basic on each call of the request's one
`HttpClient`, closed at the end of the call: they are kept nowhere else. Answers are XML
(`Accept: text/xml`), bounded in size, read without DTDs or entities, and must have the
root element the call documents; anything else is a cloud that fails (502).
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import quote, urlencode, urlsplit

from deltacloud.drivers.base import CallContext
from deltacloud.drivers.common.http import HttpClient
from deltacloud.drivers.sbc.errors import CLOUD, for_answer, translated
from deltacloud.drivers.urls import valid_url
from deltacloud.errors import BackendError, BadRequest

REST_PATH = "/computecloud/enterprise/api/rest/20100331"
DEFAULT_ENDPOINT = "https://www-147.ibm.com" + REST_PATH
ANSWER_LIMIT = 32 * 1024 * 1024  # a larger answer is a broken cloud, not a listing
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def endpoint(provider: str | None) -> str:
    """The API's base URL a provider names (not yet checked against the policy)."""
    if not provider:
        return DEFAULT_ENDPOINT
    text = provider.strip()
    parts = urlsplit(text)
    if not valid_url(text) or parts.username is not None or parts.password is not None:
        raise BadRequest("The provider must be the http(s) URL of SmartCloud Enterprise's "
                         f"REST API (without user or password), e.g. {DEFAULT_ENDPOINT}")
    text = text.rstrip("/")
    return text if parts.path.strip("/") else text + REST_PATH


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse(body: bytes, root: str) -> ET.Element:
    """An answer's document, which must be the `root` the call documents."""
    if len(body) > ANSWER_LIMIT:
        raise BackendError(f"{CLOUD}'s answer is too large")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise BackendError(f"{CLOUD}'s answer is not the XML its API sends")
    try:
        document = ET.fromstring(body)
    except ET.ParseError:
        raise BackendError(f"{CLOUD}'s answer is not the XML its API sends") from None
    if _local(document.tag) != root:
        raise BackendError(f"{CLOUD} answered with something other than its API's "
                           f"{root}")
    return document


class Api:
    """The calls the driver makes, for one request."""

    def __init__(self, http: HttpClient, base: str, user: str) -> None:
        self.http = http
        self.base = base
        self.user = user

    def _call(self, method: str, path: str, root: str, *, form: Mapping[str, str] | None = None,
              missing: str = "Not found", action: bool = False) -> ET.Element:
        with translated():
            response = self.http.request(
                method, self.base + path, headers=FORM if form is not None else None,
                content=urlencode(form).encode() if form is not None else None)
        if response.status_code != 200:
            raise for_answer(response.status_code, missing, action=action)
        return parse(response.content, root)

    def locations(self) -> list[ET.Element]:
        return self._call("GET", "/locations", "DescribeLocationsResponse").findall("Location")

    def images(self) -> list[ET.Element]:
        return self._call("GET", "/offerings/image", "DescribeImagesResponse").findall("Image")

    def instances(self) -> list[ET.Element]:
        return self._call("GET", "/instances", "DescribeInstancesResponse").findall("Instance")

    def create_instance(self, form: Mapping[str, str]) -> ET.Element:
        found = self._call("POST", "/instances", "CreateInstanceResponse",
                           form=form).find("Instance")
        if found is None:
            raise BackendError(f"{CLOUD} created no instance and said nothing of why")
        return found

    def restart(self, instance_id: str) -> None:
        self._call("PUT", f"/instances/{quote(instance_id, safe='')}",
                   "RestartInstanceResponse", form={"state": "restart"},
                   missing="Instance not found", action=True)

    def delete(self, instance_id: str) -> None:
        self._call("DELETE", f"/instances/{quote(instance_id, safe='')}",
                   "DeleteInstanceResponse", missing="Instance not found", action=True)


class Client:
    """How the driver reaches SCE: one HttpClient per call, closed with it."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    @contextmanager
    def session(self, ctx: CallContext) -> Iterator[Api]:
        creds = ctx.require_credentials()
        base = ctx.check_endpoint(endpoint(ctx.provider))
        token = base64.b64encode(f"{creds.user}:{creds.password}".encode()).decode("ascii")
        http = HttpClient(ctx.endpoints, cloud=CLOUD, connect_timeout=min(self.timeout, 10.0),
                          read_timeout=self.timeout, headers={
                              "Accept": "text/xml", "User-Agent": "deltacloud-server",
                              "Authorization": f"Basic {token}"})
        with http:
            yield Api(http, base, creds.user)
