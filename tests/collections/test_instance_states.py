from starlette.testclient import TestClient

from tests.helpers import xml


def test_the_mock_state_machine(api: TestClient) -> None:
    root = xml(api.get("/api/instance_states"))
    machine = {
        s.get("name"): [(t.get("action") or "auto", t.get("to")) for t in s.findall("transition")]
        for s in root.findall("state")
    }
    assert machine == {
        "start": [("create", "pending")],
        "pending": [("auto", "running")],
        "running": [("reboot", "running"), ("stop", "stopped")],
        "stopped": [("start", "running"), ("destroy", "finish")],
        "finish": [],
    }
    pending = root.find("state[@name='pending']/transition")
    assert pending is not None and pending.get("auto") == "true"


def test_json_is_a_list_of_states(api: TestClient) -> None:
    body = api.get("/api/instance_states?format=json").json()
    assert body[1] == {"name": "pending", "transitions": [{"to": "running", "auto": "true"}]}
