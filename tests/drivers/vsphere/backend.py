"""vcsim for the vsphere driver's tests and benchmark: build (cached), certificate, start, stop.

The binary is built from Debian's golang-github-vmware-govmomi-dev by
`vcsim/build.py` (our own `main.go` plus three fixes) and cached under
`.ci/.cache/vcsim/`, keyed by the sources and the package version, so only the
first run on a machine pays the ~30 s build. vcsim listens on 127.0.0.1 only.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import ipaddress
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CACHE = ROOT / ".ci" / ".cache" / "vcsim"
GOVMOMI = Path("/usr/share/gocode/src/github.com/vmware/govmomi/simulator")


def missing() -> str | None:
    """Why vcsim cannot be built here, or None when it can."""
    if shutil.which("go") is None:
        return "go is not installed (bash .ci/backends/vsphere.sh installs golang-go)"
    if not GOVMOMI.is_dir():
        return ("govmomi sources are not installed (bash .ci/backends/vsphere.sh installs "
                "golang-github-vmware-govmomi-dev)")
    return None


def _package_version() -> str:
    try:
        return subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "golang-github-vmware-govmomi-dev"],
            capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def binary() -> Path:
    """The vcsim binary, built on first use (one build at a time, across processes)."""
    digest = hashlib.sha256()
    for name in ("main.go", "build.py"):
        digest.update((HERE / "vcsim" / name).read_bytes())
    digest.update(_package_version().encode())
    target = CACHE / f"vcsim-{digest.hexdigest()[:16]}"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            subprocess.run([sys.executable, str(HERE / "vcsim" / "build.py"), str(target)],
                           check=True)
            for stale in CACHE.glob("vcsim-*"):  # builds of older sources
                if stale != target:
                    stale.unlink(missing_ok=True)
    return target


def make_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key) PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "deltacloud test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@dataclass
class Vcsim:
    """A running vcsim: its provider string (host:port), CA bundle and login."""

    proc: subprocess.Popen[bytes]
    provider: str
    ca_bundle: Path
    user: str
    password: str
    workdir: Path

    @property
    def port(self) -> int:
        return int(self.provider.rsplit(":", 1)[1])

    def stop(self) -> None:
        """SIGTERM (SIGKILL would leave vcsim's /tmp/govcsim-* directories behind)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def start(user: str = "vcuser", password: str = "vc-secret", vms_per_pool: int = 2,
          timeout: float = 10) -> Vcsim:
    """Start vcsim on a free loopback port over TLS, requiring `user`/`password`."""
    exe = binary()
    workdir = Path(tempfile.mkdtemp(prefix="dc-vcsim-"))
    ca, cert, key = make_certificate(workdir)
    proc = subprocess.Popen(
        [str(exe), "-l", "127.0.0.1:0", "-username", user, "-password", password,
         "-tlscert", str(cert), "-tlskey", str(key), "-vm", str(vms_per_pool)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=workdir)
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    line = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            line = proc.stdout.readline()
            if line.startswith(b"VCSIM_URL="):
                break
            if not line and proc.poll() is not None:
                break
    if not line.startswith(b"VCSIM_URL="):
        proc.kill()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
        raise RuntimeError("vcsim did not start")
    url = line.decode().strip().split("=", 1)[1]
    hostport = url.split("://", 1)[1].split("/", 1)[0]
    os.set_blocking(proc.stdout.fileno(), False)
    return Vcsim(proc, hostport, ca, user, password, workdir)
