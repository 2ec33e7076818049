"""A stateful fake of OpenNebula's `oned` XML-RPC API, for the opennebula driver's tests.

No `oned` can be installed here, so this speaks what pyone sends and what oned answers:
`[True, payload, 0]` on success, `[False, message, code, id]` on failure with oned's error
codes and words (`[one.vm.action] Error performing action "resume": This action is not
available for state RUNNING`), `user:password` sessions checked on every call, and XML
documents shaped as OpenNebula 7.3's XSDs say (no namespace, template values as CDATA,
elements in the schemas' order). `xsd.py` proves every document it answers valid.

State: clusters, hosts, VM templates, images, and the VMs instantiated from templates.
VMs move as oned moves them, a phase at a time (PENDING -> PROLOG -> BOOT -> RUNNING;
poweroff through SHUTDOWN_POWEROFF; terminate through SHUTDOWN and EPILOG to DONE), each
phase lasting `phase_seconds` on the fake's clock. Tests give it a `ManualClock` and move
time themselves, so no test depends on timing; the benchmark uses the real clock.
Actions a state does not allow are refused as oned refuses them.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

from lxml import etree

# oned's error codes (include/Request.h)
AUTHENTICATION = 0x0100
AUTHORIZATION = 0x0200
NO_EXISTS = 0x0400
ACTION = 0x0800
XML_RPC_API = 0x1000
INTERNAL = 0x2000
ALLOCATE = 0x4000

# VM states and LCM states (OpenNebula's numbering)
INIT, PENDING, HOLD, ACTIVE, STOPPED, SUSPENDED, DONE, FAILED, POWEROFF, UNDEPLOYED = range(10)
STATE_NAMES = ("INIT", "PENDING", "HOLD", "ACTIVE", "STOPPED", "SUSPENDED", "DONE", "FAILED",
               "POWEROFF", "UNDEPLOYED", "CLONING", "CLONING_FAILURE")
LCM_NAMES = {0: "LCM_INIT", 1: "PROLOG", 2: "BOOT", 3: "RUNNING", 9: "PROLOG_RESUME",
             11: "EPILOG", 12: "SHUTDOWN", 16: "UNKNOWN", 18: "SHUTDOWN_POWEROFF",
             20: "BOOT_POWEROFF", 21: "BOOT_SUSPENDED", 22: "BOOT_STOPPED",
             31: "PROLOG_UNDEPLOY", 32: "BOOT_UNDEPLOY", 36: "BOOT_FAILURE"}
LCM_INIT, PROLOG, BOOT, RUNNING = 0, 1, 2, 3
PROLOG_RESUME, EPILOG, SHUTDOWN, UNKNOWN, SHUTDOWN_POWEROFF = 9, 11, 12, 16, 18
BOOT_POWEROFF, BOOT_SUSPENDED, BOOT_STOPPED = 20, 21, 22
PROLOG_UNDEPLOY, BOOT_UNDEPLOY, BOOT_FAILURE = 31, 32, 36

# Where oned keeps a template attribute in a VM: TEMPLATE (what it parses) or USER_TEMPLATE.
VM_TEMPLATE_ORDER = ("AUTOMATIC_DS_REQUIREMENTS", "AUTOMATIC_NIC_REQUIREMENTS",
                     "AUTOMATIC_REQUIREMENTS", "CLONING_TEMPLATE_ID", "CONTEXT", "CPU",
                     "CPU_COST", "DISK", "DISK_COST", "EMULATOR", "FEATURES",
                     "HYPERV_OPTIONS", "GRAPHICS", "VIDEO", "IMPORTED", "INPUT", "MEMORY",
                     "MEMORY_COST", "MEMORY_MAX", "MEMORY_SLOTS", "MEMORY_RESIZE_MODE",
                     "NIC", "NIC_ALIAS", "NIC_DEFAULT", "NUMA_NODE", "OS", "PCI",
                     "QEMU_GA_EXEC", "RAW", "SECURITY_GROUP_RULE", "SNAPSHOT",
                     "SPICE_OPTIONS", "SUBMIT_ON_HOLD", "TEMPLATE_ID", "TM_MAD_SYSTEM",
                     "TOPOLOGY", "TPM", "MEMORY_ENCRYPTION", "VCPU", "VCPU_MAX", "VMGROUP",
                     "VMID")

Template = dict[str, Any]  # NAME -> str | dict (vector attribute) | list of either


class ManualClock:
    """A clock that moves only when told to (starting at the real time, for STIME)."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class User:
    id: int
    name: str
    password: str
    gid: int = 1
    gname: str = "users"


@dataclass
class Host:
    id: int
    name: str
    cluster_id: int
    state: int = 2  # MONITORED
    vms: list[int] = field(default_factory=list)


@dataclass
class Cluster:
    id: int
    name: str


@dataclass
class VmTemplate:
    id: int
    name: str
    owner: User
    template: Template
    regtime: int


@dataclass
class Image:
    id: int
    name: str
    owner: User
    regtime: int
    arch: str = "x86_64"


@dataclass
class History:
    seq: int
    host: Host
    stime: int
    etime: int = 0


@dataclass
class Vm:
    id: int
    name: str
    owner: User
    template: Template  # what oned parses (TEMPLATE)
    user_template: Template  # the rest (USER_TEMPLATE)
    stime: int
    state: int = PENDING
    lcm: int = LCM_INIT
    prev_state: int = PENDING
    prev_lcm: int = LCM_INIT
    etime: int = 0
    history: list[History] = field(default_factory=list)
    # (due time, state, lcm) still to come, in order
    steps: list[tuple[float, int, int]] = field(default_factory=list)

    def state_str(self) -> str:
        """oned's VirtualMachine::state_str: the LCM state's name while ACTIVE."""
        if self.state == ACTIVE:
            return LCM_NAMES.get(self.lcm, str(self.lcm))
        return STATE_NAMES[self.state]


class Refused(Exception):
    """An oned failure response: its code, message and the object id it names."""

    def __init__(self, code: int, message: str, resp_id: int = -1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.resp_id = resp_id


def _cdata(parent: etree._Element, name: str, value: Any) -> None:
    """A template attribute as oned writes it: vectors as elements, values as CDATA."""
    for item in value if isinstance(value, list) else [value]:
        child = etree.SubElement(parent, name)
        if isinstance(item, dict):
            for key, sub in item.items():
                _cdata(child, key, sub)
        else:
            child.text = etree.CDATA(str(item))


def _leaf(parent: etree._Element, name: str, value: Any = "") -> etree._Element:
    child = etree.SubElement(parent, name)
    child.text = str(value)
    return child


def _ids(parent: etree._Element, name: str, ids: list[int]) -> None:
    holder = etree.SubElement(parent, name)
    for i in ids:
        _leaf(holder, "ID", i)


def _permissions(parent: etree._Element) -> None:
    perms = etree.SubElement(parent, "PERMISSIONS")
    for name, value in zip(("OWNER_U", "OWNER_M", "OWNER_A", "GROUP_U", "GROUP_M", "GROUP_A",
                            "OTHER_U", "OTHER_M", "OTHER_A"), (1, 1, 0, 0, 0, 0, 0, 0, 0),
                           strict=True):
        _leaf(perms, name, value)


def _text(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


_ATTRIBUTE = re.compile(r'\s*([A-Za-z0-9_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|\[([^\]]*)\]|(\S+))')


def parse_template(text: str) -> Template:
    """oned's template syntax (`NAME = "value"`, `VEC = [ A = "x", B = "y" ]`), as much of
    it as the driver sends; a syntax error is refused as oned refuses it."""
    found: Template = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _ATTRIBUTE.match(text, pos)
        if match is None:
            raise Refused(INTERNAL, "Parse error: syntax error, unexpected text in template")
        name, quoted, vector, bare = match.groups()
        value: Any
        if vector is not None:
            value = {}
            for part in vector.split(","):
                if part.strip():
                    key, _, sub = part.partition("=")
                    value[key.strip().upper()] = sub.strip().strip('"')
        else:
            value = (quoted if quoted is not None else bare).replace('\\"', '"')
        found[name.upper()] = value
        pos = match.end()
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
    return found


class FakeOned:
    """The state of one OpenNebula front-end, and its XML-RPC methods."""

    def __init__(self, clock: Callable[[], float] | None = None,
                 phase_seconds: float = 1.0) -> None:
        self.clock = clock or time.time
        self.phase_seconds = phase_seconds
        self.lock = threading.RLock()
        self.users = {u.name: u for u in (User(0, "oneadmin", "one-secret", 0, "oneadmin"),
                                           User(3, "alice", "alice-pw"),
                                           User(4, "bob", "bob-pw"))}
        self.clusters = {0: Cluster(0, "default"), 100: Cluster(100, "edge")}
        self.hosts = {0: Host(0, "kvm-node-1", 0), 1: Host(1, "kvm-node-2", 0),
                      2: Host(2, "edge-node-1", 100, state=8)}  # OFFLINE
        now = int(self.clock())
        admin = self.users["oneadmin"]
        self.images = {0: Image(0, "ubuntu-24.04", admin, now),
                       1: Image(1, "alpine-3.20", admin, now)}
        self.templates: dict[int, VmTemplate] = {}
        self.vms: dict[int, Vm] = {}
        self._vm_ids = itertools.count(0)
        self._template_ids = itertools.count(0)
        # What was answered, for the XSD proof: (method, XML document).
        self.validator: Callable[[str, str], None] | None = None
        self.invalid: list[tuple[str, str]] = []
        self.calls: list[str] = []
        self._before: dict[str, Callable[[], None]] = {}
        self.add_template("ubuntu", {
            "CPU": "0.5", "VCPU": "2", "MEMORY": "1024", "DESCRIPTION": "Ubuntu 24.04 LTS",
            "DISK": {"IMAGE_ID": "0"}, "NIC": {"NETWORK": "private"},
            "OS": {"ARCH": "x86_64"}, "GRAPHICS": {"LISTEN": "0.0.0.0", "TYPE": "VNC"}})
        self.add_template("alpine-small", {
            "CPU": "1", "MEMORY": "256", "DISK": {"IMAGE_ID": "1"},
            "OS": {"ARCH": "aarch64"},
            "USER_INPUTS": {"MEMORY": "M|range||128..2048|256", "VCPU": "O|list||1,2,4|1"}})

    # -- setting up ----------------------------------------------------------------

    def add_template(self, name: str, template: Template, owner: str = "oneadmin") -> int:
        with self.lock:
            tid = next(self._template_ids)
            self.templates[tid] = VmTemplate(tid, name, self.users[owner],
                                             {"NAME": name, **template}, int(self.clock()))
            return tid

    def add_running_vms(self, count: int, template_id: int = 0, owner: str = "alice") -> None:
        """`count` VMs already RUNNING (for the benchmark and listings)."""
        with self.lock:
            for _ in range(count):
                vm = self._instantiate(self.users[owner], template_id, "", "")
                vm.steps.clear()
                self._deploy_now(vm)
                vm.state, vm.lcm = ACTIVE, RUNNING

    def before(self, method: str, action: Callable[[], None]) -> None:
        """Run `action` once, just before the next call of `method` is handled (another
        client acting at the same moment, for races)."""
        self._before[method] = action

    def settle(self) -> None:
        """Let every VM finish its transitions (a manual clock is moved far ahead)."""
        advance = getattr(self.clock, "advance", None)
        if advance is not None:
            advance(3600)

    def vm_state(self, vm_id: int) -> tuple[str, str]:
        with self.lock:
            vm = self.vms[vm_id]
            self._catch_up(vm)
            return STATE_NAMES[vm.state], LCM_NAMES.get(vm.lcm, str(vm.lcm))

    # -- the XML-RPC server ----------------------------------------------------------

    def dispatch(self, method: str, params: tuple[Any, ...]) -> list[Any]:
        self.calls.append(method)
        handler = self.METHODS.get(method)
        if handler is None:
            raise Exception(f"Method not found: {method}")  # an XML-RPC fault, as xmlrpc-c
        hook = self._before.pop(method, None)
        if hook is not None:
            hook()
        with self.lock:
            try:
                if not params or not isinstance(params[0], str):
                    raise Refused(XML_RPC_API, f"[{method}] Missing session")
                user = self._authenticate(method, params[0])
                result = handler(self, user, method, *params[1:])
            except Refused as refused:
                return [False, refused.message, refused.code, refused.resp_id]
        if isinstance(result, str) and result.startswith("<") and self.validator is not None:
            try:
                self.validator(method, result)
            except AssertionError as exc:
                self.invalid.append((method, str(exc)))
        return [True, result, 0]

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Listen on 127.0.0.1 (a free port) in threads; yields the endpoint URL."""
        fake = self

        class Handler(SimpleXMLRPCRequestHandler):
            rpc_paths = ("/RPC2",)

        server = _Server(("127.0.0.1", 0), requestHandler=Handler, logRequests=False,
                         allow_none=False)
        server.register_instance(_Dispatcher(fake))
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/RPC2"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)

    # -- what every call does first ------------------------------------------------------

    def _authenticate(self, method: str, session: str) -> User:
        name, _, password = session.partition(":")
        user = self.users.get(name)
        if user is None or user.password != password:
            raise Refused(AUTHENTICATION,
                          f"[{method}] User couldn't be authenticated, aborting call.")
        return user

    @staticmethod
    def _authorize(method: str, user: User, owner: User, what: str) -> None:
        if user.id != 0 and user.id != owner.id:
            raise Refused(AUTHORIZATION, f"[{method}] User [{user.id}] not authorized to "
                                         f"perform action on {what}.")

    def _vm(self, method: str, user: User, vm_id: Any) -> Vm:
        vm = self.vms.get(vm_id) if isinstance(vm_id, int) else None
        if vm is None:
            raise Refused(NO_EXISTS, f"[{method}] Error getting virtual machine [{vm_id}].",
                          vm_id if isinstance(vm_id, int) else -1)
        self._authorize(method, user, vm.owner, "virtual machine")
        self._catch_up(vm)
        return vm

    def _visible(self, user: User, owner: User) -> bool:
        return user.id == 0 or owner.id == user.id

    # -- the VM life cycle -------------------------------------------------------------

    def _catch_up(self, vm: Vm) -> None:
        """Apply the transitions whose time has come."""
        now = self.clock()
        while vm.steps and vm.steps[0][0] <= now:
            due, state, lcm = vm.steps.pop(0)
            self._move(vm, state, lcm, int(due))

    def _move(self, vm: Vm, state: int, lcm: int, when: int) -> None:
        if state == ACTIVE and vm.state != ACTIVE and not (
                vm.history and vm.history[-1].etime == 0):
            self._deploy_now(vm, when)
        vm.prev_state, vm.prev_lcm = vm.state, vm.lcm
        vm.state, vm.lcm = state, lcm
        if state in (DONE, STOPPED, UNDEPLOYED) and vm.history and vm.history[-1].etime == 0:
            vm.history[-1].etime = when
            host = vm.history[-1].host
            if vm.id in host.vms:
                host.vms.remove(vm.id)
        if state == DONE:
            vm.etime = when

    def _deploy_now(self, vm: Vm, when: int | None = None) -> None:
        """The scheduler's choice: the first monitored host of the wanted cluster."""
        wanted = vm.user_template.get("SCHED_REQUIREMENTS", "")
        match = re.search(r"CLUSTER_ID\s*=\s*(\d+)", wanted)
        hosts = [h for h in self.hosts.values() if h.state == 2
                 and (match is None or h.cluster_id == int(match.group(1)))]
        host = hosts[0] if hosts else next(iter(self.hosts.values()))
        vm.history.append(History(len(vm.history), host, int(when or self.clock())))
        host.vms.append(vm.id)
        vm.template["TM_MAD_SYSTEM"] = "ssh"

    def _schedule(self, vm: Vm, *phases: tuple[int, int]) -> None:
        """The states the VM goes through next, one phase_seconds apart."""
        start = max([self.clock()] + [s[0] for s in vm.steps])
        for n, (state, lcm) in enumerate(phases, 1):
            vm.steps.append((start + n * self.phase_seconds, state, lcm))

    def _instantiate(self, user: User, template_id: int, name: str, extra: str) -> Vm:
        tmpl = self.templates[template_id]
        merged: Template = {k: v for k, v in tmpl.template.items() if k != "NAME"}
        merged.update(parse_template(extra) if extra else {})
        vid = next(self._vm_ids)
        parsed: Template = {"TEMPLATE_ID": str(template_id), "VMID": str(vid),
                            "AUTOMATIC_REQUIREMENTS": "!(PUBLIC_CLOUD = YES)",
                            "TM_MAD_SYSTEM": ""}
        user_template: Template = {}
        for key, value in merged.items():
            (parsed if key in VM_TEMPLATE_ORDER else user_template)[key] = value
        if isinstance(parsed.get("NIC"), dict):
            parsed["NIC"] = {**parsed["NIC"], "IP": f"10.0.{vid // 250}.{vid % 250 + 2}",
                             "MAC": f"02:00:0a:00:{vid // 250:02x}:{vid % 250 + 2:02x}",
                             "NETWORK_ID": "0", "NIC_ID": "0"}
        if isinstance(parsed.get("DISK"), dict):
            image = self.images.get(int(parsed["DISK"].get("IMAGE_ID", -1)))
            parsed["DISK"] = {**parsed["DISK"], "DISK_ID": "0",
                              "IMAGE": image.name if image else ""}
        vm = Vm(vid, name or f"{tmpl.name}-{vid}", user, parsed, user_template,
                int(self.clock()))
        self.vms[vid] = vm
        self._schedule(vm, (ACTIVE, PROLOG), (ACTIVE, BOOT), (ACTIVE, RUNNING))
        return vm

    def _refuse_state(self, method: str, action: str, vm: Vm) -> Refused:
        return Refused(ACTION, f'[{method}] Error performing action "{action}": This action '
                               f"is not available for state {vm.state_str()}", vm.id)

    def _action(self, method: str, action: str, vm: Vm) -> None:
        busy = bool(vm.steps)
        if action == "poweroff":
            if vm.state != ACTIVE or vm.lcm not in (RUNNING, UNKNOWN) or busy:
                raise self._refuse_state(method, action, vm)
            vm.steps.clear()
            self._move(vm, ACTIVE, SHUTDOWN_POWEROFF, int(self.clock()))
            self._schedule(vm, (POWEROFF, LCM_INIT))
        elif action == "resume":
            if vm.state == POWEROFF:
                self._move(vm, ACTIVE, BOOT_POWEROFF, int(self.clock()))
                self._schedule(vm, (ACTIVE, RUNNING))
            elif vm.state == SUSPENDED:
                self._move(vm, ACTIVE, BOOT_SUSPENDED, int(self.clock()))
                self._schedule(vm, (ACTIVE, RUNNING))
            elif vm.state in (STOPPED, UNDEPLOYED):
                prolog, boot = ((PROLOG_RESUME, BOOT_STOPPED) if vm.state == STOPPED
                                else (PROLOG_UNDEPLOY, BOOT_UNDEPLOY))
                self._move(vm, PENDING, LCM_INIT, int(self.clock()))
                self._schedule(vm, (ACTIVE, prolog), (ACTIVE, boot), (ACTIVE, RUNNING))
            else:
                raise self._refuse_state(method, action, vm)
        elif action == "reboot":
            if vm.state != ACTIVE or vm.lcm not in (RUNNING, UNKNOWN):
                raise self._refuse_state(method, action, vm)
        elif action in ("terminate", "terminate-hard"):
            now = int(self.clock())
            if vm.state in (INIT, PENDING, HOLD):
                vm.steps.clear()
                self._move(vm, DONE, LCM_INIT, now)
            elif vm.state in (POWEROFF, SUSPENDED, STOPPED, UNDEPLOYED) or (
                    vm.state == ACTIVE and vm.lcm in (RUNNING, UNKNOWN)):
                vm.steps.clear()
                self._move(vm, ACTIVE, SHUTDOWN if vm.state == ACTIVE else EPILOG, now)
                self._schedule(vm, *([(ACTIVE, EPILOG)] if vm.lcm == SHUTDOWN else []),
                               (DONE, LCM_INIT))
            elif vm.state == ACTIVE and vm.lcm == BOOT_FAILURE:
                self._move(vm, DONE, LCM_INIT, now)
            elif vm.state != DONE:
                raise Refused(ACTION, f'[{method}] Error performing action "{action}": Could '
                                      f"not terminate VM {vm.id}, wrong state "
                                      f"{vm.state_str()}.", vm.id)
        else:
            raise Refused(ACTION, f'[{method}] Error performing action "{action}": '
                                  "Action not supported", vm.id)

    # -- the methods ---------------------------------------------------------------------

    def _vmpool_infoextended(self, user: User, method: str, who: int = -2, start: int = -1,
                             end: int = -1, state: int = -1, *_: Any) -> str:
        pool = etree.Element("VM_POOL")
        for vm in sorted(self.vms.values(), key=lambda v: v.id):
            if not self._visible(user, vm.owner) or not _in_range(vm.id, start, end):
                continue
            self._catch_up(vm)
            if (state == -1 and vm.state == DONE) or (state >= 0 and vm.state != state):
                continue
            pool.append(self._vm_xml(vm, last_history_only=True))
        return _text(pool)

    def _vm_info(self, user: User, method: str, vm_id: int, *_: Any) -> str:
        return _text(self._vm_xml(self._vm(method, user, vm_id)))

    def _vm_action(self, user: User, method: str, action: str, vm_id: int, *_: Any) -> int:
        vm = self._vm(method, user, vm_id)
        self._action(method, action, vm)
        return vm.id

    def _template_instantiate(self, user: User, method: str, template_id: int, name: str = "",
                              hold: bool = False, extra: str = "", *_: Any) -> int:
        tmpl = self.templates.get(template_id)
        if tmpl is None:
            raise Refused(NO_EXISTS, f"[{method}] Error getting virtual machine template "
                                     f"[{template_id}].", template_id)
        vm = self._instantiate(user, template_id, name, extra)
        if hold:
            vm.steps.clear()
            vm.state = HOLD
        return vm.id

    def _templatepool_info(self, user: User, method: str, who: int = -2, start: int = -1,
                           end: int = -1, *_: Any) -> str:
        pool = etree.Element("VMTEMPLATE_POOL")
        for tmpl in sorted(self.templates.values(), key=lambda t: t.id):
            if _in_range(tmpl.id, start, end):
                pool.append(self._template_xml(tmpl))
        return _text(pool)

    def _template_info(self, user: User, method: str, template_id: int, *_: Any) -> str:
        tmpl = self.templates.get(template_id)
        if tmpl is None:
            raise Refused(NO_EXISTS, f"[{method}] Error getting virtual machine template "
                                     f"[{template_id}].", template_id)
        return _text(self._template_xml(tmpl))

    def _clusterpool_info(self, user: User, method: str, *_: Any) -> str:
        pool = etree.Element("CLUSTER_POOL")
        for cluster in self.clusters.values():
            pool.append(self._cluster_xml(cluster))
        return _text(pool)

    def _cluster_info(self, user: User, method: str, cluster_id: int, *_: Any) -> str:
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            raise Refused(NO_EXISTS, f"[{method}] Error getting cluster [{cluster_id}].",
                          cluster_id)
        return _text(self._cluster_xml(cluster))

    def _hostpool_info(self, user: User, method: str, *_: Any) -> str:
        pool = etree.Element("HOST_POOL")
        for host in self.hosts.values():
            pool.append(self._host_xml(host))
        return _text(pool)

    def _imagepool_info(self, user: User, method: str, who: int = -2, start: int = -1,
                        end: int = -1, *_: Any) -> str:
        pool = etree.Element("IMAGE_POOL")
        for image in self.images.values():
            if _in_range(image.id, start, end):
                pool.append(self._image_xml(image))
        return _text(pool)

    METHODS: dict[str, Callable[..., Any]] = {
        "one.vmpool.infoextended": _vmpool_infoextended,
        "one.vm.info": _vm_info,
        "one.vm.action": _vm_action,
        "one.template.instantiate": _template_instantiate,
        "one.templatepool.info": _templatepool_info,
        "one.template.info": _template_info,
        "one.clusterpool.info": _clusterpool_info,
        "one.cluster.info": _cluster_info,
        "one.hostpool.info": _hostpool_info,
        "one.imagepool.info": _imagepool_info,
    }

    # -- documents, in the XSDs' order ------------------------------------------------------

    def _vm_xml(self, vm: Vm, last_history_only: bool = False) -> etree._Element:
        root = etree.Element("VM")
        for name, value in (("ID", vm.id), ("UID", vm.owner.id), ("GID", vm.owner.gid),
                            ("UNAME", vm.owner.name), ("GNAME", vm.owner.gname),
                            ("NAME", vm.name)):
            _leaf(root, name, value)
        _permissions(root)
        for name, value in (("LAST_POLL", 0), ("STATE", vm.state), ("LCM_STATE", vm.lcm),
                            ("PREV_STATE", vm.prev_state), ("PREV_LCM_STATE", vm.prev_lcm),
                            ("RESCHED", 0), ("STIME", vm.stime), ("ETIME", vm.etime),
                            ("DEPLOY_ID", f"one-{vm.id}" if vm.history else "")):
            _leaf(root, name, value)
        etree.SubElement(root, "MONITORING")
        etree.SubElement(root, "SCHED_ACTIONS")
        template = etree.SubElement(root, "TEMPLATE")
        for name in VM_TEMPLATE_ORDER:
            if name in vm.template:
                _cdata(template, name, vm.template[name])
        user_template = etree.SubElement(root, "USER_TEMPLATE")
        for name, value in sorted(vm.user_template.items()):
            _cdata(user_template, name, value)
        records = etree.SubElement(root, "HISTORY_RECORDS")
        for record in vm.history[-1:] if last_history_only else vm.history:
            self._history_xml(records, vm, record)
        backups = etree.SubElement(root, "BACKUPS")
        etree.SubElement(backups, "BACKUP_CONFIG")
        etree.SubElement(backups, "BACKUP_IDS")
        return root

    @staticmethod
    def _history_xml(parent: etree._Element, vm: Vm, record: History) -> None:
        history = etree.SubElement(parent, "HISTORY")
        for name, value in (("OID", vm.id), ("SEQ", record.seq),
                            ("HOSTNAME", record.host.name), ("HID", record.host.id),
                            ("CID", record.host.cluster_id), ("STIME", record.stime),
                            ("ETIME", record.etime), ("VM_MAD", "kvm"), ("TM_MAD", "ssh"),
                            ("DS_ID", 0), ("PLAN_ID", -1), ("ACTION_ID", -1),
                            ("PSTIME", record.stime), ("PETIME", record.stime),
                            ("RSTIME", record.stime), ("RETIME", record.etime),
                            ("ESTIME", 0), ("EETIME", 0), ("ACTION", 0),
                            ("UID", vm.owner.id), ("GID", vm.owner.gid), ("REQUEST_ID", -1)):
            _leaf(history, name, value)

    @staticmethod
    def _template_xml(tmpl: VmTemplate) -> etree._Element:
        root = etree.Element("VMTEMPLATE")
        for name, value in (("ID", tmpl.id), ("UID", tmpl.owner.id), ("GID", tmpl.owner.gid),
                            ("UNAME", tmpl.owner.name), ("GNAME", tmpl.owner.gname),
                            ("NAME", tmpl.name)):
            _leaf(root, name, value)
        _permissions(root)
        _leaf(root, "REGTIME", tmpl.regtime)
        template = etree.SubElement(root, "TEMPLATE")
        for name, value in sorted(tmpl.template.items()):
            _cdata(template, name, value)
        return root

    def _cluster_xml(self, cluster: Cluster) -> etree._Element:
        root = etree.Element("CLUSTER")
        _leaf(root, "ID", cluster.id)
        _leaf(root, "NAME", cluster.name)
        _ids(root, "HOSTS", [h.id for h in self.hosts.values() if h.cluster_id == cluster.id])
        _ids(root, "DATASTORES", [0, 1, 2])
        _ids(root, "VNETS", [0])
        template = etree.SubElement(root, "TEMPLATE")
        _cdata(template, "RESERVED_CPU", "")
        _cdata(template, "RESERVED_MEM", "")
        return root

    def _host_xml(self, host: Host) -> etree._Element:
        root = etree.Element("HOST")
        for name, value in (("ID", host.id), ("NAME", host.name), ("STATE", host.state),
                            ("PREV_STATE", host.state), ("IM_MAD", "kvm"), ("VM_MAD", "kvm"),
                            ("CLUSTER_ID", host.cluster_id),
                            ("CLUSTER", self.clusters[host.cluster_id].name)):
            _leaf(root, name, value)
        share = etree.SubElement(root, "HOST_SHARE")
        for name, value in (("MEM_USAGE", 0), ("CPU_USAGE", 0), ("TOTAL_MEM", 16777216),
                            ("TOTAL_CPU", 800), ("MAX_MEM", 16777216), ("MAX_CPU", 800),
                            ("RUNNING_VMS", len(host.vms)), ("VMS_THREAD", 1)):
            _leaf(share, name, value)
        datastores = etree.SubElement(share, "DATASTORES")
        for name, value in (("DISK_USAGE", 0), ("FREE_DISK", 102400), ("MAX_DISK", 204800),
                            ("USED_DISK", 102400)):
            _leaf(datastores, name, value)
        etree.SubElement(share, "PCI_DEVICES")
        etree.SubElement(share, "NUMA_NODES")
        _ids(root, "VMS", host.vms)
        template = etree.SubElement(root, "TEMPLATE")
        _cdata(template, "HYPERVISOR", "kvm")
        etree.SubElement(root, "MONITORING")
        return root

    @staticmethod
    def _image_xml(image: Image) -> etree._Element:
        root = etree.Element("IMAGE")
        for name, value in (("ID", image.id), ("UID", image.owner.id),
                            ("GID", image.owner.gid), ("UNAME", image.owner.name),
                            ("GNAME", image.owner.gname), ("NAME", image.name)):
            _leaf(root, name, value)
        _permissions(root)
        for name, value in (("TYPE", 0), ("DISK_TYPE", 0), ("PERSISTENT", 0),
                            ("REGTIME", image.regtime), ("MODTIME", image.regtime),
                            ("SOURCE", f"/var/lib/one/datastores/1/{image.id:032x}"),
                            ("PATH", ""), ("FORMAT", "qcow2"), ("FS", ""), ("SIZE", 2252),
                            ("STATE", 1), ("PREV_STATE", 1), ("RUNNING_VMS", 0),
                            ("CLONING_OPS", 0), ("CLONING_ID", -1), ("TARGET_SNAPSHOT", -1),
                            ("DATASTORE_ID", 1), ("DATASTORE", "default")):
            _leaf(root, name, value)
        for name in ("VMS", "CLONES", "APP_CLONES"):
            etree.SubElement(root, name)
        template = etree.SubElement(root, "TEMPLATE")
        _cdata(template, "ARCH", image.arch)
        snapshots = etree.SubElement(root, "SNAPSHOTS")
        _leaf(snapshots, "ALLOW_ORPHANS", "YES")
        _leaf(snapshots, "CURRENT_BASE", -1)
        _leaf(snapshots, "NEXT_SNAPSHOT", 0)
        etree.SubElement(root, "BACKUP_INCREMENTS")
        return root


def _in_range(oid: int, start: int, end: int) -> bool:
    """oned's pool ranges: -1..-1 is everything; start..end otherwise (end -1: no end)."""
    if start < 0:
        return True
    return oid >= start and (end < 0 or oid <= end)


class _Dispatcher:
    """Routes `one.*` method names (with dots) to the fake."""

    def __init__(self, fake: FakeOned) -> None:
        self.fake = fake

    def _dispatch(self, method: str, params: tuple[Any, ...]) -> list[Any]:
        return self.fake.dispatch(method, params)


class _Server(SimpleXMLRPCServer):
    """One thread per connection, so a slow call does not hold up others."""

    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self._handle, args=(request, client_address),
                                  daemon=True)
        thread.start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
