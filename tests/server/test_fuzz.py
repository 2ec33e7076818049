"""A fuzzer of malformed requests against the real server: never a 500, never silence.

10,000 requests, generated from a fixed seed, over raw sockets to a `deltacloudd` on
loopback: odd methods, paths (every collection and route, ids with NUL, invalid UTF-8,
`..`, huge ones, matrix parameters with control characters), query strings, headers
(Accept, driver, provider, credentials, ranges, blob metadata, content types, origins)
and bodies (broken JSON, XML in unknown encodings, multipart without a boundary, invalid
percent-encoding, oversized forms). Every request must get a status line that is not a
5xx, and a body in its declared format that parses. Requests that could change state are
malformed by construction (an id that cannot exist, a body that cannot parse, a driver
name that is not one), so afterwards every collection must read exactly as before.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import xml.etree.ElementTree as ET
from base64 import b64encode
from pathlib import Path

from tests.process import Server

REQUESTS = 10_000
SEED = 20261203
AUTH = "Basic " + b64encode(b"mockuser:mockpassword").decode()
COLLECTIONS = ["addresses", "buckets", "drivers", "firewalls", "hardware_profiles", "images",
               "instance_states", "instances", "keys", "load_balancers", "metrics", "realms",
               "storage_snapshots", "storage_volumes"]
ACTIONS = ["start", "stop", "reboot", "run", "attach", "detach", "associate", "disassociate",
           "register", "unregister", "content", "rules", "new"]
# Ids no collection holds: each starts with a character no seeded or created id has.
BAD_IDS = ["%00", "%FF%FE", "..%2F..%2Fetc%2Fpasswd", "%E2%82%AC" * 50, "x" * 3000, "%0D%0A",
           "%C0%AF", "%F0%9F%98%80", "~inst0", "%20", "!!", "inst0%00", "%25%25", "a;b=c",
           "%7F", "%EF%BF%BF"]
ODD_VALUES = ["%00", "%FF", "%C2%B2", "-1", "99999999999999999999999", "%E9", "", "%0A",
              "true%00", "1e9", "NaN", "%5B%5D", "x" * 2000, "%F0%28%8C%BC"]
HEADER_VALUES = ["\x01", "\xff\xfe", "a" * 4000, "", " ", "\t", "=?utf-8?b?w6k=?=", "*/*;q=x",
                 "text/html;q=0.5, application/json;q=abc", "application/xml, */*",
                 "bytes=9-1", "bytes=-", "bytes=0-0,1-1", "Basic", "Basic !!!",
                 "Basic " + b64encode(b"\xff\xfe:\x00").decode(), "Bearer x", "null",
                 "https://evil.example", "cross-site", "\xe9t\xe9"]
HEADERS = ["Accept", "X-Deltacloud-Driver", "X-Deltacloud-Provider", "Authorization", "Range",
           "If-None-Match", "X-Deltacloud-Blobmeta-\xe9", "X-Deltacloud-Blobmeta-ok",
           "Content-Type", "Origin", "Sec-Fetch-Site", "X-Forwarded-Host"]
BODIES: list[tuple[str, bytes]] = [
    ("application/json", b"[" * 5000),
    ("application/json", b'{"instance": {"image_id": "\\ud800"}'),
    ("application/json", b"\xff\xfe{}"),
    ("application/json", b'{"a": 1e999999}'),
    ("application/xml", b"<?xml version='1.0' encoding='ebcdic'?><a/>"),
    ("application/xml", b"<a><b>" * 2000),
    ("application/xml", b"<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>"),
    ("text/xml", b"\x00\x01\x02"),
    ("multipart/form-data", b"--x\r\n\r\n"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data\r\n\r\nv"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data; "
                                         b"name=\"a\"\r\n\r\n" + b"x" * (1024 * 1024 + 10)),
    ("application/x-www-form-urlencoded", b"image_id=%FF%FE&name=%C0"),
    ("application/x-www-form-urlencoded", b"&".join(b"f%d=1" % i for i in range(1200))),
    ("application/x-www-form-urlencoded", b"a=" + b"x" * (1024 * 1024 + 10)),
    ("application/x-www-form-urlencoded", b"%"),
    ("application/octet-stream", bytes(range(256))),
]
MATRICES = ["", ";driver=%E9", ";driver=%00", ";provider=a%0D%0Ab", ";driver=mock;provider=%FF",
            ";driver=" + "x" * 300, ";provider=" + "%01" * 20, ";driver=no_such_driver",
            ";=;;=x", ";driver"]


def _path(rng: random.Random) -> str:
    matrix = rng.choice(MATRICES)
    collection = rng.choice([*COLLECTIONS, "nonsense", "%E9", ""])
    parts = [f"/api{matrix}/{collection}"]
    if rng.random() < 0.8:
        parts.append(rng.choice(BAD_IDS))
        if rng.random() < 0.4:
            parts.append(rng.choice(ACTIONS + BAD_IDS))
    elif rng.random() < 0.5:
        parts.append("")  # a trailing slash
    path = "/".join(parts)
    if rng.random() < 0.5:
        query = "&".join(f"{rng.choice(['format', 'state', 'id', 'force_auth', 'meta_params', 'capacity', 'x', '%E9', ''])}"  # noqa: E501
                         f"={rng.choice([*ODD_VALUES, 'xml', 'json', 'html', 'yaml'])}"
                         for _ in range(rng.randint(1, 4)))
        path += "?" + query
    return path


def _request(rng: random.Random) -> bytes:
    """One malformed request; any request that could change state has an id that cannot
    exist, a driver that cannot be chosen, or a body that cannot be parsed."""
    method = rng.choice(["GET", "GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"])
    path = _path(rng)
    headers = {"Host": "127.0.0.1", "Authorization": AUTH, "Connection": "close"}
    for _ in range(rng.randint(0, 4)):
        headers[rng.choice(HEADERS)] = rng.choice(HEADER_VALUES)
    body = b""
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        if "/" not in path.split("?")[0].split("/", 3)[-1] or rng.random() < 0.6:
            # A collection root (or anything): a body that cannot be parsed, so no create.
            content_type, body = rng.choice(BODIES)
            headers["Content-Type"] = content_type
        if method == "PUT" and not body:
            content_type, body = rng.choice(BODIES)
            headers["Content-Type"] = content_type
    if rng.random() < 0.1:
        headers["Transfer-Encoding"] = "chunked"
        framed = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if body else b"0\r\n\r\n"
        body = framed
    else:
        headers["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


def _mutates(raw: bytes) -> bool:
    """Whether the request could be a valid state change (the generator must never make one)."""
    line = raw.split(b"\r\n", 1)[0].decode("latin-1")
    method, target, _ = line.split(" ", 2)
    if method in ("GET", "HEAD", "OPTIONS"):
        return False
    path = target.split("?", 1)[0]
    api, _, rest = path.removeprefix("/").partition("/")
    if api != "api" or not rest:
        return False
    collection, _, tail = rest.partition("/")
    ids = tail.split("/")[0] if tail else ""
    bodyless = b"Content-Type:" not in raw.split(b"\r\n\r\n", 1)[0]
    return bool(collection in COLLECTIONS and not ids and bodyless)


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        # The server may answer and close before it takes a large body.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 "), f"no answer to {raw[:200]!r}"
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        length = int(headers.get("content-length", "-1"))
        while length >= 0 and len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        if length < 0 and headers.get("transfer-encoding") != "chunked":
            while chunk := sock.recv(65536):
                rest += chunk
    return status, headers, rest


def _snapshot(port: int) -> dict[str, bytes]:
    seen = {}
    for collection in COLLECTIONS:
        raw = (f"GET /api/{collection}?format=json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Authorization: {AUTH}\r\nConnection: close\r\n\r\n").encode()
        status, _, body = _exchange(port, raw)
        seen[collection] = body if status == 200 else str(status).encode()
    return seen


def test_ten_thousand_malformed_requests(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    requests = [_request(rng) for _ in range(REQUESTS)]
    assert not [r for r in requests if _mutates(r)]
    with Server(tmp_path, "-i", "mock", "-w", "1") as server:
        before = _snapshot(server.port)
        statuses: dict[int, int] = {}
        for raw in requests:
            status, headers, body = _exchange(server.port, raw)
            statuses[status] = statuses.get(status, 0) + 1
            assert status < 500, (status, raw[:300], body[:300])
            kind = headers.get("content-type", "")
            if body and kind.startswith("application/xml") and not raw.startswith(b"HEAD"):
                ET.fromstring(body)
            elif body and kind.startswith("application/json") and not raw.startswith(b"HEAD"):
                json.loads(body)
        after = _snapshot(server.port)
        output = server.stop()
    assert after == before
    assert sum(statuses.values()) == REQUESTS
    assert "Traceback" not in output
