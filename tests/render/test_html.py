"""The HTML interface: pages to browse, and forms a browser can post."""

import re

from starlette.testclient import TestClient

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
    created = browser.post("/api/instances?format=html",
                           data={"image_id": "img2", "name": "from-browser", "hwp_id": ""},
                           follow_redirects=False)
    assert created.status_code == 201
    assert "from-browser" in created.text
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
    created = browser.post("/api/keys", data={"name": "web"})
    assert created.status_code == 201
    assert "BEGIN RSA PRIVATE KEY" in created.text
    assert "BEGIN RSA PRIVATE KEY" not in browser.get("/api/keys/web").text


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
