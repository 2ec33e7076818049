"""The HTML interface in a real browser: Debian's headless Chromium, driven by Selenium
through Debian's chromedriver, against a real deltacloudd (mock driver) on loopback.

Logging in: the first page is opened at a URL that carries the credentials
(`http://mockuser:mockpassword@127.0.0.1:PORT/api/instances`). The server answers it with
a 401 challenge, Chromium answers that with the URL's credentials and keeps them for the
realm, and sends them with every later request to the server: links, form posts and the
download, as it would after a person typed them into its login dialog. No extension and
no DevTools command is needed.

Every step waits for what the page must show next (an element, a title, a file), with
WebDriverWait's bound only as a cap: nothing sleeps, nothing asserts a duration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.process import Server
from tests.requirements import backend_missing

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 30  # seconds: the most any step may wait for its page, never a measure
USER, PASSWORD = "mockuser", "mockpassword"
# Every byte value, text that is not ASCII, a CR LF: bytes the upload must keep as they are.
PAYLOAD = bytes(range(256)) * 64 + "Brest, Saint-Malo \u2014 \u00e9t\u00e9\r\n".encode()

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoSuchElementException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # the browser fixture says what is missing
    webdriver = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("data"), "-i", "mock", "-w", "1") as running:
        yield running


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(server: Server, downloads: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    if webdriver is None:
        backend_missing("selenium is not installed (pip install '.[test]')")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            backend_missing(f"{path} not found: the browser tests need Debian's chromium and "
                            "chromium-driver (.ci/backends/browser.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-sync", "--disable-background-networking",
                "--disable-component-update", "--window-size=1280,1000",
                f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    # A driver path given: Selenium Manager is skipped, nothing is downloaded.
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    try:
        driver = webdriver.Chrome(options=options, service=service)
    except Exception as exc:  # a browser that is there but will not start is a failure
        pytest.fail(f"Chromium did not start under chromedriver: {exc}")
    try:
        # Log in: the credentials in the first URL answer the server's 401 challenge.
        base = server.url.replace("http://", f"http://{USER}:{PASSWORD}@")
        driver.get(f"{base}/instances?format=html")
        heading(driver, "Instances")
        yield driver
    finally:
        driver.quit()


# -- what a page shows ------------------------------------------------------------


def wait(driver: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, WAIT)


def heading(driver: WebDriver, title: str) -> None:
    """Wait until the page is the one titled `title`."""
    try:
        wait(driver).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), title))
    except TimeoutException:
        shown = [h.text for h in driver.find_elements(By.TAG_NAME, "h1")]
        raise AssertionError(f"wanted the page {title!r}; {driver.current_url} shows "
                             f"{shown}") from None
    assert driver.find_element(By.TAG_NAME, "h1").text == title
    assert driver.title == title


def field(driver: WebDriver, name: str) -> str:
    """The value shown beside `name` on a resource's page."""
    return driver.find_element(By.XPATH, f"//dt[normalize-space()='{name}']"
                                         "/following-sibling::dd[1]").text


def button(driver: WebDriver, label: str) -> WebElement:
    return driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']")


def submit(driver: WebDriver, element: WebElement, *, confirm: bool = False) -> None:
    """Click a submit button and wait for the page it leads to (the old one gone)."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    if confirm:
        alert = wait(driver).until(ec.alert_is_present())
        assert alert.text.startswith("Really ")
        alert.accept()
    wait(driver).until(ec.staleness_of(page))
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")


def navigation(driver: WebDriver) -> dict[str, Any]:
    """How the browser came to the current page (the Navigation Timing entry)."""
    entry: dict[str, Any] = driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "return {type: n.type, redirectCount: n.redirectCount};")
    return entry


def listed_ids(driver: WebDriver) -> list[str]:
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child a")]


# -- the tests --------------------------------------------------------------------


def test_credentials_are_needed_and_the_browser_sends_them(server: Server,
                                                           browser: WebDriver) -> None:
    anonymous = httpx.get(f"{server.url}/instances?format=html")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Basic realm=")
    # The browser, logged in, sees the list without credentials in the URL.
    browser.get(f"{server.url}/instances?format=html")
    heading(browser, "Instances")
    assert "inst0" in listed_ids(browser)
    assert "driver: mock" in browser.find_element(By.TAG_NAME, "header").text


def test_create_stop_and_destroy_an_instance(server: Server, browser: WebDriver) -> None:
    browser.get(f"{server.url}/instances?format=html")
    heading(browser, "Instances")
    before = listed_ids(browser)

    submit(browser, browser.find_element(By.LINK_TEXT, "New…"))
    heading(browser, "Launch an instance")
    Select(browser.find_element(By.ID, "f-image_id")).select_by_value("img2")
    Select(browser.find_element(By.ID, "f-realm_id")).select_by_value("eu")
    Select(browser.find_element(By.ID, "f-hwp_id")).select_by_value("m1-small")
    browser.find_element(By.ID, "f-name").send_keys("made-in-a-browser")
    browser.find_element(By.ID, "f-metrics").click()  # a checkbox: sends metrics=true
    submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))

    # The POST was answered with a 303 to the new instance's page, which the browser GETs.
    match = re.fullmatch(rf"{re.escape(server.url)}/instances/(inst\d+)", browser.current_url)
    assert match, browser.current_url
    new_id = match.group(1)
    assert new_id not in before
    heading(browser, f"Instance {new_id}")
    assert navigation(browser)["redirectCount"] == 1
    assert field(browser, "name") == "made-in-a-browser"
    assert field(browser, "state") == "RUNNING"
    assert field(browser, "image") == "img2"
    assert field(browser, "realm") == "eu"
    assert field(browser, "hardware profile").startswith("m1-small")

    # A reload GETs the instance again: nothing is posted, no second instance is made.
    page = browser.find_element(By.TAG_NAME, "html")
    browser.refresh()
    wait(browser).until(ec.staleness_of(page))
    heading(browser, f"Instance {new_id}")
    assert navigation(browser)["type"] == "reload"
    browser.get(f"{server.url}/instances?format=html")
    heading(browser, "Instances")
    assert sorted(listed_ids(browser)) == sorted([*before, new_id])

    browser.find_element(By.LINK_TEXT, new_id).click()
    heading(browser, f"Instance {new_id}")
    submit(browser, button(browser, "stop"))
    heading(browser, f"Instance {new_id}")
    assert browser.current_url == f"{server.url}/instances/{new_id}"
    assert field(browser, "state") == "STOPPED"
    with pytest.raises(NoSuchElementException):
        button(browser, "stop")  # a stopped instance offers no stop

    submit(browser, button(browser, "destroy"), confirm=True)
    heading(browser, "Instances")
    assert browser.current_url == f"{server.url}/instances"
    assert sorted(listed_ids(browser)) == sorted(before)
    browser.get(f"{server.url}/instances/{new_id}?format=html")
    heading(browser, "Error 404")


def test_bucket_upload_download_and_delete(server: Server, browser: WebDriver,
                                           downloads: Path, tmp_path: Path) -> None:
    browser.get(f"{server.url}/buckets?format=html")
    heading(browser, "Buckets")
    submit(browser, browser.find_element(By.LINK_TEXT, "New…"))
    heading(browser, "Create a bucket")
    browser.find_element(By.ID, "f-name").send_keys("browser-bucket")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    heading(browser, "Bucket browser-bucket")
    assert browser.current_url == f"{server.url}/buckets/browser-bucket"
    assert navigation(browser)["redirectCount"] == 1
    blobs = browser.find_element(By.XPATH, "//h2[.='Blobs']/following-sibling::*[1]")
    assert blobs.text == "None."

    # Upload a file through the form, with a piece of metadata.
    upload = tmp_path / "holiday.bin"
    upload.write_bytes(PAYLOAD)
    browser.find_element(By.NAME, "blob_id").send_keys("holiday.bin")
    browser.find_element(By.NAME, "blob_data").send_keys(str(upload))
    browser.find_element(By.NAME, "meta_name1").send_keys("Place")
    browser.find_element(By.NAME, "meta_value1").send_keys("Brittany")
    submit(browser, button(browser, "Upload"))
    heading(browser, "Blob holiday.bin")
    assert browser.current_url == f"{server.url}/buckets/browser-bucket/holiday.bin"
    assert navigation(browser)["redirectCount"] == 1
    assert field(browser, "content length") == str(len(PAYLOAD))
    assert field(browser, "bucket") == "browser-bucket"
    assert "place: Brittany" in field(browser, "user metadata")

    # Download it as a person would: the file lands in the download directory.
    browser.find_element(By.LINK_TEXT, "Download").click()
    saved = downloads / "holiday.bin"
    wait(browser).until(lambda _: saved.is_file()
                        and not any(downloads.glob("*.crdownload")))
    assert saved.read_bytes() == PAYLOAD
    saved.unlink()

    # The bucket lists it; delete it from its page.
    browser.get(f"{server.url}/buckets/browser-bucket?format=html")
    heading(browser, "Bucket browser-bucket")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ul li a:first-child")
            ] == ["holiday.bin"]
    browser.find_element(By.LINK_TEXT, "holiday.bin").click()
    heading(browser, "Blob holiday.bin")
    submit(browser, button(browser, "delete"), confirm=True)
    heading(browser, "Bucket browser-bucket")
    blobs = browser.find_element(By.XPATH, "//h2[.='Blobs']/following-sibling::*[1]")
    assert blobs.text == "None."

    # Now empty, the bucket can go.
    submit(browser, button(browser, "delete"), confirm=True)
    heading(browser, "Buckets")
    assert browser.current_url == f"{server.url}/buckets"
    assert "browser-bucket" not in listed_ids(browser)
    assert {"bucket1", "bucket2"} <= set(listed_ids(browser))


def test_key_page_after_create_shows_the_private_key_once(server: Server,
                                                          browser: WebDriver) -> None:
    browser.get(f"{server.url}/keys/new?format=html")
    heading(browser, "Create a key pair")
    browser.find_element(By.ID, "f-name").send_keys("browser-key")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    heading(browser, "Key browser-key")
    # The answer to the POST itself: no redirect, so the private key is on this page.
    assert navigation(browser)["redirectCount"] == 0
    pem = browser.find_element(By.TAG_NAME, "pre").text
    assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    browser.get(f"{server.url}/keys/browser-key?format=html")
    heading(browser, "Key browser-key")
    assert not browser.find_elements(By.TAG_NAME, "pre")
    assert "PRIVATE KEY" not in browser.page_source
    submit(browser, button(browser, "delete"), confirm=True)
    heading(browser, "Keys")
    assert "browser-key" not in listed_ids(browser)

