"""The real deltacloudd process over loopback: start, options, restart, crash."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx2 as httpx

from tests.process import DELTACLOUDD, Server, free_port

AUTH = ("mockuser", "mockpassword")


def test_serves_the_api_and_keeps_mock_data_across_restarts(tmp_path: Path) -> None:
    with Server(tmp_path, "-i", "mock") as server:
        api = ET.fromstring(httpx.get(server.url).content)
        assert api.get("driver") == "mock"
        created = httpx.post(f"{server.url}/keys", data={"name": "kept"}, auth=AUTH)
        assert created.status_code == 201
        assert httpx.post(f"{server.url}/instances/inst2/stop", auth=AUTH).status_code == 202
    with Server(tmp_path) as server:
        assert httpx.get(f"{server.url}/keys/kept", auth=AUTH).status_code == 200
        inst = ET.fromstring(httpx.get(f"{server.url}/instances/inst2", auth=AUTH).content)
        assert inst.findtext("state") == "STOPPED"


def test_every_answered_write_survives_kill_9(tmp_path: Path) -> None:
    """Writers run until the kill; each key whose create was answered must be there after."""
    answered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    server = Server(tmp_path).start()

    def writer(n: int) -> None:
        with httpx.Client(auth=AUTH, timeout=5) as client:
            for i in range(10_000):
                if stop.is_set():
                    return
                name = f"k{n}-{i}"
                try:
                    response = client.post(f"{server.url}/keys",
                                           data={"name": name, "public_key": PUBLIC_KEY})
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    with lock:
                        answered.append(name)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(answered) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()
    stop.set()
    for t in threads:
        t.join(10)
    with Server(tmp_path) as again:
        keys = ET.fromstring(httpx.get(f"{again.url}/keys", auth=AUTH).content)
        present = {k.get("id") for k in keys.findall("key")}
        assert set(answered) <= present
        for key in keys.findall("key"):
            assert key.findtext("fingerprint"), "a half-made key"


def test_per_user_data(tmp_path: Path) -> None:
    env = {"DELTACLOUD_MOCK_USERS": "alice:wonderland"}
    with Server(tmp_path, env=env) as server:
        alice = ("alice", "wonderland")
        assert httpx.post(f"{server.url}/keys", data={"name": "alices"},
                          auth=alice).status_code == 201
        assert httpx.get(f"{server.url}/keys/alices", auth=alice).status_code == 200
        assert httpx.get(f"{server.url}/keys/alices", auth=AUTH).status_code == 404
        inst = ET.fromstring(httpx.get(f"{server.url}/instances/inst0", auth=alice).content)
        assert inst.findtext("owner_id") == "alice"


def test_passwords_reach_no_file_and_no_log(tmp_path: Path) -> None:
    secret = "Zq7-only-in-this-test"
    env = {"DELTACLOUD_MOCK_USERS": f"carol:{secret}"}
    server = Server(tmp_path / "data", "-V", env=env).start()
    httpx.post(f"{server.url}/keys", data={"name": "c"}, auth=("carol", secret))
    httpx.get(f"{server.url}/instances", auth=("carol", secret + "x"))
    httpx.get(f"{server.url}/instances?password={secret}", auth=("carol", secret))
    output = server.stop()
    assert "GET /api/instances" in output  # -V logs requests...
    assert secret not in output  # ...but never credentials or query strings
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_unknown_driver_exits_non_zero() -> None:
    result = subprocess.run([DELTACLOUDD, "-i", "nosuch", "-p", str(free_port())],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "unknown driver" in result.stderr and "mock" in result.stderr


def test_a_bad_mock_setting_stops_the_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [DELTACLOUDD, "-i", "mock", "-r", "127.0.0.1", "-p", str(free_port()),
         "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=30,
        env={**os.environ, "DELTACLOUD_MOCK_PENDING_SECONDS": "soon"})
    assert result.returncode == 2
    assert "DELTACLOUD_MOCK_PENDING_SECONDS" in result.stderr
    assert "Traceback" not in result.stderr


def test_taken_port_exits_non_zero(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [DELTACLOUDD, "-r", "127.0.0.1", "-p", str(port), "--data-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "in use" in result.stderr


def test_list_drivers_and_help() -> None:
    listed = subprocess.run([DELTACLOUDD, "-l"], capture_output=True, text=True, timeout=30)
    assert listed.returncode == 0 and "mock" in listed.stdout.split()
    helped = subprocess.run([DELTACLOUDD, "-h"], capture_output=True, text=True, timeout=30)
    assert helped.returncode == 0
    for option in ("-i", "-p", "-r", "-P", "-l", "-V"):
        assert option in helped.stdout


def test_environment_chooses_driver_and_provider(tmp_path: Path) -> None:
    env = {"API_DRIVER": "mock", "API_PROVIDER": "eu-central"}
    with Server(tmp_path, env=env) as server:
        response = httpx.get(server.url)
        assert response.headers["x-deltacloud-provider"] == "eu-central"


PUBLIC_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test@host"
)


def _session_members(session: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_workers_share_the_port_and_stop_together(tmp_path: Path) -> None:
    server = Server(tmp_path, "-w", "3").start()
    assert server.proc is not None
    session = server.proc.pid
    assert len(_session_members(session)) == 4  # the supervisor and three workers
    with httpx.Client(auth=AUTH) as client:
        for _ in range(20):
            assert client.get(f"{server.url}/realms").status_code == 200
    server.stop()
    deadline = time.monotonic() + 10
    while _session_members(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_members(session) == []
