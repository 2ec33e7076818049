from starlette.testclient import TestClient

from tests.helpers import ids, xml

PUBLIC_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test@host"
)


def test_index_and_show(api: TestClient) -> None:
    assert ids(xml(api.get("/api/keys")), "key") == ["test-key"]
    key = xml(api.get("/api/keys/test-key"))
    assert key.get("type") == "key"
    assert key.findtext("name") == "test-key"
    assert key.findtext("fingerprint", "").count(":") == 19
    # The seed key's private half is mock data, shown as Deltacloud's mock showed it.
    assert (key.findtext("pem") or "").startswith("-----BEGIN RSA PRIVATE KEY-----")


def test_create_returns_the_private_key_once(api: TestClient) -> None:
    response = api.post("/api/keys", data={"name": "mykey"})
    assert response.status_code == 201
    assert response.headers["location"] == "http://localhost:3001/api/keys/mykey"
    created = xml(response)
    pem = created.findtext("pem") or ""
    assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    assert load_pem_private_key(pem.encode(), password=None).key_size == 2048
    shown = xml(api.get("/api/keys/mykey"))
    assert shown.find("pem") is None
    assert shown.findtext("fingerprint") == created.findtext("fingerprint")
    listed = api.get("/api/keys?format=json")
    assert pem.splitlines()[1] not in listed.text
    mine = next(k for k in listed.json()["keys"] if k["id"] == "mykey")
    assert "pem_rsa_key" in mine and mine["pem_rsa_key"] is None


def test_import_a_public_key(api: TestClient) -> None:
    response = api.post("/api/keys", data={"name": "imported", "public_key": PUBLIC_KEY})
    assert response.status_code == 201
    key = xml(response)
    assert key.find("pem") is None
    assert key.findtext("fingerprint", "").count(":") == 15  # MD5, as EC2 shows imports
    bad = api.post("/api/keys", data={"name": "bad", "public_key": "ssh-rsa nonsense"})
    assert bad.status_code == 400
    assert api.get("/api/keys/bad").status_code == 404


def test_create_refusals(api: TestClient) -> None:
    assert api.post("/api/keys", data={}).status_code == 400
    assert api.post("/api/keys", data={"name": "test-key"}).status_code == 409
    assert api.post("/api/keys", data={"name": "a/b"}).status_code == 400


def test_create_from_json_body(api: TestClient) -> None:
    response = api.post("/api/keys?format=json", json={"key": {"name": "jsonkey"}})
    assert response.status_code == 201
    assert response.json()["key"]["pem_rsa_key"].startswith("-----BEGIN")


def test_delete(api: TestClient) -> None:
    assert api.delete("/api/keys/test-key").status_code == 204
    assert api.get("/api/keys/test-key").status_code == 404
    assert api.delete("/api/keys/test-key").status_code == 404
