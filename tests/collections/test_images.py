from starlette.testclient import TestClient

from tests.helpers import actions, ids, xml


def test_index_and_show(api: TestClient) -> None:
    root = xml(api.get("/api/images"))
    assert ids(root, "image") == ["img1", "img2", "img3"]
    img1 = xml(api.get("/api/images/img1"))
    assert img1.findtext("description") == "Fedora 10"
    assert img1.findtext("architecture") == "x86_64"
    assert ids(img1, "hardware_profiles/hardware_profile") == [
        "m1-small", "m1-large", "m1-xlarge", "opaque"]
    assert actions(img1) == ["create_instance", "destroy_image"]
    assert api.get("/api/images/nope").status_code == 404


def test_filters(api: TestClient) -> None:
    assert ids(xml(api.get("/api/images?owner_id=self")), "image") == ["img3"]
    assert ids(xml(api.get("/api/images?owner_id=fedoraproject")), "image") == ["img1", "img2"]
    assert ids(xml(api.get("/api/images?architecture=i386")), "image") == ["img2", "img3"]
    assert ids(xml(api.get("/api/images?id=img2")), "image") == ["img2"]


def test_create_from_an_instance_and_delete(api: TestClient) -> None:
    response = api.post("/api/images", data={"instance_id": "inst1", "name": "golden",
                                             "description": "made from inst1"})
    assert response.status_code == 201
    assert response.headers["location"] == "http://localhost:3001/api/images/golden"
    image = xml(response)
    assert image.get("id") == "golden"
    assert image.findtext("owner_id") == "mockuser"
    assert image.findtext("description") == "made from inst1"
    assert "golden" in ids(xml(api.get("/api/images?owner_id=self")), "image")
    assert api.post("/api/images", data={"instance_id": "inst1", "name": "golden"}
                    ).status_code == 409
    assert api.delete("/api/images/golden").status_code == 204
    assert api.get("/api/images/golden").status_code == 404


def test_create_via_matrix_link_as_the_instance_advertises(api: TestClient) -> None:
    link = xml(api.get("/api/instances/inst0")).find("actions/link[@rel='create_image']")
    assert link is not None
    response = api.post(link.get("href", ""))
    assert response.status_code == 201
    assert xml(response).findtext("architecture") == "x86_64"


def test_create_refusals(api: TestClient) -> None:
    assert api.post("/api/images", data={}).status_code == 400
    assert api.post("/api/images", data={"instance_id": "nope"}).status_code == 400
    # inst3 cannot be imaged (create_image is false for it)
    assert api.post("/api/images", data={"instance_id": "inst3"}).status_code == 405
    assert len(xml(api.get("/api/images")).findall("image")) == 3


def test_only_the_owner_deletes(api: TestClient) -> None:
    assert api.delete("/api/images/img1").status_code == 403
    assert api.delete("/api/images/nope").status_code == 404
    assert api.get("/api/images/img1").status_code == 200
