"""Deployment for real: the app under gunicorn (uvicorn workers), and behind Debian's
nginx proxying a path prefix over TLS, on loopback. Links, Locations, HTML and the
same-origin check name the public URL for requests through nginx (a trusted proxy), and
the app's own URL for requests straight to it, whatever X-Forwarded-* headers they forge.

nginx comes from `.ci/backends/nginx.sh`; gunicorn and uvicorn-worker from the test extra.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.process import Server, free_port, stop_process, wait_for_port
from tests.requirements import backend_missing, require_module

AUTH = ("mockuser", "mockpassword")
WORKER = "deltacloud.server.gunicorn_worker.Worker"
PROXY_ADDRESS = "127.0.0.3"  # nginx connects to the app from here (proxy_bind)
PUBLIC_HOST = "cloud.example.com"
PUBLIC = f"https://{PUBLIC_HOST}/cloud/api"

# The README's nginx snippet (its "Deployment" section), with PREFIX and UPSTREAM to fill
# in: the http-level map takes the prefix off the raw request URI, so percent-encoded
# `;` and `/` in matrix parameters and blob ids reach the app as they were sent.
SNIPPET = """
map $request_uri $deltacloud_uri {
    ~^PREFIX(/.*)$ $1;
    default /;
}

server {
    # listen, server_name, ssl_certificate ... as for the site
    location PREFIX/ {
        proxy_pass http://UPSTREAM$deltacloud_uri;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-Prefix PREFIX;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # Blobs stream both ways, of any size.
        proxy_request_buffering off;
        proxy_buffering off;
        client_max_body_size 0;
    }
}
"""


def nginx_config(work: Path, listen: int, upstream: str, cert: Path, key: Path) -> str:
    """The snippet in a whole nginx.conf of the test's own: loopback, TLS, its own pid,
    logs and temp paths under `work`, and the proxy's own source address."""
    site = (SNIPPET.replace("PREFIX", "/cloud").replace("UPSTREAM", upstream)
            .replace("    # listen, server_name, ssl_certificate ... as for the site\n",
                     f"    listen 127.0.0.1:{listen} ssl;\n"
                     f"    server_name {PUBLIC_HOST};\n"
                     f"    ssl_certificate {cert};\n"
                     f"    ssl_certificate_key {key};\n"
                     f"    proxy_bind {PROXY_ADDRESS};\n"))
    temp = "\n".join(f"    {kind}_temp_path {work}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"{user}daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\n"
            f"error_log {work}/error.log warn;\n"
            "events { worker_connections 64; }\n"
            f"http {{\n    access_log off;\n{temp}\n{site}\n}}\n")


def self_signed(work: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PUBLIC_HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(PUBLIC_HOST)]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = work / "cert.pem", work / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextmanager
def nginx(work: Path, upstream: str) -> Iterator[int]:
    """Debian's nginx in front of `upstream`, on a free loopback port; yields the port."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                       else None)
    if binary is None:
        backend_missing("nginx is not installed (.ci/backends/nginx.sh installs Debian's)")
    work.mkdir()
    cert, key = self_signed(work)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(nginx_config(work, port, upstream, cert, key))
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    proc = subprocess.Popen([binary, "-p", str(work), "-e", str(work / "error.log"),
                             "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        try:
            wait_for_port(proc, port, "nginx")
        except RuntimeError as exc:
            log.seek(0)
            errors = (work / "error.log").read_text() if (work / "error.log").exists() else ""
            raise RuntimeError(f"{exc}: {log.read().decode(errors='replace')}{errors}") from None
        yield port
    finally:
        if proc.poll() is None:
            stop_process(proc)
        log.close()


def deltacloudd(data_dir: Path, trusted: str) -> Server:
    return Server(data_dir, "-i", "mock", "--trusted-proxies", trusted)


def gunicorn(data_dir: Path, trusted: str) -> Server:
    """gunicorn with two uvicorn workers, its settings from the environment alone."""
    require_module("gunicorn", "gunicorn is not installed (the test extra has it)")
    require_module("uvicorn_worker", "uvicorn-worker is not installed (the test extra has it)")
    server = Server(data_dir, env={"DELTACLOUD_DATA_DIR": str(data_dir), "API_DRIVER": "mock",
                                   "DELTACLOUD_TRUSTED_PROXIES": trusted})
    server.command = [sys.executable, "-m", "gunicorn", "-k", WORKER, "-w", "2",
                      "-b", f"127.0.0.1:{server.port}", "--graceful-timeout", "5",
                      "deltacloud.server.asgi:app"]
    return server


LAUNCHERS: dict[str, Callable[[Path, str], Server]] = {
    "deltacloudd": deltacloudd, "gunicorn": gunicorn}


def _links(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [link.get("href", "") for link in ET.fromstring(response.content).findall("link")]


def test_gunicorn_serves_the_api_with_the_mock_driver(tmp_path: Path) -> None:
    with gunicorn(tmp_path, "") as server:
        entry = httpx.get(server.url)
        assert entry.status_code == 200
        assert entry.headers.get_list("server") == [
            f"Apache-Deltacloud/{ET.fromstring(entry.content).get('version')}"]
        assert len(entry.headers.get_list("date")) == 1
        assert f"http://127.0.0.1:{server.port}/api/instances" in _links(entry)
        made = httpx.post(f"{server.url}/instances", auth=AUTH, data={"image_id": "img1"})
        assert made.status_code == 201
        listed = httpx.get(f"{server.url}/instances", auth=AUTH)
        assert made.headers["location"] in re.findall(r'href="([^"]+)"', listed.text)
        # gunicorn's forwarded_allow_ips trusts 127.0.0.1, uvicorn's proxy headers do not
        # count here: only DELTACLOUD_TRUSTED_PROXIES (empty) would.
        forged = httpx.get(server.url, headers={"X-Forwarded-Proto": "https",
                                                "X-Forwarded-For": "192.0.2.1"})
        assert f"http://127.0.0.1:{server.port}/api/instances" in _links(forged)
    assert (tmp_path / "mock").is_dir()  # the data went where DELTACLOUD_DATA_DIR says


def test_gunicorn_stops_on_a_bad_setting(tmp_path: Path) -> None:
    require_module("gunicorn", "gunicorn is not installed (the test extra has it)")
    require_module("uvicorn_worker", "uvicorn-worker is not installed (the test extra has it)")
    env = {**os.environ, "DELTACLOUD_TRUSTED_PROXIES": "proxy.example.com",
           "DELTACLOUD_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "gunicorn", "-k", WORKER,
                           "-b", f"127.0.0.1:{free_port()}", "deltacloud.server.asgi:app"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "DELTACLOUD_TRUSTED_PROXIES: must be comma-separated" in done.stderr


def test_deltacloudd_stops_on_a_bad_trusted_proxies_option(tmp_path: Path) -> None:
    done = subprocess.run([*Server(tmp_path).command, "--trusted-proxies", "10.0.0.0/33"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "trusted-proxies: must be comma-separated" in done.stderr


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_behind_nginx_every_url_is_the_public_one(tmp_path: Path, launcher: str) -> None:
    with LAUNCHERS[launcher](tmp_path / "data", PROXY_ADDRESS) as app, \
            nginx(tmp_path / "nginx", f"127.0.0.1:{app.port}") as port, \
            httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=False,
                         auth=AUTH, headers={"Host": PUBLIC_HOST}) as public:
        links = _links(public.get("/cloud/api"))
        assert links and all(link.startswith(PUBLIC + "/") for link in links), links

        # The raw path gets through: an encoded provider stays one matrix parameter.
        realms = public.get("/cloud/api;driver=mock;provider=ec2%3D10.0.0.1%3Bs3%3D10.0.0.2"
                            "/realms?format=xml")
        assert realms.status_code == 200, realms.text
        assert realms.headers["x-deltacloud-provider"] == "ec2=10.0.0.1;s3=10.0.0.2"
        assert (f'href="{PUBLIC};driver=mock;provider=ec2%3D10.0.0.1%3Bs3%3D10.0.0.2'
                '/realms/eu"') in realms.text

        made = public.post("/cloud/api/instances", auth=AUTH, data={"image_id": "img1"},
                           headers={"Accept": "application/json"})
        assert made.status_code == 201, made.text
        assert made.headers["location"].startswith(f"{PUBLIC}/instances/")
        assert made.json()["instance"]["href"] == made.headers["location"]

        page = public.get("/cloud/api/instances/inst0", auth=AUTH,
                          headers={"Accept": "text/html"})
        urls = re.findall(r'(?:href|action)="([^"]*://[^"]*)"', page.text)
        assert urls and all(url.startswith(PUBLIC) for url in urls), urls

        # The browser's own page posts: same origin, and the redirect is public too.
        stop = public.post("/cloud/api/instances/inst0/stop?format=html", auth=AUTH,
                           headers={"Origin": f"https://{PUBLIC_HOST}"})
        assert stop.status_code == 303, stop.text
        assert stop.headers["location"] == f"{PUBLIC}/instances/inst0"
        for other in (f"http://127.0.0.1:{app.port}", f"http://{PUBLIC_HOST}"):
            refused = public.post("/cloud/api/instances/inst1/stop", auth=AUTH,
                                  headers={"Origin": other})
            assert refused.status_code == 403, other

        # Straight to the app, from an address that is no trusted proxy: the same
        # headers, forged, change nothing (uvicorn's own proxy handling, which trusts
        # 127.0.0.1 by default, is off).
        forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC_HOST,
                  "X-Forwarded-Prefix": "/cloud", "X-Forwarded-For": "192.0.2.1"}
        direct = f"http://127.0.0.1:{app.port}/api"
        links = _links(httpx.get(direct, headers=forged))
        assert links and all(link.startswith(direct + "/") for link in links), links
        made = httpx.post(f"{direct}/instances", auth=AUTH, data={"image_id": "img1"},
                          headers=forged)
        assert made.headers["location"].startswith(f"{direct}/instances/")
        refused = httpx.post(f"{direct}/instances/inst1/stop", auth=AUTH,
                             headers={**forged, "Origin": f"https://{PUBLIC_HOST}"})
        assert refused.status_code == 403
        assert httpx.get(f"{direct}/instances/inst1", auth=AUTH).text.count("RUNNING") >= 1
