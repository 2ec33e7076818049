"""A replay of IBM SmartCloud Enterprise's REST API (2010-03-31), on tests/replay.py.

Every answer of a call the recordings cover is a recorded body from
`../shared/fixtures/sbc/libcloud/` (Libcloud's recordings of SCE): `locations.xml`,
`images.xml`, `instances.xml`, `create.xml`, `reboot_active.xml`, `delete.xml`. The
instance listing is kept as state, made of the recorded `<Instance>` elements byte for
byte: the created instance (from `create.xml`) joins it, a deleted one leaves it (deleting
28193 gives exactly `instances_deleted.xml`), and a test moves an instance through SCE's
documented `<Status>` codes with `set_status`. A request is answered only when its method,
path and the form fields that matter are the recorded ones (a create must be the recorded
create); anything else fails the test (ReplayServer's `unmatched`).

Errors have no recording: their statuses are SCE's documented ones (401, 404, 412, 500)
and their bodies are the `documented_*.txt` files beside this module, which the driver
does not read.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

from tests.replay import Answer, ReplayServer, Request, fixture

REST = "/computecloud/enterprise/api/rest/20100331"
USER, PASSWORD = "woodser@us.ibm.com", "sce-Pa55word"
HERE = Path(__file__).parent
XML = "text/xml;charset=UTF-8"
_INSTANCE = re.compile(r"<Instance>.*?</Instance>", re.S)
# The recorded create (create.xml) was answered to this request.
RECORDED_CREATE = {"name": "RationalInsight4", "imageID": "11", "instanceType": "LARGE",
                   "location": "1", "publicKey": "MyPublicKey"}
ACTIVE, RESTARTING = 5, 8

Route = Callable[[Request, re.Match[str]], "Answer | None"]


def recording(name: str) -> str:
    return fixture("sbc", "libcloud", name).read_text(encoding="utf-8")


def documented(status: int, name: str) -> Answer:
    return Answer.of((HERE / f"documented_error_{name}.txt").read_bytes(), "text/plain", status)


def _id(chunk: str) -> str:
    found = re.search(r"<ID>(.*?)</ID>", chunk)
    assert found is not None
    return found.group(1)


class SceReplay:
    """The replayed cloud; `server` is its ReplayServer (use `with replay.server:`)."""

    def __init__(self) -> None:
        listing = recording("instances.xml")
        first, last = listing.index("<Instance>"), listing.rindex("</Instance>")
        self.head = listing[:first]
        self.tail = listing[last + len("</Instance>"):]
        self.instances = {_id(c): c for c in _INSTANCE.findall(listing)}
        self.refusing: set[str] = set()  # actions SCE refuses (412), whatever they are
        self.forgotten: set[str] = set()  # listed, but gone for actions (404)
        self.failing: int | None = None  # every call answers this status (a cloud in trouble)
        self.busy = 0  # how many calls answer 503 with Retry-After: 0 before the rest
        self.server = ReplayServer()
        for method, path, handler in (
            ("GET", "/locations", self._recorded("locations.xml")),
            ("GET", "/offerings/image", self._recorded("images.xml")),
            ("GET", "/instances", self._listing),
            ("POST", "/instances", self._create),
            ("PUT", r"/instances/(\d+)", self._restart),
            ("DELETE", r"/instances/(\d+)", self._delete),
        ):
            self.server.route(method, re.escape(REST) + path)(self._checked(handler))

    @property
    def url(self) -> str:
        return self.server.url + REST

    def listing(self) -> str:
        return self.head + "".join(self.instances.values()) + self.tail

    def set_status(self, instance_id: str, status: int) -> None:
        """Move an instance to one of SCE's documented <Status> codes."""
        chunk = self.instances[instance_id]
        self.instances[instance_id] = re.sub(r"<Status>\d+</Status>",
                                             f"<Status>{status}</Status>", chunk)

    def status(self, instance_id: str) -> int:
        found = re.search(r"<Status>(\d+)</Status>", self.instances[instance_id])
        assert found is not None
        return int(found.group(1))

    def calls(self, method: str) -> list[Request]:
        return [r for r in self.server.seen if r.method == method]

    # -- answers ------------------------------------------------------------------------

    def _checked(self, handler: Route) -> Route:
        """SCE's Basic authentication before any answer; the test's failure modes."""
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

        def answer(request: Request, match: re.Match[str]) -> Answer | None:
            if request.headers.get("authorization") != expected:
                return documented(401, "unauthorized")
            if self.busy:
                self.busy -= 1
                return Answer.of("busy", "text/plain", 503, **{"Retry-After": "0"})
            if self.failing is not None:
                return documented(self.failing, "internal")
            return handler(request, match)

        return answer

    def _recorded(self, name: str) -> Route:
        return lambda request, match: Answer.of(recording(name), XML)

    def _listing(self, request: Request, match: re.Match[str]) -> Answer:
        return Answer.of(self.listing(), XML)

    def _create(self, request: Request, match: re.Match[str]) -> Answer | None:
        form = {k: v[0] for k, v in request.form().items()}
        if form != RECORDED_CREATE:
            return None  # not the recorded create: no answer, the test fails
        body = recording("create.xml")
        chunk = _INSTANCE.search(body)
        assert chunk is not None
        if _id(chunk.group(0)) in self.instances:
            return None  # created once in the recording
        self.instances[_id(chunk.group(0))] = chunk.group(0)
        return Answer.of(body, XML)

    def _action(self, instance_id: str) -> Answer | None:
        if instance_id not in self.instances or instance_id in self.forgotten:
            return documented(404, "not_found")
        if instance_id in self.refusing:
            return documented(412, "precondition_failed")
        return None

    def _restart(self, request: Request, match: re.Match[str]) -> Answer | None:
        if request.form() != {"state": ["restart"]}:
            return None
        instance_id = match.group(1)
        refused = self._action(instance_id)
        if refused is not None:
            return refused
        if self.status(instance_id) != ACTIVE:
            return documented(412, "precondition_failed")
        self.set_status(instance_id, RESTARTING)
        return Answer.of(recording("reboot_active.xml"), XML)

    def _delete(self, request: Request, match: re.Match[str]) -> Answer | None:
        instance_id = match.group(1)
        refused = self._action(instance_id)
        if refused is not None:
            return refused
        del self.instances[instance_id]
        return Answer.of(recording("delete.xml"), XML)
