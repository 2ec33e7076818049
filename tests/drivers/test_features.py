"""Every driver advertises Deltacloud's features for its cloud, in Deltacloud's order.

The table is Deltacloud 1.1's own (`feature :collection, ...` in each driver of
`server/lib/deltacloud/drivers/`), with names outside Deltacloud's feature catalogue left
out as Deltacloud's entry point left them out (the mock's `user_Data`, `images
user_name`). Where this server differs on purpose, DIFFERENCES says why. A client that
compares entry points across drivers (Deltacloud's own API tests do) sees the same lists.
No back-end is needed: the entry point answers without credentials.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.collections.features import FEATURES
from deltacloud.drivers.registry import DRIVERS, Registry
from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings

DELTACLOUD: dict[str, dict[str, set[str]]] = {
    "mock": {"instances": {"user_name", "authentication_key", "metrics", "realm_filter"}},
    "ec2": {
        "instances": {"user_data", "authentication_key", "firewalls", "instance_count",
                      "metrics", "attach_snapshot"},
        "images": {"owner_id", "image_name", "image_description"},
        "buckets": {"bucket_location"},
    },
    "eucalyptus": {
        "instances": {"user_data", "authentication_key", "firewalls", "instance_count"},
        "images": {"owner_id"},
    },
    "openstack": {
        "instances": {"user_name", "authentication_key", "authentication_password",
                      "user_files", "user_data"},
        "keys": {"import_key"},
        "storage_volumes": {"volume_name", "volume_description"},
    },
    "rackspace": {"instances": {"user_name", "authentication_password", "user_files"}},
    "vsphere": {"instances": {"user_iso", "user_data", "user_name"}},
    "opennebula": {"instances": {"user_name"}},
    "gogrid": {"instances": {"authentication_password", "sandboxing"}},
    # Deltacloud 1.1's rhevm also declared `first_boot_dev`, outside the catalogue.
    "rhevm": {"instances": {"user_data", "user_name"}},
    "google": {"buckets": {"bucket_location"}},
    "azure": {},
    # Deltacloud 1.1's sbc driver declared no feature at all.
    "sbc": {},
    "rimuhosting": {"instances": {"user_name"}},
    "terremark": {"instances": {"user_name"}},
}

# (driver, collection, feature): why this server does not advertise it.
DIFFERENCES: dict[tuple[str, str, str], str] = {}


def advertised(tmp_path: Path, driver: str) -> dict[str, list[str]]:
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))
    with TestClient(app) as client:
        response = client.get("/api", headers={"Accept": "application/xml",
                                               "X-Deltacloud-Driver": driver})
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.content)
    return {link.get("rel", ""): [f.get("name", "") for f in link.findall("feature")]
            for link in root.findall("link") if link.findall("feature")}


def test_the_table_covers_every_driver() -> None:
    assert set(DELTACLOUD) == set(DRIVERS)


@pytest.mark.parametrize("driver", sorted(DELTACLOUD))
def test_features_are_deltacloud_s(tmp_path: Path, driver: str) -> None:
    expected = {
        collection: {f for f in names if (driver, collection, f) not in DIFFERENCES}
        for collection, names in DELTACLOUD[driver].items()
    }
    got = advertised(tmp_path, driver)
    assert {c: set(names) for c, names in got.items()} == {
        c: names for c, names in expected.items() if names}
    order = list(FEATURES)
    for collection, names in got.items():
        assert names == sorted(names, key=lambda n: order.index((collection, n)))


@pytest.mark.parametrize("driver", sorted(DELTACLOUD))
def test_declarations_name_real_features_of_offered_collections(driver: str,
                                                                tmp_path: Path) -> None:
    cls = Registry(Settings(data_dir=tmp_path)).driver_class(driver)
    for collection, names in cls.collections.items():
        for name in names:
            assert (collection, name) in FEATURES, (collection, name)
    for collection in DELTACLOUD[driver]:
        assert collection in cls.collections, collection
