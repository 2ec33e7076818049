"""Every driver the server knows, by name; a driver's module is imported on first use."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass

from deltacloud.drivers.base import Driver, Settings
from deltacloud.errors import BadRequest


@dataclass(frozen=True)
class DriverEntry:
    name: str
    module: str
    class_name: str


# Keep sorted by name: GET /api/drivers lists them in this order.
DRIVERS: dict[str, DriverEntry] = {
    e.name: e
    for e in (
        DriverEntry("azure", "deltacloud.drivers.azure.driver", "AzureDriver"),
        DriverEntry("ec2", "deltacloud.drivers.ec2.driver", "Ec2Driver"),
        DriverEntry("eucalyptus", "deltacloud.drivers.ec2.eucalyptus", "EucalyptusDriver"),
        DriverEntry("google", "deltacloud.drivers.google.driver", "GoogleDriver"),
        DriverEntry("mock", "deltacloud.drivers.mock.driver", "MockDriver"),
        DriverEntry("openstack", "deltacloud.drivers.openstack.driver", "OpenStackDriver"),
        DriverEntry("rackspace", "deltacloud.drivers.openstack.rackspace", "RackspaceDriver"),
        DriverEntry("vsphere", "deltacloud.drivers.vsphere.driver", "VsphereDriver"),
    )
}


class UnknownDriver(BadRequest):
    def __init__(self) -> None:
        super().__init__("Unknown driver; available drivers: " + ", ".join(DRIVERS))


class Registry:
    """Creates each driver once per server, lazily, and hands out the same instance."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._drivers: dict[str, Driver] = {}
        self._lock = threading.Lock()

    @staticmethod
    def names() -> list[str]:
        return list(DRIVERS)

    @staticmethod
    def driver_class(name: str) -> type[Driver]:
        entry = DRIVERS.get(name)
        if entry is None:
            raise UnknownDriver()
        module = importlib.import_module(entry.module)
        return getattr(module, entry.class_name)

    def get(self, name: str) -> Driver:
        driver = self._drivers.get(name)
        if driver is None:
            with self._lock:
                driver = self._drivers.get(name)
                if driver is None:
                    driver = self.driver_class(name)(self.settings)
                    self._drivers[name] = driver
        return driver
