"""The Deltacloud API front-end (`/api`): routes built from the collection declarations."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from deltacloud import API_VERSION
from deltacloud.collections import COLLECTIONS, Call, Collection, Operation, Result
from deltacloud.collections.features import advertised_params, features_for
from deltacloud.drivers.base import Driver
from deltacloud.drivers.registry import Registry, missing_sdk
from deltacloud.errors import AuthenticationFailure, MethodNotAllowed, NotFound
from deltacloud.models import HardwareProfile
from deltacloud.models.api import EntryFeature, EntryLink, EntryPoint, FeatureParam
from deltacloud.render import View
from deltacloud.render import json as json_render
from deltacloud.render import xml as xml_render
from deltacloud.server.context import Defaults, RequestContext, public_root, request_context
from deltacloud.server.csrf import check_same_origin
from deltacloud.server.errors import error_response
from deltacloud.server.negotiation import choose_format
from deltacloud.server.openapi import document_json, surface_of
from deltacloud.server.params import read_params, validate
from deltacloud.server.responses import base_headers, respond
from deltacloud.server.streaming import RequestBody, content_chunks
from deltacloud.server.threads import DriverThreads

access_log = logging.getLogger("deltacloud.access")

Endpoint = Callable[[Request, RequestContext], Awaitable[Response]]


def entry_point(driver: Driver, rc: RequestContext) -> EntryPoint:
    """The entry point as data: the driver's collections and, on each, its features."""
    names = sorted({"drivers", *driver.collections})
    links = [
        EntryLink(n, [
            EntryFeature(f.name, f.operation,
                         tuple(FeatureParam(p.name, p.wire_type) for p in f.params))
            for f in features_for(n, list(driver.collections.get(n, ())))
        ])
        for n in names
    ]
    return EntryPoint(rc.driver_name, rc.provider and rc.provider_name, API_VERSION, links)


def form_choices(driver: Driver, collection: Collection, op: Operation, rc: RequestContext
                 ) -> tuple[dict[str, list[tuple[str, str]]], list[HardwareProfile]]:
    """What a create form offers, read from the cloud (in a worker thread): the (id, label)
    pairs of each parameter that names resources of a collection the driver lists, and for
    instances the hardware profiles."""
    choices: dict[str, list[tuple[str, str]]] = {}
    for param in advertised_params(collection, op, driver.collections):
        ref = param.references
        if ref is None or ref not in driver.collections or not driver.supports(ref):
            continue
        pairs = []
        for item in getattr(driver, ref)(rc.call, {}):
            name = getattr(item, "name", "") or ""
            detail = getattr(item, "description", "") or ""
            label = " — ".join(x for x in (item.id, name if name != item.id else "", detail)
                               if x)
            pairs.append((item.id, label))
        choices[param.name] = pairs
    profiles: list[HardwareProfile] = []
    if collection.name == "instances" and driver.supports("hardware_profiles"):
        profiles = driver.hardware_profiles(rc.call, {})
    return choices, profiles


def shown_once(value: object) -> bool:
    """Whether a create's answer holds what no later answer shows: a new key's private key,
    the password a cloud gave a new instance. A browser gets that answer as the page (201,
    with Location) rather than a redirect to a page that could not show it."""
    made = value if isinstance(value, list) else [value]
    return any(getattr(v, "pem_rsa_key", None) or getattr(v, "password", None) for v in made)


def json_only(handle: Callable[[Request], Awaitable[Response]]
              ) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that answers JSON, errors included, whatever Accept and `format` say
    (OpenAPI tools ask for media types the API's negotiation does not know)."""

    async def endpoint(request: Request) -> Response:
        scope = dict(request.scope)
        scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != b"accept"]
        scope["headers"].append((b"accept", b"application/json"))
        scope["query_string"] = urlencode([(k, v) for k, v in request.query_params.multi_items()
                                           if k != "format"]).encode("ascii")
        return await handle(Request(scope, request.receive))

    return endpoint


class DeltacloudApi:
    """The Deltacloud API over the server's driver registry: one front-end of `app.py`."""

    def __init__(self, defaults: Defaults, registry: Registry, threads: DriverThreads) -> None:
        self.defaults = defaults
        self.registry = registry
        self.threads = threads
        self.driver_names = tuple(registry.names())  # for every page's driver switcher

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route("/", self._root, methods=["GET"]),
            Route("/api", self._wrap(self._api), methods=["GET"]),
            Route("/api/", self._wrap(self._api), methods=["GET"]),
            Route("/api", self._wrap(self._api_options), methods=["OPTIONS"]),
            Route("/api", self._wrap(self._api_post), methods=["POST"]),
            Route("/api/openapi.json", json_only(self._wrap(self._openapi)), methods=["GET"]),
        ]
        for collection in COLLECTIONS.values():
            routes.extend(self._collection_routes(collection))
        return routes

    async def not_found_or_not_allowed(self, request: Request, exc: Exception) -> Response:
        """Starlette's own 404s and 405s, as Deltacloud error documents."""
        assert isinstance(exc, HTTPException)
        err = MethodNotAllowed() if exc.status_code == 405 else NotFound()
        return self._error(request, None, err)

    # -- plumbing --------------------------------------------------------------

    def _wrap(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        """Give an endpoint its request context; turn every failure into an error response."""

        async def handle(request: Request) -> Response:
            started = time.perf_counter()
            rc: RequestContext | None = None
            try:
                rc = request_context(request, self.defaults, self.registry.settings.endpoints)
                check_same_origin(request)
                response = await endpoint(request, rc)
            except ModuleNotFoundError as exc:
                # A driver's SDK import failed: the base install lacks that extra.
                missing = missing_sdk(rc.driver_name, exc) if rc is not None else None
                response = self._error(request, rc, missing or exc)
            except Exception as exc:
                response = self._error(request, rc, exc)
            access_log.info("%s %s %d %.1fms", request.method, request.url.path,
                            response.status_code, (time.perf_counter() - started) * 1000)
            return response

        return handle

    def _error(self, request: Request, rc: RequestContext | None, exc: BaseException) -> Response:
        if rc is not None:
            return error_response(exc, fmt=rc.format, path=rc.path, driver=rc.driver_name,
                                  provider=rc.provider_name)
        # The context itself could not be read: answer as well as we can.
        try:
            fmt = choose_format(request.query_params.get("format"),
                                request.headers.get("accept"))
        except Exception:
            fmt = "xml"
        # The driver and provider asked for may be what was wrong: name the defaults.
        return error_response(exc, fmt=fmt, path=request.url.path, driver=self.defaults.driver,
                              provider=self.defaults.provider or "default")

    def _view(self, rc: RequestContext, driver: Driver) -> View:
        """What the renderers may know of the driver, as data."""
        return View(rc.api_url, rc.driver_name, rc.provider_name, type(driver).capabilities(),
                    driver.collections, self.driver_names)

    def _driver(self, rc: RequestContext) -> Driver:
        return self.registry.get(rc.driver_name)

    def _respond(self, request: Request, rc: RequestContext, driver: Driver,
                 result: Result) -> Response:
        """The one place a handler's result becomes a response: streamed bytes, a redirect
        (HTML after a change), or the value rendered in the negotiated format."""
        headers = {**base_headers(rc.driver_name, rc.provider_name), **result.headers}
        if result.stream is not None:
            return self._stream(request, rc, result, headers)
        view = self._view(rc, driver)
        if result.location:
            headers["Location"] = view.url(*result.location.split("/", 2))
        if rc.format == "html" and (result.status in (202, 204) or (
                result.status == 201 and not shown_once(result.value))):
            return self._redirect_after_change(request, view, headers)
        if result.status == 204 or result.value is None:
            return respond(None, result.status, rc.format, headers, method=request.method)
        if rc.format == "json":
            body = json_render.render(result.value, view, result.collection)
        elif rc.format == "html":
            from deltacloud.render import html

            body = html.render(result.value, view, result.collection, request.url.path)
        else:
            body = xml_render.render(result.value, view, result.collection)
        return respond(body, result.status, rc.format, headers, method=request.method,
                       if_none_match=request.headers.get("if-none-match"))

    @staticmethod
    def _redirect_after_change(request: Request, view: View,
                               headers: dict[str, str]) -> Response:
        """After a change a browser goes on with a GET (303), so a reload posts nothing again:
        after a create to the new resource (its Location; the list when several were made),
        after an action or a delete to what is left, the resource or its list."""
        target = headers.get("Location")
        if target is None:
            parts = request.url.path.split("/")[2:]  # below /api: collection, id, action
            target = view.url(parts[0], parts[1]) if len(parts) > 2 else view.url(parts[0])
        return RedirectResponse(target, status_code=303, headers=headers)

    def _stream(self, request: Request, rc: RequestContext, result: Result,
                headers: dict[str, str]) -> Response:
        assert result.stream is not None
        if request.method == "HEAD":
            result.stream.close()
            return Response(status_code=result.status, headers=headers)
        chunks = content_chunks(result.stream, functools.partial(self.threads.run,
                                                                 rc.driver_name))
        return StreamingResponse(chunks, status_code=result.status, headers=headers)

    # -- the entry point -------------------------------------------------------

    async def _root(self, request: Request) -> Response:
        return RedirectResponse(f"{public_root(request)}/api", status_code=301)

    async def _api(self, request: Request, rc: RequestContext) -> Response:
        driver = self._driver(rc)
        if request.query_params.get("force_auth") and (
            rc.credentials is None
            or not await self.threads.run(rc.driver_name, driver.valid_credentials, rc.call)
        ):
            raise AuthenticationFailure()
        return self._respond(request, rc, driver, Result(entry_point(driver, rc)))

    async def _api_options(self, request: Request, rc: RequestContext) -> Response:
        driver = self._driver(rc)
        headers = base_headers(rc.driver_name, rc.provider_name)
        headers["Allow"] = ",".join(sorted({"drivers", *driver.collections}))
        return Response(status_code=200, headers=headers)

    async def _openapi(self, request: Request, rc: RequestContext) -> Response:
        """This API as the request's driver offers it, from its declarations: no cloud is
        asked, no credentials are needed."""
        driver = self.registry.driver_class(rc.driver_name)
        body = document_json(surface_of(driver, rc.provider_name, rc.api_url))
        return respond(body, 200, "json", base_headers(rc.driver_name, rc.provider_name),
                       method=request.method, if_none_match=request.headers.get("if-none-match"))

    async def _api_post(self, request: Request, rc: RequestContext) -> Response:
        """The HTML driver switcher posts here; answer with a redirect as Deltacloud did."""
        params = (await read_params(request)).values
        driver, provider = params.get("driver"), params.get("provider")
        root = f"{public_root(request)}/api"
        if driver:
            self.registry.driver_class(driver.strip().lower())
            target = f"{root};driver={driver}"
            if provider and provider != "default":
                target += f";provider={provider}"
        elif provider and provider != "default":
            target = f"{root};driver={rc.driver_name};provider={provider}"
        else:
            target = root
        return RedirectResponse(target, status_code=301,
                                headers=base_headers(rc.driver_name, rc.provider_name))

    # -- collections -----------------------------------------------------------

    def _collection_routes(self, collection: Collection) -> list[Route]:
        """Routes in declaration order, after the HTML form's. A DELETE also answers a POST
        carrying `_method=delete`, as HTML forms cannot send DELETE."""
        base = f"/api/{collection.name}"
        routes = [Route(base, self._wrap(self._collection_options(collection)),
                        methods=["OPTIONS"])]
        if collection.operation("create"):
            routes.append(Route(f"{base}/new", self._wrap(self._new_form(collection)),
                                methods=["GET"]))
        posts = {op.path for op in collection.operations if op.method == "POST"}
        for op in collection.operations:
            if op.method == "DELETE" and op.path not in posts:
                routes.append(Route(base + op.path, self._wrap(self._endpoint(collection, None)),
                                    methods=["POST"]))
            routes.append(Route(base + op.path, self._wrap(self._endpoint(collection, op)),
                                methods=[op.method]))
        return routes

    def _endpoint(self, collection: Collection, op: Operation | None) -> Endpoint:
        async def endpoint(request: Request, rc: RequestContext) -> Response:
            return await self._run(request, rc, collection, op)

        return endpoint

    def _check_collection(self, driver: Driver, collection: Collection) -> None:
        if collection.name != "drivers" and collection.name not in driver.collections:
            raise NotFound("This driver does not support that collection")

    async def _run(self, request: Request, rc: RequestContext, collection: Collection,
                   op: Operation | None) -> Response:
        """Check, call the handler in a worker thread, render. `op` None: a method override."""
        driver = self._driver(rc)
        self._check_collection(driver, collection)
        streams = op is not None and op.body == "stream"
        raw = await read_params(request, body=not streams)
        if request.method == "POST" and raw.values.get("_method", "").lower() == "delete":
            path = request.scope["route"].path.removeprefix(f"/api/{collection.name}")
            op = next((o for o in collection.operations
                       if o.method == "DELETE" and o.path == path), None)
        if op is None:
            raise MethodNotAllowed()
        if op.capability and not driver.supports(op.capability):
            raise MethodNotAllowed("This driver does not support that operation")
        path_params = dict(request.path_params)
        call = Call(
            driver, rc.call, self.registry,
            params=validate(collection, op, raw.values),
            id=path_params.pop("id", None),
            path=path_params,
            headers={k: v for k, v in request.headers.items()
                     if k not in ("authorization", "cookie")},
            body=RequestBody(request) if streams else None,
            files=raw.files,
        )
        result = await self.threads.run(rc.driver_name, op.handler, call)
        return self._respond(request, rc, driver, result)

    def _collection_options(self, collection: Collection) -> Endpoint:
        async def endpoint(request: Request, rc: RequestContext) -> Response:
            driver = self._driver(rc)
            self._check_collection(driver, collection)
            methods = {
                op.method for op in collection.operations
                if op.capability is None or driver.supports(op.capability)
            }
            if "GET" in methods:
                methods.add("HEAD")
            headers = base_headers(rc.driver_name, rc.provider_name)
            headers["Allow"] = ", ".join(sorted(methods | {"OPTIONS"}))
            return Response(status_code=200, headers=headers)

        return endpoint

    def _new_form(self, collection: Collection) -> Endpoint:
        async def endpoint(request: Request, rc: RequestContext) -> Response:
            from deltacloud.render import html

            driver = self._driver(rc)
            self._check_collection(driver, collection)
            op = collection.operation("create")
            assert op is not None
            if op.capability and not driver.supports(op.capability):
                raise MethodNotAllowed("This driver does not support that operation")
            view = self._view(rc, driver)
            params = (await read_params(request)).values
            choices, profiles = await self.threads.run(rc.driver_name, form_choices, driver,
                                                       collection, op, rc)
            body = html.render_form(view, collection, op, params, choices, profiles)
            headers = base_headers(rc.driver_name, rc.provider_name)
            return respond(body, 200, "html", headers, method=request.method)

        return endpoint

