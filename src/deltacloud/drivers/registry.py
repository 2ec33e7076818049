"""Every driver the server knows, by name; a driver's module is imported on first use."""

from __future__ import annotations

import importlib
import importlib.util
import threading
from dataclasses import dataclass

from deltacloud.drivers.base import Driver
from deltacloud.errors import BadRequest, NotImplementedByBackend
from deltacloud.models.driver import DriverInfo
from deltacloud.settings import Settings


@dataclass(frozen=True)
class DriverEntry:
    name: str
    module: str
    class_name: str
    # The optional extra that installs the driver's SDK (`pip install '.[ec2]'`), and the
    # module that SDK provides.
    extra: str | None = None
    sdk: str | None = None

    def sdk_installed(self) -> bool:
        if self.sdk is None:
            return True
        try:
            return importlib.util.find_spec(self.sdk) is not None
        except ModuleNotFoundError:  # a parent package is missing
            return False


# Keep sorted by name: GET /api/drivers lists them in this order.
DRIVERS: dict[str, DriverEntry] = {
    e.name: e
    for e in (
        # name, module under deltacloud.drivers, class, extra, the module its SDK provides
        DriverEntry("azure", "azure.driver", "AzureDriver", "azure", "azure.storage.blob"),
        DriverEntry("ec2", "ec2.driver", "Ec2Driver", "ec2", "boto3"),
        DriverEntry("eucalyptus", "ec2.eucalyptus", "EucalyptusDriver", "ec2", "boto3"),
        DriverEntry("gogrid", "gogrid.driver", "GogridDriver"),
        DriverEntry("google", "google.driver", "GoogleDriver", "google", "google.cloud.storage"),
        DriverEntry("mock", "mock.driver", "MockDriver"),
        DriverEntry("opennebula", "opennebula.driver", "OpenNebulaDriver", "opennebula",
                    "pyone"),
        DriverEntry("openstack", "openstack.driver", "OpenStackDriver", "openstack",
                    "openstack"),
        DriverEntry("rackspace", "openstack.rackspace", "RackspaceDriver", "openstack",
                    "openstack"),
        DriverEntry("rhevm", "rhevm.driver", "RhevmDriver", "rhevm", "ovirtsdk4"),
        DriverEntry("rimuhosting", "rimuhosting.driver", "RimuhostingDriver", "libcloud",
                    "libcloud"),
        DriverEntry("sbc", "sbc.driver", "SbcDriver"),
        DriverEntry("terremark", "terremark.driver", "TerremarkDriver", "libcloud",
                    "libcloud"),
        DriverEntry("vsphere", "vsphere.driver", "VsphereDriver", "vsphere", "pyVmomi"),
    )
}


class MissingSdk(NotImplementedByBackend):
    """The driver's SDK is not installed: say which extra brings it."""

    def __init__(self, driver: str, extra: str) -> None:
        super().__init__(f"The {driver} driver needs its SDK, which is not installed here: "
                         f"pip install 'deltacloud-server[{extra}]'")


def missing_sdk(driver: str, exc: ModuleNotFoundError) -> MissingSdk | None:
    """The error to answer when a driver's SDK import failed, if `driver` has an SDK."""
    entry = DRIVERS.get(driver)
    return MissingSdk(driver, entry.extra) if entry and entry.extra else None


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
        module = importlib.import_module(f"deltacloud.drivers.{entry.module}")
        return getattr(module, entry.class_name)

    def info(self, name: str) -> DriverInfo:
        """What GET /api/drivers shows of a driver: needs its module, not its SDK."""
        return self.driver_class(name).info(self.settings)

    def get(self, name: str) -> Driver:
        driver = self._drivers.get(name)
        if driver is None:
            with self._lock:
                driver = self._drivers.get(name)
                if driver is None:
                    driver = self.driver_class(name)(self.settings)
                    self._drivers[name] = driver
        return driver
