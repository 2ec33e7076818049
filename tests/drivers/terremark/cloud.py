"""A replay of Terremark's vCloud Express API 0.8 on loopback, from recorded answers.

The answers are Libcloud's recorded bodies (`../shared/fixtures/terremark/libcloud/`): the
login, org 240, vDC 224 with its catalog and catalog item 5, the instantiation of vApp
14031, its deploy, its power on, off and reset, the vApp powered on, tasks 10496 and 11001.
Where a step of the life cycle has no recording, the answer was written from the vCloud
Express 0.8 documentation into `documented/`, each file named `documented_*`: vApp 14031
powered off (status 2), the finished tasks of power on (10499) and reset (10555), the
Error documents of an unknown object (404) and of an action the vApp's state refuses
(400). Three answers have no body and are written here: a refused login (401, no body), a
request without the session's cookie (401), and the DELETE of a vApp (202, no body, as
Terremark answered it: fog's `delete_vapp` expects exactly that).

State, so that a life cycle plays as the cloud played it: which vApps exist and their
status (vApp 14031 powered on at first, as recorded; `TerremarkCloud(vapps={})` starts
without it), and the tasks not yet finished. Creating plays the recorded instantiation
(vApp 14031, status 0, whatever name was asked: the request is kept in `instantiated`);
deploy queues task 10496, which leaves the vApp off (status 2) once finished. A power
action queues its task; a task is finished when it is read (its recording says `success`)
or when a test calls `settle()`. An action the vApp's state does not allow gets the
documented 400. A request no route answers fails the test (tests/replay.py).
"""

from __future__ import annotations

import base64
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.replay import Answer, ReplayServer, Request, fixture

USER, PASSWORD = "a@example.com", "terremark-pw"
VAPP_ID, VDC_ID = "14031", "224"
XML = "application/xml; charset=utf-8"
DOCUMENTED = Path(__file__).with_name("documented")
V08 = "/api/v0.8"
# Each action's task (as recorded or documented) and the status it leaves the vApp in.
TASKS = {"deploy": ("10496", "2"), "powerOn": ("10499", "4"), "poweroff": ("11001", "2"),
         "reset": ("10555", "4")}
# The status an action needs the vApp in (Terremark: 0 being created, 2 off, 4 on).
NEEDS = {"deploy": {"0", "1"}, "powerOn": {"2"}, "poweroff": {"4"}, "reset": {"4"}}


def recorded(name: str) -> bytes:
    return fixture("terremark", "libcloud", f"api_v0_8_{name}.xml").read_bytes()


def documented(name: str) -> bytes:
    return (DOCUMENTED / f"documented_{name}.xml").read_bytes()


class TerremarkCloud:
    """The replay's state and routes; `serve()` runs it (see the module's docstring)."""

    def __init__(self, vapps: dict[str, str] | None = None) -> None:
        self.vapps: dict[str, str] = {VAPP_ID: "4"} if vapps is None else dict(vapps)
        self.pending: dict[str, tuple[str, str]] = {}  # task id -> (vApp id, its status)
        self.token = secrets.token_hex(16)
        self.logins = 0
        self.instantiated: list[ET.Element] = []
        self.actions: list[str] = []
        # Called before an action is played: another client acting in between.
        self.before_action: Callable[[], None] | None = None
        self.server = ReplayServer()
        recorded("login")  # skips the test, saying why, without ../shared
        self._routes()

    def serve(self) -> Iterator[TerremarkCloud]:
        with self.server:
            yield self

    @property
    def url(self) -> str:
        """The provider naming this replay."""
        return f"{self.server.url}/api"

    def settle(self) -> None:
        """Every queued task finishes."""
        for task_id in list(self.pending):
            self._finish(task_id)

    def _finish(self, task_id: str) -> None:
        vapp_id, status = self.pending.pop(task_id)
        if vapp_id in self.vapps:
            self.vapps[vapp_id] = status

    # -- routes -------------------------------------------------------------------------

    def _routes(self) -> None:
        route = self.server.route

        @route("POST", f"{V08}/login")
        def login(request: Request, _: re.Match[str]) -> Answer:
            self.logins += 1
            basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if request.headers.get("authorization") != f"Basic {basic}":
                return Answer(401, b"", {"WWW-Authenticate": 'Basic realm="vCloud"'})
            return Answer.of(recorded("login"), XML,
                             **{"Set-Cookie": f"vcloud-token={self.token}; path=/"})

        def session(handler: Callable[[Request, re.Match[str]], Answer | None]) -> Callable[
                [Request, re.Match[str]], Answer | None]:
            """Routes after the login answer 401 without the session's cookie."""
            def checked(request: Request, match: re.Match[str]) -> Answer | None:
                if request.headers.get("cookie") != f"vcloud-token={self.token}":
                    return Answer(401, b"")
                return handler(request, match)
            return checked

        @route("GET", f"{V08}/org/240")
        @session
        def org(request: Request, _: re.Match[str]) -> Answer:
            return Answer.of(recorded("org_240"), XML)

        @route("GET", f"{V08}/vdc/{VDC_ID}")
        @session
        def vdc(request: Request, _: re.Match[str]) -> Answer:
            return Answer.of(self._vdc(), XML)

        @route("GET", f"{V08}/vdc/{VDC_ID}/catalog")
        @session
        def catalog(request: Request, _: re.Match[str]) -> Answer:
            return Answer.of(recorded("vdc_224_catalog"), XML)

        @route("GET", f"{V08}/catalogItem/5")
        @session
        def catalog_item(request: Request, _: re.Match[str]) -> Answer:
            return Answer.of(recorded("catalogItem_5"), XML)

        @route("POST", f"{V08}/vdc/{VDC_ID}/action/instantiateVAppTemplate")
        @session
        def instantiate(request: Request, _: re.Match[str]) -> Answer | None:
            if VAPP_ID in self.vapps or "instantiateVAppTemplateParams" not in \
                    request.headers.get("content-type", ""):
                return None  # the recording is of vApp 14031's making, once
            self.instantiated.append(ET.fromstring(request.body))
            self.vapps[VAPP_ID] = "0"
            return Answer.of(recorded("vdc_224_action_instantiateVAppTemplate"), XML)

        @route("GET", f"{V08}/vapp/(\\d+)")
        @session
        def vapp(request: Request, match: re.Match[str]) -> Answer:
            status = self.vapps.get(match.group(1))
            if status is None:
                return Answer.of(documented("error_404"), XML, 404)
            body = {"0": recorded("vdc_224_action_instantiateVAppTemplate"),
                    "2": documented("vapp_14031_off")}.get(status, recorded("vapp_14031_get"))
            return Answer.of(body, XML)

        @route("POST", f"{V08}/vapp/(\\d+)/(?:power/)?action/(\\w+)")
        @session
        def act(request: Request, match: re.Match[str]) -> Answer | None:
            vapp_id, action = match.groups()
            if action not in TASKS or request.path.endswith(f"power/action/{action}") == (
                    action == "deploy"):
                return None
            if self.before_action is not None:
                self.before_action()
            if vapp_id not in self.vapps:
                return Answer.of(documented("error_404"), XML, 404)
            if self.vapps[vapp_id] not in NEEDS[action]:
                return Answer.of(documented("error_400_state"), XML, 400)
            self.actions.append(action)
            task_id, status = TASKS[action]
            self.pending[task_id] = (vapp_id, status)
            name = {"deploy": "vapp_14031_action_deploy"}.get(
                action, f"vapp_14031_power_action_{action}")
            return Answer.of(recorded(name), XML, 202)

        @route("GET", f"{V08}/task/(\\d+)")
        @session
        def task(request: Request, match: re.Match[str]) -> Answer | None:
            task_id = match.group(1)
            if task_id in self.pending:
                self._finish(task_id)
            if task_id in ("10496", "11001"):
                return Answer.of(recorded(f"task_{task_id}"), XML)
            if task_id in ("10499", "10555"):
                return Answer.of(documented(f"task_{task_id}"), XML)
            return None

        @route("DELETE", f"{V08}/vapp/(\\d+)")
        @session
        def delete(request: Request, match: re.Match[str]) -> Answer:
            status = self.vapps.get(match.group(1))
            if status is None:
                return Answer.of(documented("error_404"), XML, 404)
            if status != "2":
                return Answer.of(documented("error_400_state"), XML, 400)
            del self.vapps[match.group(1)]
            self.actions.append("delete")
            return Answer(202, b"")

    def _vdc(self) -> bytes:
        """The recorded vDC, its ResourceEntities holding the vApps that exist now."""
        if VAPP_ID in self.vapps:
            return recorded("vdc_224")  # as recorded
        ET.register_namespace("", "http://www.vmware.com/vcloud/v0.8")
        root = ET.fromstring(recorded("vdc_224"))
        for entities in root.iter("{http://www.vmware.com/vcloud/v0.8}ResourceEntities"):
            for entity in list(entities):
                if entity.get("href", "").rsplit("/", 1)[-1] not in self.vapps:
                    entities.remove(entity)
        return ET.tostring(root, encoding="utf-8")
