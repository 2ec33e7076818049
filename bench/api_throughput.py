"""Benchmark: startup time and `GET /api/instances` throughput/latency of deltacloudd (mock).

Why: to know, and keep, what one server process gives per format (XML, JSON) and concurrency.
How: spawn deltacloudd on a free 127.0.0.1 port with a fresh --data-dir, time spawn -> first
`GET /api`, warm up, then run fixed-duration loads over HTTP/1.1 keep-alive connections from a
stdlib asyncio raw-stream client (one coroutine per connection), or wrk with --wrk. Client and
server CPU are printed. The client drove a trivial asyncio server at ~45k req/s (c=16, 2 cores),
and at c=16 matches wrk here; at c=1 (closed loop) its ~0.1 ms turnaround shows in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"  # loopback only, never any other address
AUTH = base64.b64encode(b"mockuser:mockpassword").decode()
FORMATS = ("xml", "json")
CONCURRENCY = (1, 16)
Result = dict[str, float]


def proc_cpu(pid: int) -> float:
    """CPU seconds used so far by pid and the processes of its session (its workers).

    Linux /proc only; 0.0 elsewhere. The server runs in a session of its own.
    """
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == pid:  # the session id
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def self_cpu(who: int = resource.RUSAGE_SELF) -> float:
    return sum(resource.getrusage(who)[:2])  # user + system seconds


def wait_first_answer(proc: subprocess.Popen[bytes], port: int, t0: float) -> float:
    """Poll `GET /api` every ~5 ms; return ms from spawn (t0) to the first 200."""
    while time.perf_counter() < t0 + 60:
        if proc.poll() is not None:
            raise RuntimeError(f"deltacloudd exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api", headers={"Accept": "application/xml"})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return (time.perf_counter() - t0) * 1000
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError("deltacloudd did not answer GET /api within 60 s")


async def worker(port: int, req: bytes, deadline: float, lats: list[float],
                 errs: list[int]) -> None:
    """One keep-alive connection: send, parse status + Content-Length, read the body, repeat."""
    reader = writer = None
    while time.perf_counter() < deadline:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection(HOST, port)
            except OSError:
                errs[0] += 1
                await asyncio.sleep(0.01)
                continue
        t = time.perf_counter()
        try:
            writer.write(req)
            head = (await reader.readuntil(b"\r\n\r\n")).lower()
            m = re.search(rb"\r\ncontent-length:\s*(\d+)", head)
            await reader.readexactly(int(m.group(1)) if m else -1)  # -1: ValueError
            lats.append(time.perf_counter() - t)
            errs[0] += head[9:12] != b"200"
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            errs[0] += 1
            head = b"\r\nconnection: close"  # drop this connection, open another
        if b"\r\nconnection: close" in head:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def load(port: int, fmt: str, conc: int, seconds: float) -> tuple[list[float], int, float]:
    req = (f"GET /api/instances HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
           f"Authorization: Basic {AUTH}\r\nAccept: application/{fmt}\r\n\r\n").encode()
    lats: list[float] = []
    errs, t0 = [0], time.perf_counter()
    async with asyncio.timeout(seconds + 30):  # bounded even if the server hangs
        await asyncio.gather(*(worker(port, req, t0 + seconds, lats, errs) for _ in range(conc)))
    return lats, errs[0], time.perf_counter() - t0


def run_python(port: int, fmt: str, conc: int, seconds: float, spid: int) -> Result:
    c0, s0 = self_cpu(), proc_cpu(spid)
    lats, errs, wall = asyncio.run(load(port, fmt, conc, seconds))
    cli, srv = self_cpu() - c0, proc_cpu(spid) - s0
    lats.sort()
    n = len(lats)
    pct = {p: lats[min(n - 1, max(0, -(-p * n // 100) - 1))] * 1000 if n else 0.0
           for p in (50, 90, 99)}
    return {"rps": n / wall, "p50": pct[50], "p90": pct[90], "p99": pct[99],
            "max": lats[-1] * 1000 if n else 0.0, "err": errs,
            "cli": 100 * cli / wall, "srv": 100 * srv / wall}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[m.group(2)] if m else -1


def run_wrk(port: int, fmt: str, conc: int, seconds: float, spid: int) -> Result:
    c0, s0, t0 = self_cpu(resource.RUSAGE_CHILDREN), proc_cpu(spid), time.perf_counter()
    out = subprocess.run(
        ["wrk", f"-t{min(conc, 2)}", f"-c{conc}", f"-d{max(1, round(seconds))}s", "--latency",
         "-H", f"Authorization: Basic {AUTH}", "-H", f"Accept: application/{fmt}",
         f"http://{HOST}:{port}/api/instances"],
        capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    wall = time.perf_counter() - t0
    cli, srv = self_cpu(resource.RUSAGE_CHILDREN) - c0, proc_cpu(spid) - s0

    def grab(pattern: str) -> str:
        m = re.search(pattern, out)
        return m.group(1) if m else "0"

    errs = int(grab(r"Non-2xx or 3xx responses: (\d+)"))
    errs += sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"rps": float(grab(r"Requests/sec:\s+([\d.]+)")),
            **{f"p{p}": _ms(grab(rf"\s{p}%\s+(\S+)")) for p in (50, 90, 99)},
            "max": _ms(grab(r"Latency\s+\S+\s+\S+\s+(\S+)")), "err": errs,
            "cli": 100 * cli / wall, "srv": 100 * srv / wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="load per run (default 5)")
    ap.add_argument("--deltacloudd", default=str(Path(sys.executable).with_name("deltacloudd")),
                    help="server executable (default: next to this Python)")
    ap.add_argument("--wrk", action="store_true", help="generate load with wrk (on PATH)")
    args = ap.parse_args()
    if args.wrk and shutil.which("wrk") is None:
        ap.error("--wrk: wrk is not on PATH")
    if shutil.which(args.deltacloudd) is None:
        ap.error(f"--deltacloudd: {args.deltacloudd} is not an executable")
    run = run_wrk if args.wrk else run_python
    # SIGTERM to us -> SystemExit, so the finally below still stops the server.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    results: dict[tuple[str, int], Result] = {}
    with tempfile.TemporaryDirectory(prefix="dc-bench-") as tmp:
        with socket.socket() as sock:  # a free loopback port (tiny race until the server binds)
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
        log = open(Path(tmp, "server.log"), "wb")  # noqa: SIM115 - closed in finally
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [args.deltacloudd, "-i", "mock", "-p", str(port), "-r", HOST,
             "--data-dir", str(Path(tmp, "data"))],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # no Ctrl-C for it
        try:
            print(f"first request answered after {wait_first_answer(proc, port, t0):.1f} ms")
            for fmt in FORMATS:  # warm-up: imports, template caches, connection setup
                run(port, fmt, 4, min(1.0, args.seconds), proc.pid)
            for fmt in FORMATS:
                for conc in CONCURRENCY:
                    r = results[fmt, conc] = run(port, fmt, conc, args.seconds, proc.pid)
                    print(f"  {fmt:4} c={conc:<2} {r['rps']:8.0f} req/s", flush=True)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.stderr.write(Path(tmp, "server.log").read_text(errors="replace")[-2000:])
            return 1
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        finally:  # stop the server: SIGTERM, wait up to 10 s, then SIGKILL
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            log.close()
    gen = "wrk" if args.wrk else "asyncio"
    print(f"\nGET /api/instances, {args.seconds:g} s per run, client: {gen}")
    print("format  conc    req/s   p50 ms   p90 ms   p99 ms   max ms  errors  cli cpu  srv cpu")
    for (fmt, conc), r in results.items():
        print(f"{fmt:6} {conc:5} {r['rps']:8.0f} {r['p50']:8.2f} {r['p90']:8.2f} {r['p99']:8.2f}"
              f" {r['max']:8.2f} {r['err']:7.0f} {r['cli']:7.0f}% {r['srv']:7.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
