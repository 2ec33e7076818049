"""The HTML interface: pages to browse, and forms a browser can post."""

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from deltacloud.models import Instance
from tests.conftest import AUTH

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _browser(client: TestClient) -> TestClient:
    client.auth = AUTH
    client.headers.update(HTML)
    return client


def test_entry_point_links_every_collection(client: TestClient) -> None:
    page = _browser(client).get("/api").text
    for rel in ("instances", "images", "realms", "keys", "storage_volumes"):
        assert f'href="http://localhost:3001/api/{rel}?format=html"' in page


def test_every_page_offers_every_driver_in_its_switcher(client: TestClient) -> None:
    from deltacloud.drivers.registry import DRIVERS

    page = _browser(client).get("/api/images").text
    offered = re.findall(r"<option(?: selected)?>([a-z0-9_]+)</option>", page)
    assert offered == list(DRIVERS)
    assert "<option selected>mock</option>" in page


def test_index_and_show_pages(client: TestClient) -> None:
    browser = _browser(client)
    index = browser.get("/api/instances").text
    assert "inst0" in index and "Mock Instance With Profile Change" in index
    show = browser.get("/api/instances/inst1").text
    assert "MockUserInstance" in show
    assert 'action="http://localhost:3001/api/instances/inst1/stop?format=html"' in show


def test_launch_stop_and_destroy_an_instance_from_forms(client: TestClient) -> None:
    browser = _browser(client)
    form = browser.get("/api/instances/new?image_id=img2").text
    assert '<select id="f-image_id" name="image_id" required>' in form
    assert '<option value="img2" selected>img2 — Fedora 10</option>' in form
    assert "7680\u201315360 (default 10240)" in form  # the profiles' bounds, beside the form
    assert '<select id="f-realm_id" name="realm_id">' in form
    assert 'name="keyname"' in form and 'name="hwp_memory"' in form
    # A boolean is a checkbox that sends true, not a text field to type "true" into.
    assert '<input type="checkbox" id="f-metrics" name="metrics" value="true">' in form
    assert 'name="metrics" value="true" checked>' in browser.get(
        "/api/instances/new?metrics=true").text
    created = browser.post("/api/instances?format=html",
                           data={"image_id": "img2", "name": "from-browser", "hwp_id": ""},
                           follow_redirects=False)
    # A 303 to the new instance: the browser GETs it, and a reload posts nothing again.
    assert created.status_code == 303
    assert created.content == b""
    target = created.headers["location"]
    assert re.fullmatch(r"http://localhost:3001/api/instances/inst\d+", target)
    assert "from-browser" in browser.get(target).text
    stopped = browser.post("/api/instances/inst2/stop?format=html", follow_redirects=False)
    assert stopped.status_code == 303
    assert stopped.headers["location"] == "http://localhost:3001/api/instances/inst2"
    destroyed = browser.post("/api/instances/inst2?format=html", data={"_method": "delete"},
                             follow_redirects=False)
    assert destroyed.status_code == 303
    assert destroyed.headers["location"] == "http://localhost:3001/api/instances"
    assert browser.get("/api/instances/inst2").status_code == 404


def test_every_deletable_page_has_a_delete_button(client: TestClient) -> None:
    browser = _browser(client)
    for path in ("/api/keys/test-key", "/api/images/img3", "/api/storage_volumes/vol1",
                 "/api/storage_snapshots/snap1", "/api/buckets/bucket2",
                 "/api/buckets/bucket1/blob1"):
        page = browser.get(path).text
        assert '<input type="hidden" name="_method" value="delete">' in page, path


def test_bucket_page_offers_an_upload_form(client: TestClient) -> None:
    page = _browser(client).get("/api/buckets/bucket1").text
    assert 'enctype="multipart/form-data"' in page and 'name="blob_data"' in page
    assert 'href="http://localhost:3001/api/buckets/bucket1/blob1/content"' in page


def test_post_without_method_override_is_405(client: TestClient) -> None:
    assert _browser(client).post("/api/keys/test-key", data={}).status_code == 405


def test_key_page_shows_the_new_private_key_once(client: TestClient) -> None:
    browser = _browser(client)
    created = browser.post("/api/keys?format=html", data={"name": "web"},
                           follow_redirects=False)
    # Not redirected: the answer to the create is the only page that can show the key.
    assert created.status_code == 201
    assert created.headers["location"] == "http://localhost:3001/api/keys/web"
    assert "BEGIN RSA PRIVATE KEY" in created.text
    assert "BEGIN RSA PRIVATE KEY" not in browser.get("/api/keys/web").text


def test_an_imported_key_is_redirected_to(client: TestClient) -> None:
    """A key made from a given public key has no secret to show: its create redirects."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    public_key = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    imported = _browser(client).post("/api/keys?format=html",
                                     data={"name": "imported", "public_key": public_key},
                                     follow_redirects=False)
    assert imported.status_code == 303
    assert imported.headers["location"] == "http://localhost:3001/api/keys/imported"


def test_bucket_and_blob_creations_redirect_to_what_they_made(client: TestClient) -> None:
    browser = _browser(client)
    bucket = browser.post("/api/buckets?format=html", data={"name": "photos"},
                          follow_redirects=False)
    assert bucket.status_code == 303
    assert bucket.headers["location"] == "http://localhost:3001/api/buckets/photos"
    blob = browser.post("/api/buckets/photos?format=html",
                        data={"blob_id": "2024/sea shore.txt", "meta_params": "1",
                              "meta_name1": "place", "meta_value1": "Brittany"},
                        files={"blob_data": ("sea.txt", b"waves\n", "text/plain")},
                        follow_redirects=False)
    assert blob.status_code == 303
    assert blob.headers["location"] == (
        "http://localhost:3001/api/buckets/photos/2024%2Fsea%20shore.txt")
    page = browser.get(blob.headers["location"])
    assert page.status_code == 200 and "Brittany" in page.text
    assert browser.get(blob.headers["location"] + "/content").content == b"waves\n"


def test_several_instances_made_at_once_redirect_to_the_list(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cloud that makes several instances from one create (ec2's instance_count) answers
    with no one Location: the browser goes to the list."""
    from deltacloud.drivers.mock.driver import MockDriver

    make_one = MockDriver.create_instance

    def make_two(self: MockDriver, ctx: Any, params: Any) -> list[Instance]:
        return [make_one(self, ctx, params), make_one(self, ctx, params)]

    monkeypatch.setattr(MockDriver, "create_instance", make_two)
    browser = _browser(client)
    made = browser.post("/api/instances?format=html", data={"image_id": "img1", "name": "two"},
                        follow_redirects=False)
    assert made.status_code == 303
    assert made.headers["location"] == "http://localhost:3001/api/instances"
    assert browser.get(made.headers["location"]).text.count(">two</td>") == 2


def test_api_clients_still_get_201_with_the_new_resource(client: TestClient) -> None:
    client.auth = AUTH
    for accept in ("application/xml", "application/json"):
        made = client.post("/api/instances", data={"image_id": "img1"},
                           headers={"Accept": accept}, follow_redirects=False)
        assert made.status_code == 201
        assert re.fullmatch(r"http://localhost:3001/api/instances/inst\d+",
                            made.headers["location"])
        assert made.headers["content-type"].startswith(accept)


def test_shown_once_is_what_a_create_answer_alone_holds() -> None:
    from deltacloud.models import Key
    from deltacloud.server.api import shown_once

    def inst(password: str | None) -> Instance:
        return Instance("i1", "i1", "me", "img1", "us", "RUNNING", "m1-small",
                        password=password)

    assert shown_once(Key("k", pem_rsa_key="-----BEGIN RSA PRIVATE KEY-----"))
    assert not shown_once(Key("k", fingerprint="aa:bb"))
    assert shown_once(inst("s3cret")) and not shown_once(inst(None))
    # Several instances made at once: the page lists them if any has a password.
    assert shown_once([inst(None), inst("s3cret")])
    assert not shown_once([inst(None), inst(None)])


def test_error_page(client: TestClient) -> None:
    response = _browser(client).get("/api/images/nope")
    assert response.status_code == 404
    assert "<html" in response.text and "not found" in response.text.lower()


def test_html_escapes_values(client: TestClient) -> None:
    browser = _browser(client)
    browser.post("/api/instances", data={"image_id": "img1", "name": "<script>x</script>"})
    page = browser.get("/api/instances").text
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_driver_switcher_and_state_pages(client: TestClient) -> None:
    browser = _browser(client)
    assert 'name="driver"' in browser.get("/api").text
    assert "automatically" in browser.get("/api/instance_states").text
    assert "Mock" in browser.get("/api/drivers").text
