"""Every driver's declarations agree with the methods it implements, and every collection
operation names a real capability. No back-end is needed: this reads the classes."""

from __future__ import annotations

import dataclasses

import pytest

from deltacloud.collections import COLLECTIONS, check_capabilities
from deltacloud.collections.features import FEATURES
from deltacloud.drivers.base import Driver, Settings
from deltacloud.drivers.capabilities import CAPABILITIES
from deltacloud.drivers.registry import DRIVERS, Registry

# Collections whose listing is not a driver method of their own name.
NOT_LISTED_BY_A_METHOD = {"drivers", "instance_states"}


def driver_class(name: str, tmp_path) -> type[Driver]:
    return Registry(Settings(data_dir=tmp_path)).driver_class(name)


def test_every_operation_names_a_capability() -> None:
    for collection in COLLECTIONS.values():
        for op in collection.operations:
            assert op.capability is None or op.capability in CAPABILITIES, (collection.name,
                                                                            op.name)


def test_a_misspelt_capability_is_refused_at_import() -> None:
    instances = COLLECTIONS["instances"]
    broken = dataclasses.replace(instances, operations=(
        dataclasses.replace(instances.operations[0], capability="instancez"),))
    with pytest.raises(LookupError, match="instancez"):
        check_capabilities({"instances": broken})


def test_supports_refuses_names_that_are_no_capability(tmp_path) -> None:
    driver = driver_class("mock", tmp_path)(Settings(data_dir=tmp_path))
    with pytest.raises(KeyError):
        driver.supports("instancez")


@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_declared_collections_are_implemented_and_implemented_ones_declared(
        name: str, tmp_path) -> None:
    """A declared collection can be listed; a driver that lists a collection it does not
    offer only inherited that (rackspace from openstack, eucalyptus from ec2)."""
    cls = driver_class(name, tmp_path)
    driver = cls(Settings(data_dir=tmp_path))
    for collection in COLLECTIONS.values():
        if collection.name in NOT_LISTED_BY_A_METHOD:
            continue
        listing = collection.operation("index")
        assert listing is not None and listing.capability is not None
        if collection.name in driver.collections:
            assert driver.supports(listing.capability), collection.name
        elif driver.supports(listing.capability):
            assert listing.capability not in vars(cls), collection.name
    assert ("instance_states" in driver.collections) == (driver.instance_states is not None)


@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_every_feature_sits_on_an_operation_the_driver_has(name: str, tmp_path) -> None:
    driver = driver_class(name, tmp_path)(Settings(data_dir=tmp_path))
    for collection, features in driver.collections.items():
        for feature in features:
            op = COLLECTIONS[collection].operation(FEATURES[(collection, feature)].operation)
            assert op is not None and op.capability is not None
            assert driver.supports(op.capability), (collection, feature)


@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_every_state_machine_action_is_implemented(name: str, tmp_path) -> None:
    driver = driver_class(name, tmp_path)(Settings(data_dir=tmp_path))
    if driver.instance_states is None:
        return
    actions = {t.action for t in driver.instance_states.transitions if t.action}
    for action in actions:
        assert driver.supports(f"{action}_instance"), action
