"""The Python client against the real deltacloudd (mock driver) over loopback."""

from __future__ import annotations

import pytest

from deltacloud.client import (
    APIError,
    BadRequest,
    Client,
    ConnectionFailed,
    Instance,
    MethodNotAllowed,
    NotFound,
    ServerError,
    Unauthorized,
    WaitTimeout,
)
from tests.process import Server, free_port


def test_the_entry_point_and_the_drivers_need_no_credentials(server: Server) -> None:
    with Client(server.url) as anonymous:
        entry = anonymous.api()
        assert entry.driver == "mock" and entry.version
        assert "instances" in entry.collections and "buckets" in entry.collections
        assert "authentication_key" in entry.collections["instances"]
        drivers = {d.id: d for d in anonymous.drivers.list()}
        assert {"mock", "ec2", "openstack"} <= set(drivers)
        assert anonymous.drivers.get("ec2").name == drivers["ec2"].name
        assert [p.id for p in drivers["ec2"].providers][:1]
        with pytest.raises(Unauthorized) as refused:
            anonymous.instances.list()
        assert refused.value.status == 401


def test_wrong_credentials_are_unauthorized_with_the_servers_message(server: Server) -> None:
    with Client(server.url, "mockuser", "not-the-password") as dc:
        with pytest.raises(Unauthorized) as refused:
            dc.api(check_credentials=True)
        assert refused.value.status == 401 and refused.value.code == 401
        assert "not-the-password" not in str(refused.value)
        assert "not-the-password" not in repr(refused.value.__dict__)


def test_lists_shows_and_filters(dc: Client) -> None:
    assert {r.id for r in dc.realms.list()} == {"us", "eu"}
    assert dc.realms.get("eu").name == "Europe"
    images = dc.images.list()
    assert {"img1", "img2", "img3"} <= {i.id for i in images}
    x86 = dc.images.list(architecture="x86_64")
    assert x86 and all(i.architecture == "x86_64" for i in x86)
    assert len(x86) < len(images)
    profile = dc.hardware_profiles.get("m1-small")
    assert profile.properties["architecture"] == "i386"
    assert [i.id for i in dc.instances.list(id="inst1")] == ["inst1"]
    in_eu = dc.instances.list(realm_id="eu")
    assert in_eu and all(i.realm_id == "eu" for i in in_eu)
    assert {v.id for v in dc.storage_volumes.list()} >= {"vol1", "vol2", "vol3"}
    assert dc.storage_snapshots.get("snap1").storage_volume_id == "vol1"
    assert len(dc.addresses.list()) == 4
    assert {m.id for m in dc.metrics.list()} >= {"inst0"}
    states = {s.name: s for s in dc.instance_states()}
    assert any(t.automatic for t in states["pending"].transitions)
    assert {t.action for t in states["running"].transitions} == {"reboot", "stop"}


def test_an_instances_life_cycle(dc: Client) -> None:
    made = dc.instances.create("img1", hwp_id="m1-small", realm_id="eu", name="web1")
    assert isinstance(made, Instance)
    assert made.state == "PENDING"  # the test server keeps new instances pending a moment
    seen: list[str] = []
    running = dc.instances.wait(made.id, "running", timeout=30, interval=0.05,
                                on_poll=lambda i: seen.append(i.state))
    assert running.state == "RUNNING" and seen[-1] == "RUNNING"
    assert (running.name, running.realm_id, running.hardware_profile_id) == (
        "web1", "eu", "m1-small")
    assert {"stop", "reboot"} <= set(running.actions)
    assert [i.id for i in dc.instances.list(state="RUNNING") if i.id == made.id] == [made.id]
    assert dc.instances.reboot(made.id).state == "RUNNING"
    stopped = dc.instances.stop(made.id)
    assert stopped.state == "STOPPED" and "start" in stopped.actions
    assert made.id in {i.id for i in dc.instances.list(state="STOPPED")}
    assert dc.instances.start(made.id).state == "RUNNING"
    dc.instances.stop(made.id)
    dc.instances.destroy(made.id)
    dc.instances.wait_gone(made.id, timeout=30, interval=0.05)
    with pytest.raises(NotFound):
        dc.instances.get(made.id)


def test_errors_carry_status_code_message_and_backend(dc: Client) -> None:
    with pytest.raises(NotFound) as missing:
        dc.instances.get("no-such-instance")
    assert (missing.value.status, missing.value.code) == (404, 404)
    assert missing.value.message == "Instance not found"
    assert missing.value.driver == "mock" and missing.value.url == "/api/instances/no-such-instance"
    # Running instances cannot be started: 405 naming the state.
    with pytest.raises(MethodNotAllowed) as refused:
        dc.instances.start("inst1")
    assert refused.value.status == 405 and "RUNNING" in refused.value.message
    with pytest.raises(BadRequest) as bad:
        dc.instances.create("no-such-image")
    assert bad.value.status == 400 and "image_id" in bad.value.message
    # The mock fails on purpose for these realms.
    with pytest.raises(ServerError) as failing:
        dc.realms.get("502")
    assert failing.value.status == 502
    # A collection this driver lacks.
    with pytest.raises(NotFound):
        dc.firewalls.list()
    assert all(issubclass(k, APIError) for k in (NotFound, MethodNotAllowed, ServerError))


def test_waiting_gives_up_with_the_last_state(dc: Client) -> None:
    with pytest.raises(WaitTimeout) as gave_up:
        dc.instances.wait("inst1", "STOPPED", timeout=0.2, interval=0.05)
    assert gave_up.value.last_state == "RUNNING"


def test_keys_volumes_and_addresses(dc: Client) -> None:
    made = dc.keys.create("mine")
    assert made.pem_rsa_key and "PRIVATE KEY" in made.pem_rsa_key
    assert "PRIVATE" not in repr(made)  # secrets stay out of reprs
    assert dc.keys.get("mine").id == "mine"
    dc.keys.delete("mine")
    with pytest.raises(NotFound):
        dc.keys.get("mine")
    volume = dc.storage_volumes.create(capacity=2, realm_id="us", name="data")
    attached = dc.storage_volumes.attach(volume.id, "inst1")
    assert attached.instance_id == "inst1" and attached.device
    snapshot = dc.storage_snapshots.create(volume.id, name="before")
    assert snapshot.storage_volume_id == volume.id
    assert dc.storage_volumes.detach(volume.id).instance_id is None
    address = dc.addresses.associate("192.168.0.2", "inst1")
    assert address.instance_id == "inst1"
    assert dc.addresses.disassociate("192.168.0.2").associated is False


def test_driver_and_provider_per_client_and_per_call(dc: Client, server: Server) -> None:
    assert dc.backend.driver is None
    with pytest.raises(APIError) as unknown:
        dc.using(driver="nosuchdriver").realms.list()
    assert 400 <= unknown.value.status < 500 and "mock" in unknown.value.message
    eu = dc.using(provider="eu-west-1")
    assert eu.api().provider == "eu-west-1"
    assert dc.api().provider == "default"  # the original client is unchanged
    with Client(server.url, "mockuser", "mockpassword", driver="mock",
                provider="somewhere") as pinned:
        assert pinned.api().provider == "somewhere"


def test_credentials_in_the_url_become_basic_auth(server: Server) -> None:
    url = server.url.replace("http://", "http://mockuser:mockpassword@")
    with Client(url) as dc:
        assert "mockpassword" not in dc.url
        assert dc.realms.get("us").id == "us"


def test_an_unreachable_server_is_a_connection_failure() -> None:
    with Client(f"http://127.0.0.1:{free_port()}/api", timeout=5) as dc, \
            pytest.raises(ConnectionFailed):
        dc.realms.list()
