"""How to reach vSphere for one request: endpoint, TLS, one logged-in session, inventory reads.

Settings (`Settings.vsphere_*`; the README's table): the CAs to trust
(DELTACLOUD_VSPHERE_CA_BUNDLE) or no verification at all (DELTACLOUD_VSPHERE_INSECURE,
labs only), seconds per HTTP exchange and per task.

Each request logs in with the request's credentials, does its work and logs
out; the session cookie and the password are never kept.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import ssl
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote, urlencode

from deltacloud.drivers.base import CallContext, PageGuard, Settings
from deltacloud.drivers.common.cache import LruCache
from deltacloud.drivers.common.waiting import wait_for
from deltacloud.drivers.vsphere.errors import translated
from deltacloud.errors import BackendError, BadRequest, NotFound

_HOSTPORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$")


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int = 443


def endpoint(provider: str | None) -> Endpoint:
    """`vc.example.com`, `host:port`, `[v6]:port` or `https://host[:port][/sdk]`."""
    if not provider:
        raise BadRequest("The vsphere driver needs the vCenter host as its provider "
                         "(X-Deltacloud-Provider, ;provider= or API_PROVIDER)")
    text = re.sub(r"^https?://", "", provider.strip(), flags=re.IGNORECASE).split("/", 1)[0]
    match = _HOSTPORT.match(text)
    if match is None or (match.group(2) and not 0 < int(match.group(2)) < 65536):
        raise BadRequest("The provider must be a vCenter host name or address, with an "
                         "optional port")
    return Endpoint(match.group(1).strip("[]"), int(match.group(2) or 443))


def ssl_context(settings: Settings) -> ssl.SSLContext:
    """Verified TLS unless turned off; with the configured CA bundle if there is one.

    A context is always given to pyvmomi: without one it skips the checks for
    localhost and 127.0.0.1 by itself.
    """
    if settings.vsphere_insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    bundle = settings.vsphere_ca_bundle
    if not bundle:
        return ssl.create_default_context()
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)


def _api_version(ep: Endpoint, context: ssl.SSLContext, timeout: float) -> str:
    """The newest API version both pyvmomi and the endpoint speak (vimServiceVersions.xml)."""
    from pyVmomi import VmomiSupport

    conn = http.client.HTTPSConnection(ep.host, ep.port, timeout=timeout, context=context)
    try:
        conn.request("GET", "/sdk/vimServiceVersions.xml")
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    supported: set[str] = set()
    if response.status == 200:
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            root = None
        if root is not None and root.tag == "namespaces":
            for ns in root.findall("namespace"):
                if ns.findtext("name") == "urn:vim25":
                    supported.add(ns.findtext("version") or "")
                    supported.update(v.text or "" for v in ns.findall("priorVersions/version"))
    for version in VmomiSupport.GetServiceVersions("vim25"):
        if VmomiSupport.versionIdMap.get(version) in supported:
            return version
    raise BackendError("The provider does not look like a vSphere endpoint")


class Session:
    """One logged-in vSphere session, for the length of one request."""

    def __init__(self, content: Any, user: str, task_timeout: float, *, stub: Any = None,
                 ep: Endpoint | None = None, context: ssl.SSLContext | None = None,
                 timeout: float = 30) -> None:
        self.content = content
        self.user = user
        self.task_timeout = task_timeout
        self._stub, self._endpoint, self._context, self._timeout = stub, ep, context, timeout

    # -- datastore files ---------------------------------------------------

    def upload(self, datacenter: str, datastore: str, path: str, body: IO[bytes],
               size: int) -> None:
        """PUT a file into a datastore over the session's own HTTPS (`/folder`), streamed."""
        assert self._endpoint is not None and self._stub is not None
        query = urlencode({"dcPath": datacenter, "dsName": datastore})
        cookie = str(self._stub.cookie or "").split(";", 1)[0]
        conn = http.client.HTTPSConnection(self._endpoint.host, self._endpoint.port,
                                           timeout=self._timeout, context=self._context)
        try:
            conn.request("PUT", f"/folder/{quote(path)}?{query}", body=body, headers={
                "Cookie": cookie, "Content-Type": "application/octet-stream",
                "Content-Length": str(size)})
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        if response.status not in (200, 201, 204):
            raise BackendError(f"The datastore refused the upload ({response.status} "
                               f"{response.reason})")

    # -- reading the inventory ---------------------------------------------

    def retrieve(self, props: dict[Any, Sequence[str]],
                 objects: Sequence[Any] | None = None) -> list[tuple[Any, dict[str, Any]]]:
        """Properties of every object of the given types (or of `objects`): one round trip
        through a ContainerView, plus one per page of 1000 objects."""
        from pyVmomi import vmodl

        pc = vmodl.query.PropertyCollector
        prop_set = [pc.PropertySpec(type=t, pathSet=list(paths)) for t, paths in props.items()]
        view = None
        if objects is None:
            view = self.content.viewManager.CreateContainerView(
                self.content.rootFolder, list(props), True)
            object_set = [pc.ObjectSpec(obj=view, skip=True, selectSet=[
                pc.TraversalSpec(name="view", path="view", skip=False,
                                 type=type(view))])]
        else:
            object_set = [pc.ObjectSpec(obj=o, skip=False) for o in objects]
        collector = self.content.propertyCollector
        spec = pc.FilterSpec(objectSet=object_set, propSet=prop_set)
        found: list[tuple[Any, dict[str, Any]]] = []
        try:
            result = collector.RetrievePropertiesEx([spec], pc.RetrieveOptions(maxObjects=1000))
            pages = PageGuard("inventory")
            while result is not None:
                found.extend((o.obj, {p.name: p.val for p in o.propSet})
                             for o in result.objects)
                if not result.token:
                    break
                result = collector.ContinueRetrievePropertiesEx(pages.next(result.token))
        finally:
            if view is not None:
                view.DestroyView()
        return found

    def vm(self, id: str, kind: str = "Instance") -> Any:
        """The VM (or template) whose instance UUID is `id`."""
        try:
            uuid.UUID(id)
        except ValueError:
            raise NotFound(f"{kind} not found") from None
        vm = self.content.searchIndex.FindByUuid(None, id, True, True)
        if vm is None:
            raise NotFound(f"{kind} not found")
        return vm

    # -- tasks -----------------------------------------------------------------

    def wait(self, task: Any, timeout: float | None = None) -> Any:
        """Wait for a task; its fault is raised, its result returned.

        Reads only the task's state, error and result (not the whole `info`, whose
        entity some servers fill with objects pyvmomi refuses, e.g. vcsim's disk tasks).
        """
        from pyVmomi import vim

        paths = ("info.state", "info.error", "info.result")

        def info() -> dict[str, Any]:
            found = self.retrieve({vim.Task: paths}, [task])
            return found[0][1] if found else {}

        done = wait_for(info, lambda i: i.get("info.state") in ("success", "error"),
                        timeout or self.task_timeout, "The vSphere task did not finish in time")
        if done["info.state"] == "error":
            raise done["info.error"]
        return done.get("info.result")


class Client:
    """How one driver reaches vSphere: TLS and timeouts from the settings, and the API
    version each endpoint speaks, learnt once (public data, no credential in it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._versions: LruCache[tuple[str, int], str] = LruCache(256)

    @contextmanager
    def session(self, ctx: CallContext) -> Iterator[Session]:
        """Log in with the request's credentials; log out whatever happens."""
        creds = ctx.require_credentials()
        ep = endpoint(ctx.provider)
        host = f"[{ep.host}]" if ":" in ep.host else ep.host
        ctx.check_endpoint(f"https://{host}:{ep.port}/sdk")
        timeout = self.settings.vsphere_timeout
        with translated():
            from pyVmomi import SoapStubAdapter, vim

            context = ssl_context(self.settings)
            version = self._versions.get_or_make(
                (ep.host, ep.port), lambda: _api_version(ep, context, timeout))
            stub = SoapStubAdapter(ep.host, ep.port, version=version, sslContext=context,
                                   httpConnectionTimeout=timeout, connectionPoolTimeout=-1)
            try:
                content = vim.ServiceInstance("ServiceInstance", stub).RetrieveContent()
                manager = content.sessionManager
                if manager is None:
                    raise BackendError("The endpoint offers no vSphere session manager")
                manager.Login(creds.user, creds.password, None)
                try:
                    yield Session(content, creds.user, self.settings.vsphere_task_timeout,
                                  stub=stub, ep=ep, context=context, timeout=timeout)
                finally:
                    # The answer stands if this fails; the session then times out on its
                    # own.
                    with contextlib.suppress(Exception):
                        manager.Logout()
            finally:
                stub.DropConnections()
