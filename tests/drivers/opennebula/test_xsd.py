"""The fake oned is wire-faithful: every document it answers, in every VM state the driver
meets, validates against OpenNebula 7.3's own XSDs, and its failures have oned's shape.
(Besides, conftest.py validates every answer of every test.)"""

from __future__ import annotations

import xmlrpc.client

import pytest

from tests.drivers.opennebula import xsd
from tests.drivers.opennebula.fake_oned import ACTION, AUTHENTICATION, NO_EXISTS, FakeOned

SESSION = "alice:alice-pw"


@pytest.fixture
def schemas() -> None:
    reason = xsd.missing()
    if reason:
        pytest.skip(reason)


def _answer(fake: FakeOned, method: str, *params: object) -> str:
    ok, document, code = fake.dispatch(method, (SESSION, *params))[:3]
    assert ok is True and code == 0, document
    assert isinstance(document, str)
    return document


def test_every_answer_in_every_state_validates(fake: FakeOned, schemas: None) -> None:
    fake.validator = None  # validated here, one by one
    fake.add_running_vms(2)
    vm = fake.dispatch("one.template.instantiate", (SESSION, 0, "web", False,
                                                    'SCHED_REQUIREMENTS = "CLUSTER_ID = 0"'))[1]
    reached = set()
    for step in ("pending", "prolog", "boot", "running", "poweroff", "shutdown_poweroff",
                 "poweroff", "resume", "running", "terminate", "shutdown", "epilog", "done"):
        if step in ("poweroff", "resume", "terminate") and step not in reached:
            fake.dispatch("one.vm.action", (SESSION, step, vm))
        elif step not in ("pending",):
            fake.clock.advance(1)  # type: ignore[attr-defined]
        reached.add(step)
        xsd.validate("one.vm.info", _answer(fake, "one.vm.info", vm))
        xsd.validate("one.vmpool.infoextended",
                     _answer(fake, "one.vmpool.infoextended", -2, -1, -1, -2))
    assert fake.vm_state(vm)[0] == "DONE"
    for method, params in (("one.templatepool.info", (-2, -1, -1)),
                           ("one.template.info", (0,)), ("one.template.info", (1,)),
                           ("one.clusterpool.info", ()), ("one.cluster.info", (100,)),
                           ("one.hostpool.info", ()), ("one.imagepool.info", (-2, -1, -1))):
        xsd.validate(method, _answer(fake, method, *params))


def test_the_proof_bites(fake: FakeOned, schemas: None) -> None:
    """A document that breaks the schema is refused: the check is not a formality."""
    fake.add_running_vms(1)
    document = _answer(fake, "one.vm.info", 0)
    xsd.validate("one.vm.info", document)
    for broken in (document.replace("<TM_MAD_SYSTEM>", "<TM_MAD_SYSTEMS>").replace(
                       "</TM_MAD_SYSTEM>", "</TM_MAD_SYSTEMS>"),
                   document.replace("<STATE>3</STATE>", "<STATE>running</STATE>"),
                   document.replace("<BACKUPS>", "<BACKUPS><BOGUS/>", 1)):
        with pytest.raises(AssertionError, match=r"breaks vm\.xsd"):
            xsd.validate("one.vm.info", broken)
    hosts = _answer(fake, "one.hostpool.info")
    with pytest.raises(AssertionError):
        xsd.validate("one.hostpool.info", hosts.replace("<VMS_THREAD>1</VMS_THREAD>", ""))


def test_failures_have_oned_s_shape_over_the_wire(fake: FakeOned) -> None:
    with fake.serve() as url:
        oned = xmlrpc.client.ServerProxy(url)
        assert oned.one.vm.info("alice:nope", 0) == [
            False, "[one.vm.info] User couldn't be authenticated, aborting call.",
            AUTHENTICATION, -1]
        assert oned.one.vm.info(SESSION, 7) == [
            False, "[one.vm.info] Error getting virtual machine [7].", NO_EXISTS, 7]
        vm = oned.one.template.instantiate(SESSION, 0, "", False, "")
        assert vm[:1] == [True] and vm[2] == 0
        fake.settle()
        assert oned.one.vm.action(SESSION, "resume", vm[1]) == [
            False, '[one.vm.action] Error performing action "resume": This action is not '
                   "available for state RUNNING", ACTION, vm[1]]
        with pytest.raises(xmlrpc.client.Fault):
            oned.one.nothing.here(SESSION)
