"""Errors in the requested format, with the right status, and nothing echoed."""

import pytest
from starlette.testclient import TestClient

from tests.helpers import xml

AUTH = ("mockuser", "mockpassword")


def test_not_found_in_xml(client: TestClient) -> None:
    response = client.get("/api/instances/no-such-instance", auth=AUTH)
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "error"
    assert root.get("status") == "404"
    assert root.get("url") == "/api/instances/no-such-instance"
    backend = root.find("backend")
    assert backend is not None and backend.get("driver") == "mock"
    assert backend.get("provider") == "default"
    assert root.findtext("code") == "404"
    assert root.findtext("message")
    assert root.find("backtrace") is None
    assert root.find("request") is None


def test_not_found_in_json(client: TestClient) -> None:
    response = client.get("/api/instances/nope", auth=AUTH, headers={"Accept": "application/json"})
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == 404
    assert body["error"]["code"] == 404
    assert body["error"]["backend"] == {"driver": "mock", "provider": "default"}
    assert body["error"]["url"] == "/api/instances/nope"


def test_not_found_in_html(client: TestClient) -> None:
    response = client.get("/api/instances/nope?format=html", auth=AUTH)
    assert response.status_code == 404
    assert "<html" in response.text


@pytest.mark.parametrize(("probe", "status", "message"), [
    ("500", 500, "DeltacloudErrorMessage"),
    ("501", 501, "NotImplementedMessage"),
    ("502", 502, "ProviderErrorMessage"),
    ("504", 504, "ProviderTimeoutMessage"),
])
def test_mock_error_probes(client: TestClient, probe: str, status: int, message: str) -> None:
    response = client.get(f"/api/realms/{probe}", auth=AUTH)
    assert response.status_code == status
    assert xml(response).findtext("message") == message


def test_mock_error_probes_raise_a_new_error_each_time(tmp_path) -> None:
    """A shared exception would carry the last request's traceback (and credentials)."""
    from deltacloud.drivers.base import CallContext, Credentials, Settings
    from deltacloud.drivers.mock.driver import MockDriver
    from deltacloud.errors import BackendError

    driver = MockDriver(Settings(data_dir=tmp_path))
    ctx = CallContext(None, Credentials(*AUTH))
    raised = []
    for _ in range(2):
        with pytest.raises(BackendError) as caught:
            driver.realms(ctx, {"id": "502"})
        raised.append(caught.value)
    assert raised[0] is not raised[1]
    assert raised[0].__traceback__ is not raised[1].__traceback__


def test_unknown_path_and_unknown_collection_are_404(client: TestClient) -> None:
    assert client.get("/api/nonsense", auth=AUTH).status_code == 404
    assert client.get("/nothing/here").status_code == 404


def test_wrong_method_is_405(client: TestClient) -> None:
    response = client.put("/api/instances", auth=AUTH)
    assert response.status_code == 405
    assert xml(response).findtext("code") == "405"


def test_parameters_never_appear_in_error_bodies(client: TestClient) -> None:
    secret = "hunter2-secret-value"
    for response in (
        client.post("/api/instances", auth=AUTH, data={"image_id": secret}),
        client.post("/api/instances", auth=AUTH, data={"image_id": "img1", "hwp_id": secret}),
        client.post("/api/keys", auth=AUTH, data={"name": secret + "/x"}),
        client.post("/api/instances?format=json", auth=AUTH, data={"realm_id": secret}),
    ):
        assert 400 <= response.status_code < 500
        assert secret not in response.text
    missing = client.get(f"/api/instances/{secret}", auth=AUTH)
    assert secret not in (xml(missing).findtext("message") or "")


def test_malformed_bodies_are_400(client: TestClient) -> None:
    for content_type, body in (("application/json", b"{nope"), ("application/xml", b"<a><b>")):
        response = client.post("/api/instances", auth=AUTH, content=body,
                               headers={"Content-Type": content_type})
        assert response.status_code == 400


def test_oversized_parameter_body_is_413(client: TestClient) -> None:
    response = client.post("/api/keys", auth=AUTH, content=b"x" * (2 * 1024 * 1024),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
