"""Deltacloud's mock data: what a new mock user's cloud holds at first start."""

from __future__ import annotations

from deltacloud.drivers.mock.blobs import BlobFiles
from deltacloud.drivers.mock.store import Transaction
from deltacloud.models import HardwareProfile, Property, Realm

REALMS = (
    Realm("us", "United States"),
    Realm("eu", "Europe"),
)

HARDWARE_PROFILES = (
    HardwareProfile("m1-small", properties=(
        Property.fixed("cpu", 1),
        Property.fixed("memory", 1.7 * 1024),
        Property.fixed("storage", 160),
        Property.fixed("architecture", "i386"),
    )),
    HardwareProfile("m1-large", properties=(
        Property.range("cpu", 1, 6),
        Property.range("memory", 7680, 15 * 1024, default=10 * 1024),
        Property.enum("storage", (850, 1024)),
        Property.fixed("architecture", "x86_64"),
    )),
    HardwareProfile("m1-xlarge", properties=(
        Property.fixed("cpu", 4),
        Property.range("memory", 12 * 1024, 32 * 1024),
        Property.enum("storage", (1024, 2048, 4096)),
        Property.fixed("architecture", "x86_64"),
    )),
    # Some clouds say nothing about sizes (OpenNebula did not).
    HardwareProfile("opaque"),
)

_CREATED = "Thu Oct 25 14:27:53 CEST 2012"

IMAGES = (
    {"id": "img1", "name": "img1", "owner_id": "fedoraproject", "description": "Fedora 10",
     "architecture": "x86_64", "state": "AVAILABLE", "creation_time": _CREATED},
    {"id": "img2", "name": "img2", "owner_id": "fedoraproject", "description": "Fedora 10",
     "architecture": "i386", "state": "AVAILABLE", "creation_time": _CREATED},
    {"id": "img3", "name": "img3", "owner_id": "mockuser", "description": "JBoss",
     "architecture": "i386", "state": "AVAILABLE", "creation_time": _CREATED},
)


def _instance(id: str, name: str, image: str, realm: str, hwp: str, address_image: str,
              **extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": id, "name": name, "owner_id": "mockuser", "image_id": image, "realm_id": realm,
        "state": "RUNNING", "hwp_id": hwp, "hwp_overrides": {},
        "public_addresses": [[f"{address_image}.{id}.public.com", "hostname"]],
        "private_addresses": [[f"{address_image}.{id}.private.com", "hostname"]],
        "create_image": True, "keyname": None, "launch_time": None, "storage_volumes": [],
    }
    doc.update(extra)
    return doc


INSTANCES = (
    _instance("inst0", "Mock Instance With Profile Change", "img1", "us", "m1-large", "img1",
              hwp_overrides={"memory": "12288"}),
    _instance("inst1", "MockUserInstance", "img3", "us", "m1-small", "img1",
              storage_volumes=[["vol3", "/dev/sda1"]]),
    _instance("inst2", "AnotherInstance", "img1", "us", "m1-large", "img1"),
    _instance("inst3", "", "img3", "eu", "m1-small", "img3", keyname="", create_image=False),
)

# The seed key's private half is part of the pretend cloud's data, as in Deltacloud's mock
# (a real RSA key made for this mock and used nowhere else). Keys a client creates keep no
# private half: it is shown once, in the answer to the create.
TEST_KEY_PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAvG5Noul54IiQDcHM8c3BF/9UQjX2oanbdstPG+ITOcTm1oui\n"
    "+hFc2DjbMt9RFBFYjfmcyXQ05qieOVLGXuNogOAcyXn3AJGbCQniWYgcrMmXDYwm\n"
    "+wLk9aiW9OR5yrrJ4ON0ABWeZ/clwjLSPG/ngj79Ppm0rxTqfKLOD4KgPxqUiYkl\n"
    "ap316CPambo5VhYv8qhkgWTNwC3WEaOCrW8fK0o1TdmIoGHm8jQBrSly7FpoPoaj\n"
    "HgY3oVPjQvptoKo4BP+iMnM3KXx9rhk7aikbvnqUKEb4gszN5yqPUj0Ffo2xbRug\n"
    "0n/qznYZ21cB1x63rdMlfz5nZMdMvf9BIM+bPQIDAQABAoIBAA+9nHlXd6RCGYaM\n"
    "rJ97yKhF3raz5f5rP2IVFG6yhq30vN5/Rltix+wSvnzpcCR1A9Nts/iVieBwMDIp\n"
    "sAM34VWiuG+Rjgiwy9AIJgMZ/mCQwTA93PkVrNAOB/jn0noU+yLw3T0vO88DiQFI\n"
    "AuKkQSVS4w+FAjWopvidFl7v/ThII0U/jM3Cc+QENJEa9wonwWkVwKrT1K9z5ZTI\n"
    "uFflzuo2VWYnuMp+MZ/dHlDXIOQZF96ySHzXesgBpYGBmWC3xYnUZ1DcmT7eAjNE\n"
    "2BhUjzb6a42MYkvmSzMQW43NkTvZE5L+jTq/vZN5tEErMzpz90E8VWnu5dQsnYcT\n"
    "TjgejCECgYEA8qHeoTcYOcs24em8eur4bzxHgvHcW800HN1TJw3+5I5u21wEu9yH\n"
    "3qGR/ou2Z4z9vV/tHqSXG9T+5axlnI9cT4bVEfXjzHl/aBMSSwC/UjhR6DP1agzo\n"
    "ageoUaE5vfp6cgQiMBlLzAHvKLBTW4OsGj9NC8BPWweFUjdE42gQdzsCgYEAxs/3\n"
    "e3lDEfmh4J9NyqYHY+ZM+Pnv9xhbX8QK6X9adncz50OkN8ZkoEj15I0OdXZWfxx5\n"
    "ApUeMuQRBeuKdO8VgKvWtuU3CKOtumS0W6hKonQgUsxrQENc41+HivbKNr2TliHs\n"
    "Vjon4ouYKaU9zTdN3+aQA8F5uIzG8v8lG3kNv+cCgYB72a6XolTmY1nPdY01PS21\n"
    "MhLav3SZE6UPOtaQL++1YRMrO8xazJY6SUUJpu1j7C81dHrIUoGjvlSijh6MDQ20\n"
    "toGammY+YKJtUJbc3DPM11zP533VNWOJhAEiMecUl3/bJUsCPFdZen9GyMK0CwFV\n"
    "oIxGfFLFh5BBSF8MqXkGMwKBgFv/6r8Jiz7rLLycG0x2bh8NeHsSdbf7XnU/a+lH\n"
    "VJ5TZQJUq85fkTsW6Cq+F33FqBskGt9WD+Zu4W3C5IxeAq5LVo3GHiRyUbdaWJe9\n"
    "leP9JuQJ0mungHl7QGbO8x5Htd8YjZwNR12vSVekLqgjOncs42HJi0EabAoQhaRj\n"
    "7TfrAoGBAI4nNTJHaXOiysH4OXm/lCYYbhjQaqqnEHoVHmb+piS6Y6CeypgwG04k\n"
    "APhpHwM9DcCI/MjjlU6zY4KL9huTTp6yoVXFk2ALn2nyeIWoUgWbeb2TwGK4fycL\n"
    "+7jOwx0kaLQJLsxIQuxVupkuU46sB50B/AcHXt133gNh7wKCtgnZ\n"
    "-----END RSA PRIVATE KEY-----"
)
KEYS = (
    {"id": "test-key", "credential_type": "key", "pem_rsa_key": TEST_KEY_PEM,
     "fingerprint": "d7:b1:45:b7:dc:eb:1d:97:d1:30:0f:f2:fa:05:d1:9d:66:20:85:96"},
)

_VOLUME_CREATED = "Thu Jul 30 14:35:11 UTC 2009"
STORAGE_VOLUMES = (
    {"id": "vol1", "capacity": "1", "realm_id": "us", "state": "AVAILABLE",
     "created": _VOLUME_CREATED, "instance_id": None, "device": None},
    {"id": "vol2", "capacity": "1", "realm_id": "us", "state": "AVAILABLE",
     "created": _VOLUME_CREATED, "instance_id": None, "device": None},
    {"id": "vol3", "capacity": "1", "realm_id": "us", "state": "IN-USE",
     "created": _VOLUME_CREATED, "instance_id": "inst1", "device": "/dev/sda1"},
)

_SNAPSHOT_CREATED = "Wed Jul 29 18:15:24 UTC 2009"
STORAGE_SNAPSHOTS = (
    {"id": "snap1", "storage_volume_id": "vol1", "state": "COMPLETED",
     "created": _SNAPSHOT_CREATED},
    {"id": "snap2", "storage_volume_id": "vol2", "state": "COMPLETED",
     "created": _SNAPSHOT_CREATED},
    {"id": "snap3", "storage_volume_id": "vol2", "state": "COMPLETED",
     "created": _SNAPSHOT_CREATED},
)

ADDRESSES = tuple({"id": f"192.168.0.{n}", "instance_id": None} for n in range(1, 5))

METRIC_NAMES = (
    "cpuUtilization", "diskReadRequestCount", "diskReadSector", "diskWriteRequestCount",
    "diskWriteSector", "nicInputByte", "nicInputPacket", "nicOutputByte", "nicOutputPacket",
)

BUCKETS = ({"id": "bucket1", "name": "bucket1"}, {"id": "bucket2", "name": "bucket2"})

# (bucket, blob, content type, last modified, metadata, bytes)
BLOBS: tuple[tuple[str, str, str, str, dict[str, str], bytes], ...] = (
    ("bucket1", "blob1", "text/plain", "2010-09-23 16:44:54 +0100", {"SOMENEWKEY": "NEWVALUE"},
     b"content of blob 1"),
    ("bucket1", "blob2", "text/html", "2010-09-23 16:55:05 +0100", {"VERSION": "1.2"},
     b"<html><head></head><body>content of blob 2</body></html>"),
    ("bucket1", "blob3", "text/plain", "2010-08-14 02:14:31 +0100", {}, b"content of blob 3"),
    ("bucket2", "blob4", "application/octet-stream", "2010-09-21 06:17:24 +0100",
     {"some": "value"}, b"content of blob 4"),
    ("bucket2", "blob5", "application/pdf", "2009-07-21 11:12:13 +0100", {},
     b"content of blob 5"),
)

# Where each id counter starts, past the seeded ids.
COUNTERS = {"inst": 4, "img": 4, "vol": 4, "snap": 4}


def seed(txn: Transaction, user: str, files: BlobFiles) -> None:
    """Fill a new user's cloud. The seeded instances belong to that user."""
    for bucket in BUCKETS:
        txn.put("buckets", dict(bucket))
    for bucket_id, blob_id, content_type, modified, meta, content in BLOBS:
        name, size = files.write([content])
        txn.put("blobs", blob_doc(bucket_id, blob_id, name, size, content_type, modified, meta))
    for collection, docs in (
        ("images", IMAGES),
        ("instances", INSTANCES),
        ("keys", KEYS),
        ("storage_volumes", STORAGE_VOLUMES),
        ("storage_snapshots", STORAGE_SNAPSHOTS),
        ("addresses", ADDRESSES),
    ):
        for doc in docs:
            doc = dict(doc)
            if collection == "instances" or doc.get("owner_id") == "mockuser":
                doc["owner_id"] = user
            txn.put(collection, doc)
    for prefix, start in COUNTERS.items():
        txn.set_meta(f"counter:{prefix}", str(start))


def blob_key(bucket_id: str, blob_id: str) -> str:
    """Blob documents are keyed bucket/blob; bucket names hold no '/'."""
    return f"{bucket_id}/{blob_id}"


def blob_doc(bucket_id: str, blob_id: str, file: str, size: int, content_type: str,
             modified: str, meta: dict[str, str]) -> dict[str, object]:
    return {"id": blob_key(bucket_id, blob_id), "bucket": bucket_id, "name": blob_id,
            "file": file, "content_length": size, "content_type": content_type,
            "last_modified": modified, "user_metadata": meta}
