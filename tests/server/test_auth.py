"""HTTP Basic credentials, asked for only where the operation needs them."""

import base64

import pytest
from starlette.testclient import TestClient

from tests.helpers import xml

NEEDS_CREDENTIALS = ["/api/instances", "/api/images", "/api/realms", "/api/keys",
                     "/api/storage_volumes", "/api/storage_snapshots", "/api/instances/inst1"]
PUBLIC = ["/api", "/api/drivers", "/api/drivers/mock", "/api/hardware_profiles",
          "/api/hardware_profiles/m1-small", "/api/instance_states"]


@pytest.mark.parametrize("path", NEEDS_CREDENTIALS)
def test_missing_credentials_give_401_with_a_challenge(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Basic realm="')
    assert xml(response).findtext("code") == "401"


@pytest.mark.parametrize("path", PUBLIC)
def test_public_collections_answer_without_credentials(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_wrong_password_is_401_and_never_echoed(client: TestClient) -> None:
    response = client.get("/api/instances", auth=("mockuser", "s3cr3t-Pa55"))
    assert response.status_code == 401
    assert "s3cr3t-Pa55" not in response.text
    assert "mockuser" not in response.text


def test_unknown_user_is_401(client: TestClient) -> None:
    assert client.get("/api/instances", auth=("nobody", "mockpassword")).status_code == 401


@pytest.mark.parametrize("header", [
    "Bearer abc",
    "Basic !!!notbase64",
    "Basic " + base64.b64encode(b"no-colon").decode(),
])
def test_malformed_authorization_is_401(client: TestClient, header: str) -> None:
    response = client.get("/api/instances", headers={"Authorization": header})
    assert response.status_code == 401


def test_password_may_contain_colons(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path) -> None:
    from deltacloud.server.app import DeltacloudApp
    from deltacloud.settings import Settings

    monkeypatch.setenv("DELTACLOUD_MOCK_USERS", "alice:pa:ss")
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path / "other", driver="mock"))
    with TestClient(app) as other:
        assert other.get("/api/realms", auth=("alice", "pa:ss")).status_code == 200
        assert other.get("/api/realms", auth=("alice", "pa")).status_code == 401
