"""Small helpers for reading answers in tests."""

from __future__ import annotations

import dataclasses
import time
import xml.etree.ElementTree as ET
from typing import Any

import httpx2 as httpx
from starlette.testclient import TestClient


def xml(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"].startswith("application/xml"), response.text
    return ET.fromstring(response.content)


def ids(root: ET.Element, tag: str) -> list[str]:
    return [e.get("id", "") for e in root.findall(tag)]


def actions(element: ET.Element) -> list[str]:
    return [link.get("rel", "") for link in element.findall("actions/link")]


def wait_for_state(client: httpx.Client, path: str, state: str, seconds: float = 5) -> None:
    """Poll a resource until its <state> is `state` (bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        current = xml(client.get(path)).findtext("state")
        if current == state:
            return
        assert time.monotonic() < deadline, f"{path} stayed {current}, wanted {state}"
        time.sleep(0.05)


def reconfigure(client: TestClient, **changes: Any) -> None:
    """Change the settings of the app behind `client` as a restart with them would: the
    drivers are built anew from them on the next request."""
    registry = client.app.registry  # type: ignore[attr-defined]
    registry.settings = dataclasses.replace(registry.settings, **changes)
    registry._drivers.clear()
