"""A stateful fake oVirt engine (REST API v4) on 127.0.0.1 over HTTPS, for the rhevm tests.

No engine can be installed here, so this one answers the calls ovirt-engine-sdk-python
makes: the SSO password grant (`POST /ovirt-engine/sso/oauth/token`, its error document
answered with 200 as the engine does) and revocation, then, with `Authorization: Bearer`
and `Version: 4`, data centres, clusters, templates and VMs: list, get (with
`follow=reported_devices`), add from a template, start, stop, shutdown, reboot, remove.

It keeps state and changes it as an engine does, a moment later (`delay` seconds): a new
VM is image_locked, then down; start goes wait_for_launch, powering_up, up; shutdown
powering_down, down; reboot reboot_in_progress, up. It refuses what an engine refuses,
with the engine's fault document and status (409 for a VM in the wrong status or with
delete protection, 400 for an incomplete add, 404 for unknown ids).

Wire faithfulness: every XML answer is read by the SDK's own `Reader` and written back by
its `Writer`; an element or value lost on the way (an unknown element, an invalid enum
value, a misspelt tag) is recorded in `mismatches`, which the tests require to stay empty.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import secrets
import ssl
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

API = "/ovirt-engine/api"
MIB = 1024 * 1024
BLANK = "00000000-0000-0000-0000-000000000000"


# -- the round-trip proof ----------------------------------------------------------------


def _canonical(element: ET.Element) -> Any:
    """An element as comparable data: tag, attributes, text, children in any order
    (the SDK's writer orders children its own way); dates compared as instants."""
    text = (element.text or "").strip()
    with contextlib.suppress(ValueError):
        text = datetime.datetime.fromisoformat(text).isoformat() if "T" in text else text
    children = sorted((_canonical(c) for c in element), key=repr)
    return (element.tag, tuple(sorted(element.attrib.items())), text, tuple(children))


def round_trip(body: str) -> str | None:
    """None when the SDK reads `body` and writes back every element and value; otherwise
    both documents, for the failure message."""
    from ovirtsdk4 import List
    from ovirtsdk4.reader import Reader
    from ovirtsdk4.writer import Writer

    root = ET.fromstring(body)
    try:
        obj = Reader.read(body)
    except Exception as exc:  # a value the SDK's reader refuses
        return f"sent:    {body}\nthe SDK cannot read it: {exc}"
    again = (Writer.write(obj, root=root.tag) if isinstance(obj, List)
             else Writer.write(obj))
    if _canonical(ET.fromstring(again)) != _canonical(root):
        return f"sent:    {body}\nthe SDK: {again}"
    return None


# -- the engine's objects ----------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = str(text).lower() if isinstance(text, bool) else str(text)
    return element


def _date(when: float) -> str:
    moment = datetime.datetime.fromtimestamp(when, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


def _link(parent: ET.Element, tag: str, kind: str, id: str) -> None:
    _sub(parent, tag, href=f"{API}/{kind}/{id}", id=id)


@dataclass
class Datacenter:
    id: str
    name: str
    status: str = "up"

    def element(self) -> ET.Element:
        e = ET.Element("data_center", href=f"{API}/datacenters/{self.id}", id=self.id)
        _sub(e, "name", self.name)
        _sub(e, "local", False)
        _sub(e, "quota_mode", "disabled")
        _sub(e, "status", self.status)
        _sub(e, "storage_format", "v5")
        version = _sub(e, "version")
        _sub(version, "major", 4)
        _sub(version, "minor", 7)
        return e


@dataclass
class Cluster:
    id: str
    name: str
    datacenter: str
    version: tuple[int, int] = (4, 7)

    def element(self) -> ET.Element:
        e = ET.Element("cluster", href=f"{API}/clusters/{self.id}", id=self.id)
        _sub(e, "name", self.name)
        cpu = _sub(e, "cpu")
        _sub(cpu, "architecture", "x86_64")
        _sub(cpu, "type", "Intel Nehalem Family")
        _sub(e, "ballooning_enabled", False)
        _sub(e, "threads_as_cores", False)
        version = _sub(e, "version")
        _sub(version, "major", self.version[0])
        _sub(version, "minor", self.version[1])
        _link(e, "data_center", "datacenters", self.datacenter)
        return e


def _cpu(parent: ET.Element, sockets: int, cores: int, threads: int = 1) -> None:
    cpu = _sub(parent, "cpu")
    _sub(cpu, "architecture", "x86_64")
    topology = _sub(cpu, "topology")
    _sub(topology, "cores", cores)
    _sub(topology, "sockets", sockets)
    _sub(topology, "threads", threads)


@dataclass
class Template:
    id: str
    name: str
    cluster: str | None
    sockets: int = 1
    cores: int = 1
    memory: int = 1024 * MIB
    description: str = ""
    status: str = "ok"
    created: float = field(default_factory=time.time)

    def element(self) -> ET.Element:
        e = ET.Element("template", href=f"{API}/templates/{self.id}", id=self.id)
        _sub(e, "name", self.name)
        if self.description:
            _sub(e, "description", self.description)
        _cpu(e, self.sockets, self.cores)
        _sub(e, "creation_time", _date(self.created))
        _sub(e, "delete_protected", False)
        _sub(e, "memory", self.memory)
        policy = _sub(e, "memory_policy")
        _sub(policy, "guaranteed", self.memory)
        _sub(policy, "max", 4 * self.memory)
        _sub(e, "stateless", False)
        _sub(e, "type", "server")
        _sub(e, "status", self.status)
        version = _sub(e, "version")
        _sub(version, "version_name", "base version")
        _sub(version, "version_number", 1)
        if self.cluster:
            _link(e, "cluster", "clusters", self.cluster)
        return e


@dataclass
class Vm:
    id: str
    name: str
    cluster: str
    template: str
    sockets: int
    cores: int
    memory: int
    guaranteed: int
    status: str = "image_locked"
    created: float = field(default_factory=time.time)
    started: float | None = None
    custom_script: str | None = None
    delete_protected: bool = False
    ip: str | None = None
    mac: str = field(default_factory=lambda: "56:6f:" + ":".join(
        f"{b:02x}" for b in secrets.token_bytes(4)))
    # (when, status) changes still to come
    changes: list[tuple[float, str]] = field(default_factory=list)

    def settle(self, now: float) -> None:
        while self.changes and self.changes[0][0] <= now:
            _, self.status = self.changes.pop(0)
            if self.status == "up" and self.started is None:
                self.started = now
            if self.status == "down":
                self.started = None

    def element(self, follow: bool) -> ET.Element:
        e = ET.Element("vm", href=f"{API}/vms/{self.id}", id=self.id)
        _sub(e, "name", self.name)
        _cpu(e, self.sockets, self.cores)
        _sub(e, "creation_time", _date(self.created))
        _sub(e, "delete_protected", self.delete_protected)
        _sub(e, "memory", self.memory)
        policy = _sub(e, "memory_policy")
        _sub(policy, "guaranteed", self.guaranteed)
        _sub(e, "stateless", False)
        _sub(e, "type", "server")
        _sub(e, "status", self.status)
        if self.started is not None:
            _sub(e, "start_time", _date(self.started))
        if self.custom_script is not None:
            init = _sub(e, "initialization")
            _sub(init, "custom_script", self.custom_script)
        _link(e, "cluster", "clusters", self.cluster)
        _link(e, "template", "templates", self.template)
        _link(e, "original_template", "templates", self.template)
        if follow:
            devices = _sub(e, "reported_devices")
            if self.status == "up":
                device = _sub(devices, "reported_device", id=str(uuid.uuid5(
                    uuid.NAMESPACE_OID, self.id)))
                _sub(device, "name", "eth0")
                _sub(device, "description", "guest reported data")
                if self.ip:
                    ips = _sub(device, "ips")
                    ip = _sub(ips, "ip")
                    _sub(ip, "address", self.ip)
                    _sub(ip, "version", "v4")
                mac = _sub(device, "mac")
                _sub(mac, "address", self.mac)
                _sub(device, "type", "network")
        return e


class Refused(Exception):
    """What the engine answers instead: a status and a fault (inside an action for
    actions)."""

    def __init__(self, status: int, detail: str, reason: str = "Operation Failed") -> None:
        super().__init__(detail)
        self.status, self.detail, self.reason = status, detail, reason


# -- the engine ---------------------------------------------------------------------------


class Engine:
    """The engine's state, and what it does to it. Thread-safe (one lock)."""

    def __init__(self, users: dict[str, str], delay: float) -> None:
        self.users = users
        self.delay = delay
        self.lock = threading.Lock()
        self.tokens: dict[str, str] = {}
        self.revoked = 0
        self.datacenters: dict[str, Datacenter] = {}
        self.clusters: dict[str, Cluster] = {}
        self.templates: dict[str, Template] = {}
        self.vms: dict[str, Vm] = {}
        self.mismatches: list[str] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # method, path, headers
        self.down = False  # answer like a proxy in front of a stopped engine

    # -- seeding --------------------------------------------------------------------

    def add_datacenter(self, name: str, status: str = "up") -> Datacenter:
        dc = Datacenter(str(uuid.uuid4()), name, status)
        self.datacenters[dc.id] = dc
        return dc

    def add_cluster(self, name: str, dc: Datacenter,
                    version: tuple[int, int] = (4, 7)) -> Cluster:
        cluster = Cluster(str(uuid.uuid4()), name, dc.id, version)
        self.clusters[cluster.id] = cluster
        return cluster

    def add_template(self, name: str, cluster: Cluster | None, *, id: str | None = None,
                     sockets: int = 1, cores: int = 1, memory_mib: int = 1024,
                     description: str = "") -> Template:
        template = Template(id or str(uuid.uuid4()), name, cluster.id if cluster else None,
                            sockets, cores, memory_mib * MIB, description)
        self.templates[template.id] = template
        return template

    def add_vm(self, name: str, template: Template, cluster: Cluster, status: str = "down",
               ip: str | None = None) -> Vm:
        vm = Vm(str(uuid.uuid4()), name, cluster.id, template.id, template.sockets,
                template.cores, template.memory, template.memory, status=status, ip=ip)
        if status == "up":
            vm.started = time.time()
        self.vms[vm.id] = vm
        return vm

    # -- SSO ------------------------------------------------------------------------

    def sso_token(self, form: dict[str, str]) -> dict[str, str]:
        user, password = form.get("username", ""), form.get("password", "")
        if form.get("grant_type") != "password" or form.get("scope") != "ovirt-app-api":
            return {"error_code": "invalid_request", "error": "Unsupported grant"}
        if self.users.get(user) != password or not password:
            return {"error_code": "access_denied",
                    "error": f"Cannot authenticate user '{user}': The username or password "
                             "is incorrect.."}
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = user
        return {"access_token": token, "scope": "ovirt-app-api ovirt-ext=token:password-access",
                "exp": str(int(time.time() + 3600) * 1000), "token_type": "bearer"}

    def sso_logout(self, form: dict[str, str]) -> dict[str, str]:
        with self.lock:
            if self.tokens.pop(form.get("token", ""), None) is not None:
                self.revoked += 1
        return {}

    # -- the API ----------------------------------------------------------------------

    def _vm(self, id: str) -> Vm:
        vm = self.vms.get(id)
        if vm is None:
            raise Refused(404, f"Entity not found: {id}", "Operation Failed")
        vm.settle(time.time())
        return vm

    def get(self, path: str, query: dict[str, str]) -> ET.Element:
        parts = path.split("/")
        follow = "reported_devices" in query.get("follow", "")
        with self.lock:
            now = time.time()
            for vm in self.vms.values():
                vm.settle(now)
            kinds: dict[str, tuple[str, dict[str, Any]]] = {
                "datacenters": ("data_centers", self.datacenters),
                "clusters": ("clusters", self.clusters),
                "templates": ("templates", self.templates),
                "vms": ("vms", self.vms),
            }
            if not parts or parts[0] not in kinds:
                raise Refused(404, "Not found")
            root, objects = kinds[parts[0]]
            if len(parts) == 1:
                listing = ET.Element(root)
                for obj in objects.values():
                    listing.append(obj.element(follow) if isinstance(obj, Vm)
                                   else obj.element())
                return listing
            if len(parts) == 2:
                obj = objects.get(parts[1])
                if obj is None:
                    raise Refused(404, f"Entity not found: {parts[1]}")
                return obj.element(follow) if isinstance(obj, Vm) else obj.element()
        raise Refused(404, "Not found")

    def add_vm_from(self, body: ET.Element) -> ET.Element:
        name = body.findtext("name") or ""
        cluster_id = body.find("cluster").get("id", "") if body.find("cluster") is not None else ""
        template_id = (body.find("template").get("id", "") if body.find("template") is not None
                       else "")
        if not name or not cluster_id or not template_id:
            raise Refused(400, "Vm [name, cluster.id|name, template.id|name] required for add",
                          "Incomplete parameters")
        with self.lock:
            cluster = self.clusters.get(cluster_id)
            template = self.templates.get(template_id)
            if cluster is None or template is None:
                missing = cluster_id if cluster is None else template_id
                raise Refused(404, f"Entity not found: {missing}")
            if any(vm.name == name for vm in self.vms.values()):
                raise Refused(409, "[Cannot add VM. Name is already used.]")
            topology = body.find("cpu/topology")
            sockets = int(topology.findtext("sockets") or 1) if topology is not None else (
                template.sockets)
            cores = int(topology.findtext("cores") or 1) if topology is not None else (
                template.cores)
            memory = int(body.findtext("memory") or template.memory)
            guaranteed = int(body.findtext("memory_policy/guaranteed") or min(
                memory, template.memory))
            if guaranteed > memory:
                raise Refused(409, "[Cannot add VM. Physical Memory Guaranteed cannot exceed "
                                   "Memory Size.]")
            vm = Vm(str(uuid.uuid4()), name, cluster.id, template.id, sockets, cores, memory,
                    guaranteed, custom_script=body.findtext("initialization/custom_script"))
            vm.changes = [(time.time() + self.delay, "down")]
            self.vms[vm.id] = vm
            return vm.element(False)

    def act(self, id: str, action: str) -> None:
        """Start, stop, shutdown or reboot, refused in the statuses an engine refuses."""
        with self.lock:
            vm = self._vm(id)
            now, d = time.time(), self.delay
            status = vm.status
            if action == "start":
                if status in ("up", "powering_up", "wait_for_launch", "reboot_in_progress",
                              "powering_down", "migrating"):
                    raise Refused(409, "[Cannot run VM. VM is running.]")
                if status == "image_locked":
                    raise Refused(409, "[Cannot run VM: VM is locked. Please try again in a "
                                       "few minutes.]")
                vm.status = "wait_for_launch"
                vm.changes = [(now + d / 2, "powering_up"), (now + d, "up")]
            elif action in ("stop", "shutdown"):
                if status in ("down", "image_locked"):
                    raise Refused(409, f"[Cannot {action} VM. VM is not running.]")
                if action == "stop":
                    vm.status, vm.changes = "down", []
                    vm.started = None
                else:
                    vm.status = "powering_down"
                    vm.changes = [(now + d, "down")]
            elif action == "reboot":
                if status != "up":
                    raise Refused(409, "[Cannot reboot VM. VM is not running.]")
                vm.status = "reboot_in_progress"
                vm.changes = [(now + d, "up")]
            else:
                raise Refused(404, "Not found")

    def remove(self, id: str) -> None:
        with self.lock:
            vm = self._vm(id)
            if vm.delete_protected:
                raise Refused(409, "[Cannot remove VM. Delete protection is enabled. In order "
                                   "to delete, disable Delete protection first.]")
            if vm.status != "down":
                raise Refused(409, "[Cannot remove VM. VM is running.]")
            del self.vms[id]


# -- HTTP -----------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, as an engine's do

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read what matters from the engine's state."""

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: dict[str, str]) -> None:
        self._send(200, json.dumps(data).encode(), "application/json")

    def _xml(self, status: int, element: ET.Element) -> None:
        body = ET.tostring(element, encoding="unicode")
        problem = round_trip(body)
        if problem is not None:
            self.server.engine.mismatches.append(problem)
        document = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body
        self._send(status, document.encode(), "application/xml;charset=UTF-8")

    def _fault(self, refused: Refused, action: bool) -> None:
        fault = ET.Element("fault")
        _sub(fault, "detail", refused.detail)
        _sub(fault, "reason", refused.reason)
        if action:
            wrapper = ET.Element("action")
            wrapper.append(fault)
            _sub(wrapper, "status", "failed")
            fault = wrapper
        self._xml(refused.status, fault)

    def _form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self._body().decode(), keep_blank_values=True)
                .items()}

    def _dispatch(self, method: str) -> None:
        engine = self.server.engine
        url = urlsplit(self.path)
        engine.requests.append((method, url.path, dict(self.headers.items())))
        if engine.down:
            self._send(503, b"<html><body>Service Unavailable</body></html>", "text/html")
            return
        if method == "POST" and url.path == "/ovirt-engine/sso/oauth/token":
            self._json(engine.sso_token(self._form()))
            return
        if method == "POST" and url.path == "/ovirt-engine/services/sso-logout":
            self._json(engine.sso_logout(self._form()))
            return
        if not url.path.startswith(API + "/"):
            self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            return
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in engine.tokens:
            self._send(401, b"<html><body>Unauthorized</body></html>", "text/html")
            return
        path = url.path[len(API) + 1:].rstrip("/")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = path.split("/")
        is_action = method == "POST" and len(parts) == 3 and parts[0] == "vms"
        try:
            if method == "GET":
                self._xml(200, engine.get(path, query))
            elif method == "POST" and path == "vms":
                self._xml(201, engine.add_vm_from(ET.fromstring(self._body())))
            elif is_action:
                ET.fromstring(self._body())  # the SDK sends <action/>: it must parse
                engine.act(parts[1], parts[2])
                done = ET.Element("action")
                _sub(done, "status", "complete")
                self._xml(200, done)
            elif method == "DELETE" and len(parts) == 2 and parts[0] == "vms":
                engine.remove(parts[1])
                done = ET.Element("action")
                _sub(done, "status", "complete")
                self._xml(200, done)
            else:
                raise Refused(404, "Not found")
        except Refused as refused:
            self._fault(refused, is_action)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, engine: Engine, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.engine = engine
        self.socket = context.wrap_socket(self.socket, server_side=True)


def make_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 signed by it: (ca, cert, key) PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    week = datetime.timedelta(days=7)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake oVirt engine CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - week).not_valid_after(now + week)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - week).not_valid_after(now + week)
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "engine.pem", directory / "engine.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@dataclass
class Running:
    """A started fake engine: its URL, CA bundle, state; `stop()` when done."""

    engine: Engine
    server: FakeServer
    thread: threading.Thread
    ca_bundle: Path
    workdir: tempfile.TemporaryDirectory[str]

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}{API}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        self.workdir.cleanup()


def start(users: dict[str, str], delay: float = 0.2) -> Running:
    """Serve a fresh engine on a free loopback port, over TLS with a CA made here."""
    workdir = tempfile.TemporaryDirectory(prefix="dc-ovirt-")
    ca, cert, key = make_certificate(Path(workdir.name))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    engine = Engine(users, delay)
    server = FakeServer(engine, context)
    thread = threading.Thread(target=server.serve_forever, name="fake-ovirt", daemon=True)
    thread.start()
    return Running(engine, server, thread, ca, workdir)
