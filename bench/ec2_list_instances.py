"""Benchmark: listing 500 EC2 instances through deltacloudd vs the same call with boto3.

Why: to know what the server adds on top of the cloud for its most common call.
How: start moto's standalone server on a free 127.0.0.1 port, launch 500 instances in
it with boto3, start `deltacloudd -i ec2` pointed at moto by AWS_ENDPOINT_URL, then
alternate rounds of `GET /api/instances` (XML, then JSON; keep-alive connection) and of
boto3's paginated `describe_instances` with a client made once, against the same moto.
Prints the median time of each and the ratio server/SDK.

With --clients it also measures what building a botocore client per request costs
against reusing one (the driver reuses clients that hold no credentials).
Loopback only: nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"  # loopback only, never any other address
KEY_ID, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port}")


def sdk_env(moto_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=moto_url, AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return env


def server_listing(port: int, fmt: str) -> tuple[float, int]:
    auth = base64.b64encode(f"{KEY_ID}:{SECRET}".encode()).decode()
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    t = time.perf_counter()
    conn.request("GET", "/api/instances",
                 headers={"Authorization": f"Basic {auth}", "Accept": f"application/{fmt}"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - t
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET /api/instances answered {response.status}")
    return elapsed, len(body)


def sdk_listing(ec2) -> tuple[float, int]:
    t = time.perf_counter()
    count = sum(len(r["Instances"]) for page in
                ec2.get_paginator("describe_instances").paginate() for r in page["Reservations"])
    return time.perf_counter() - t, count


def measure_clients(moto_url: str, rounds: int) -> None:
    import botocore.session

    session = botocore.session.Session()

    def make():
        return session.create_client("ec2", region_name="us-east-1", endpoint_url=moto_url,
                                     aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)

    make().describe_availability_zones()  # load the models once
    t = time.perf_counter()
    for _ in range(rounds):
        make()
    build = (time.perf_counter() - t) / rounds
    shared = make()
    t = time.perf_counter()
    for _ in range(rounds):
        shared.describe_availability_zones()
    reuse = (time.perf_counter() - t) / rounds
    t = time.perf_counter()
    for _ in range(rounds):
        make().describe_availability_zones()
    fresh = (time.perf_counter() - t) / rounds
    print(f"botocore client: build {build * 1000:.1f} ms; DescribeAvailabilityZones with a "
          f"reused client {reuse * 1000:.1f} ms, with a new client each time "
          f"{fresh * 1000:.1f} ms ({fresh / reuse:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clients", action="store_true",
                        help="also time building a botocore client per request vs reusing one")
    args = parser.parse_args()

    moto_port, port = free_port(), free_port()
    moto_url = f"http://{HOST}:{moto_port}"
    env = sdk_env(moto_url)
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    moto = subprocess.Popen([str(BIN / "moto_server"), "-H", HOST, "-p", str(moto_port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    try:
        wait_http(moto_port, "/moto-api/")
        import boto3

        ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=moto_url,
                           aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        left = args.instances
        while left:
            batch = min(left, 100)
            ec2.run_instances(ImageId=image, MinCount=batch, MaxCount=batch,
                              InstanceType="t3.micro")
            left -= batch
        with tempfile.TemporaryDirectory() as data:
            server = subprocess.Popen(
                [str(BIN / "deltacloudd"), "-i", "ec2", "-r", HOST, "-p", str(port),
                 "--data-dir", data], env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            wait_http(port, "/api")
            for fmt in ("xml", "json"):
                server_listing(port, fmt)  # warm: the worker's first call builds clients
            sdk_listing(ec2)
            times: dict[str, list[float]] = {"xml": [], "json": [], "sdk": []}
            sizes = {}
            for _ in range(args.rounds):
                for fmt in ("xml", "json"):
                    elapsed, sizes[fmt] = server_listing(port, fmt)
                    times[fmt].append(elapsed)
                elapsed, count = sdk_listing(ec2)
                times["sdk"].append(elapsed)
            assert count == args.instances, count
            sdk = statistics.median(times["sdk"])
            print(f"{count} instances, median of {args.rounds} rounds, moto on loopback")
            print(f"  boto3 describe_instances (paginated): {sdk * 1000:8.1f} ms")
            for fmt in ("xml", "json"):
                median = statistics.median(times[fmt])
                print(f"  GET /api/instances ({fmt}, {sizes[fmt] // 1024} KiB):"
                      f" {median * 1000:8.1f} ms   ratio server/SDK {median / sdk:.2f}")
        if args.clients:
            measure_clients(moto_url, 50)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        moto.terminate()
        moto.wait(30)


if __name__ == "__main__":
    main()
