"""Keys, volumes, snapshots, addresses, firewalls, load balancers and metrics, through
this server's HTTP API, against moto."""

from __future__ import annotations

import datetime
import uuid

from starlette.testclient import TestClient

from tests.drivers.ec2.test_compute import first_image, wait_state
from tests.helpers import ids, xml


def public_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def running_instance(ec2: TestClient) -> str:
    inst_id = xml(ec2.post("/api/instances", data={"image_id": first_image(ec2),
                                                   "hwp_id": "t3.micro",
                                                   "realm_id": "us-east-1a"})).get("id")
    wait_state(ec2, f"/api/instances/{inst_id}", "RUNNING")
    return inst_id


def test_keys(ec2: TestClient):
    name = unique("key")
    made = ec2.post("/api/keys", data={"name": name})
    assert made.status_code == 201
    key = xml(made)
    assert key.get("id") == name
    assert "PRIVATE KEY" in key.findtext("pem")
    assert key.findtext("fingerprint")
    shown = xml(ec2.get(f"/api/keys/{name}"))
    assert shown.find("pem") is None  # the private key shows once
    assert name in ids(xml(ec2.get("/api/keys")), "key")
    assert ec2.post("/api/keys", data={"name": name}).status_code == 409
    imported = unique("imported")
    assert ec2.post("/api/keys", data={"name": imported, "public_key": public_key()}
                    ).status_code == 201
    assert xml(ec2.get(f"/api/keys/{imported}")).find("pem") is None
    for n in (name, imported):
        assert ec2.delete(f"/api/keys/{n}").status_code == 204
        assert ec2.get(f"/api/keys/{n}").status_code == 404
    assert ec2.delete(f"/api/keys/{name}").status_code == 404


def test_volumes_and_snapshots(ec2: TestClient):
    inst_id = running_instance(ec2)
    made = ec2.post("/api/storage_volumes", data={"capacity": "3", "realm_id": "us-east-1a",
                                                  "name": "data"})
    assert made.status_code == 201, made.text
    vol = xml(made)
    vol_id = vol.get("id")
    assert vol.findtext("capacity") == "3"
    assert vol.findtext("name") == "data"
    assert vol.findtext("realm_id") == "us-east-1a"
    path = f"/api/storage_volumes/{vol_id}"
    wait_state(ec2, path, "AVAILABLE")
    assert [a.get("rel") for a in xml(ec2.get(path)).findall("actions/link")] == ["attach"]
    attached = ec2.post(f"{path}/attach", data={"instance_id": inst_id, "device": "/dev/sdf"})
    assert attached.status_code == 202, attached.text
    wait_state(ec2, path, "IN-USE")
    shown = xml(ec2.get(path))
    assert shown.find("mount/instance").get("id") == inst_id
    assert shown.findtext("device") == "/dev/sdf"
    inst = xml(ec2.get(f"/api/instances/{inst_id}"))
    assert vol_id in [v.get("id") for v in inst.findall("storage_volumes/storage_volume")]
    assert vol_id in ids(xml(ec2.get("/api/storage_volumes", params={"state": "IN-USE"})),
                         "storage_volume")

    snap = ec2.post("/api/storage_snapshots", data={"volume_id": vol_id, "name": "nightly",
                                                    "description": "backup"})
    assert snap.status_code == 201, snap.text
    snap_id = xml(snap).get("id")
    shown_snap = xml(ec2.get(f"/api/storage_snapshots/{snap_id}"))
    assert shown_snap.find("storage_volume").get("id") == vol_id
    assert shown_snap.findtext("description") == "backup"
    listed = xml(ec2.get("/api/storage_snapshots", params={"id": snap_id}))
    assert ids(listed, "storage_snapshot") == [snap_id]
    from_snap = ec2.post("/api/storage_volumes", data={"snapshot_id": snap_id,
                                                       "realm_id": "us-east-1b"})
    assert from_snap.status_code == 201
    assert ec2.delete(f"/api/storage_volumes/{xml(from_snap).get('id')}").status_code == 204
    assert ec2.delete(f"/api/storage_snapshots/{snap_id}").status_code == 204
    assert ec2.get(f"/api/storage_snapshots/{snap_id}").status_code == 404

    # Deleting an attached volume: the cloud refuses (EC2's VolumeInUse: a conflict).
    assert ec2.delete(path).status_code == 409
    assert ec2.post(f"{path}/detach").status_code == 202
    wait_state(ec2, path, "AVAILABLE")
    assert ec2.post(f"{path}/detach").status_code == 405
    assert ec2.delete(path).status_code == 204
    assert ec2.get(path).status_code == 404
    assert ec2.get("/api/storage_volumes/vol-0123456789abcdef0").status_code == 404
    ec2.delete(f"/api/instances/{inst_id}")


def test_addresses(ec2: TestClient):
    inst_id = running_instance(ec2)
    made = ec2.post("/api/addresses")
    assert made.status_code == 201
    ip = xml(made).get("id")
    path = f"/api/addresses/{ip}"
    assert ip in ids(xml(ec2.get("/api/addresses")), "address")
    assert xml(ec2.get(path)).find("instance") is None
    assert ec2.post(f"{path}/disassociate").status_code == 409
    associated = ec2.post(f"{path}/associate", data={"instance_id": inst_id})
    assert associated.status_code == 202, associated.text
    assert xml(ec2.get(path)).find("instance").get("id") == inst_id
    public = xml(ec2.get(f"/api/instances/{inst_id}")).findall("public_addresses/address")
    assert ip in [a.text for a in public]
    assert ec2.delete(path).status_code == 409
    assert ec2.post(f"{path}/disassociate").status_code == 202
    assert xml(ec2.get(path)).find("instance") is None
    assert ec2.post(f"{path}/associate", data={"instance_id": "i-0123456789abcdef0"}
                    ).status_code == 400
    assert ec2.delete(path).status_code == 204
    assert ec2.get(path).status_code == 404
    ec2.delete(f"/api/instances/{inst_id}")


def test_firewalls_and_rules(ec2: TestClient):
    name = unique("fw")
    made = ec2.post("/api/firewalls", data={"name": name, "description": "web servers"})
    assert made.status_code == 201, made.text
    fw = xml(made)
    fw_id = fw.get("id")
    assert fw.findtext("name") == name
    assert fw.findtext("description") == "web servers"
    path = f"/api/firewalls/{fw_id}"
    other = xml(ec2.post("/api/firewalls", data={"name": unique("fw"), "description": "x"}))
    added = ec2.post(f"{path}/rules", data={"protocol": "tcp", "port_from": "80",
                                            "port_to": "81", "ip_address1": "10.1.0.0/16",
                                            "ip_address2": "192.168.5.0/24"})
    assert added.status_code == 201, added.text
    group_rule = ec2.post(f"{path}/rules", data={"protocol": "udp", "port_from": "53",
                                                 "port_to": "53", "group1": other.get("id")})
    assert group_rule.status_code == 201, group_rule.text
    rules = xml(ec2.get(path)).findall("rules/rule")
    tcp = next(r for r in rules if r.findtext("allow_protocol") == "tcp")
    assert (tcp.findtext("port_from"), tcp.findtext("port_to")) == ("80", "81")
    assert sorted(s.get("address") for s in tcp.findall("sources/source")) == [
        "10.1.0.0", "192.168.5.0"]
    udp = next(r for r in rules if r.findtext("allow_protocol") == "udp")
    assert udp.find("sources/source").get("type") == "group"
    # An instance launched into the firewall names it.
    inst = xml(ec2.post("/api/instances", data={"image_id": first_image(ec2),
                                                "firewalls": fw_id}))
    assert [f.get("id") for f in inst.findall("firewalls/firewall")] == [fw_id]
    ec2.delete(f"/api/instances/{inst.get('id')}")

    deleted = ec2.delete(f"{path}/{tcp.get('id')}")
    assert deleted.status_code == 204, deleted.text
    left = xml(ec2.get(path)).findall("rules/rule")
    assert [r.findtext("allow_protocol") for r in left] == ["udp"]
    assert ec2.delete(f"{path}/{tcp.get('id')}").status_code == 404
    assert ec2.delete(f"{path}/{udp.get('id')}").status_code == 204
    assert ec2.delete(path).status_code == 204
    assert ec2.get(path).status_code == 404
    assert ec2.delete(f"/api/firewalls/{other.get('id')}").status_code == 204
    assert ec2.get("/api/firewalls/sg-0123456789abcdef0").status_code == 404


def test_load_balancers(ec2: TestClient):
    inst_id = running_instance(ec2)
    name = unique("lb")
    made = ec2.post("/api/load_balancers", data={
        "name": name, "realm_id": "us-east-1a", "listener_protocol": "HTTP",
        "listener_balancer_port": "80", "listener_instance_port": "8080"})
    assert made.status_code == 201, made.text
    lb = xml(made)
    assert lb.get("id") == name
    assert lb.find("realm").get("id") == "us-east-1a"
    listener = lb.find("listeners/listener")
    assert listener.get("protocol") == "HTTP"
    assert listener.findtext("load_balancer_port") == "80"
    assert listener.findtext("instance_port") == "8080"
    assert lb.findtext("public_addresses/address")
    path = f"/api/load_balancers/{name}"
    assert name in ids(xml(ec2.get("/api/load_balancers")), "load_balancer")
    registered = ec2.post(f"{path}/register", data={"instance_id": inst_id})
    assert registered.status_code == 200, registered.text
    assert [i.get("id") for i in xml(registered).findall("instances/instance")] == [inst_id]
    unregistered = ec2.post(f"{path}/unregister", data={"instance_id": inst_id})
    assert xml(unregistered).findall("instances/instance") == []
    assert ec2.delete(path).status_code == 204
    assert ec2.get(path).status_code == 404
    assert ec2.delete(path).status_code == 404
    ec2.delete(f"/api/instances/{inst_id}")


def test_metrics(ec2: TestClient, sdk):
    inst_id = running_instance(ec2)
    now = datetime.datetime.now(datetime.UTC)
    # moto has no EC2 figures of its own: put some as the hypervisor would.
    sdk("cloudwatch").put_metric_data(Namespace="AWS/EC2", MetricData=[
        {"MetricName": name, "Dimensions": [{"Name": "InstanceId", "Value": inst_id}],
         "Timestamp": now - datetime.timedelta(minutes=m), "Value": value, "Unit": unit}
        for name, value, unit in (("CPUUtilization", 42.0, "Percent"),
                                  ("NetworkIn", 1024.0, "Bytes"))
        for m in (1, 2)
    ])
    listed = xml(ec2.get("/api/metrics"))
    assert inst_id in ids(listed, "metric")
    metric = xml(ec2.get(f"/api/metrics/{inst_id}"))
    cpu = metric.find("properties/CPUUtilization")
    assert cpu is not None
    samples = cpu.findall("sample")
    assert samples
    values = {p.get("name"): p.get("value") for p in samples[0].findall("property")}
    assert float(values["average"]) == 42.0
    assert values["unit"] == "Percent"
    assert metric.find("properties/NetworkIn/sample") is not None
    assert ec2.get("/api/metrics/i-0123456789abcdef0").status_code == 404
    ec2.delete(f"/api/instances/{inst_id}")


def test_attach_with_an_empty_device_picks_a_free_one(ec2: TestClient, sdk):
    """The Ruby client sends `device=` when the user names none; EC2 itself needs one."""
    inst_id = running_instance(ec2)
    devices = []
    for _ in range(2):
        vol_id = xml(ec2.post("/api/storage_volumes", data={"capacity": "1",
                                                            "realm_id": "us-east-1a"})).get("id")
        wait_state(ec2, f"/api/storage_volumes/{vol_id}", "AVAILABLE")
        attached = ec2.post(f"/api/storage_volumes/{vol_id}/attach",
                            params={"instance_id": inst_id, "device": ""})
        assert attached.status_code == 202, attached.text
        wait_state(ec2, f"/api/storage_volumes/{vol_id}", "IN-USE")
        (attachment,) = sdk("ec2").describe_volumes(VolumeIds=[vol_id])["Volumes"][0][
            "Attachments"]
        devices.append(attachment["Device"])
    assert all(d.startswith("/dev/sd") for d in devices)
    assert devices[0] != devices[1]
    spare = xml(ec2.post("/api/storage_volumes", data={"capacity": "1",
                                                       "realm_id": "us-east-1a"})).get("id")
    wait_state(ec2, f"/api/storage_volumes/{spare}", "AVAILABLE")
    unknown = ec2.post(f"/api/storage_volumes/{spare}/attach",
                       params={"instance_id": "i-0123456789abcdef0", "device": ""})
    assert unknown.status_code == 400
    assert "instance_id" in xml(unknown).findtext("message", "")
    ec2.delete(f"/api/instances/{inst_id}")


def test_attach_snapshot_on_create(ec2: TestClient, sdk):
    vol_id = xml(ec2.post("/api/storage_volumes", data={"capacity": "2",
                                                        "realm_id": "us-east-1a"})).get("id")
    wait_state(ec2, f"/api/storage_volumes/{vol_id}", "AVAILABLE")
    snap_id = xml(ec2.post("/api/storage_snapshots", data={"volume_id": vol_id})).get("id")
    image = sdk("ec2").describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    made = ec2.post("/api/instances", data={"image_id": image, "snapshot_id": snap_id,
                                            "device_name": "/dev/sdh"})
    assert made.status_code == 201, made.text
    inst_id = xml(made).get("id")
    doc = sdk("ec2").describe_instances(InstanceIds=[inst_id])["Reservations"][0][
        "Instances"][0]
    mapped = {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in doc["BlockDeviceMappings"]}
    assert "/dev/sdh" in mapped
    volume = sdk("ec2").describe_volumes(VolumeIds=[mapped["/dev/sdh"]])["Volumes"][0]
    assert volume["SnapshotId"] == snap_id
    half = ec2.post("/api/instances", data={"image_id": image, "snapshot_id": snap_id})
    assert half.status_code == 400
    assert "device_name" in xml(half).findtext("message", "")
    ec2.delete(f"/api/instances/{inst_id}")
