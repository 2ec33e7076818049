from starlette.testclient import TestClient

from tests.helpers import ids, xml


def test_index_lists_the_mock_profiles(api: TestClient) -> None:
    root = xml(api.get("/api/hardware_profiles"))
    assert ids(root, "hardware_profile") == ["m1-small", "m1-large", "m1-xlarge", "opaque"]


def test_fixed_range_and_enum_properties(api: TestClient) -> None:
    root = xml(api.get("/api/hardware_profiles/m1-large"))
    props = {p.get("name"): p for p in root.findall("property")}
    cpu, memory, storage, arch = (props[n] for n in ("cpu", "memory", "storage", "architecture"))
    assert (cpu.get("kind"), cpu.get("unit"), cpu.get("value")) == ("range", "count", "1")
    rng = cpu.find("range")
    assert rng is not None and (rng.get("first"), rng.get("last")) == ("1", "6")
    assert memory.get("value") == "10240" and memory.get("unit") == "MB"
    param = memory.find("param")
    assert param is not None and param.get("name") == "hwp_memory"
    assert param.get("href") == "http://localhost:3001/api/instances"
    assert storage.get("kind") == "enum"
    assert [e.get("value") for e in storage.findall("enum/entry")] == ["850", "1024"]
    assert (arch.get("kind"), arch.get("value"), arch.get("unit")) == ("fixed", "x86_64", "label")


def test_fractional_memory_is_shown_as_is(api: TestClient) -> None:
    root = xml(api.get("/api/hardware_profiles/m1-small"))
    memory = root.find("property[@name='memory']")
    assert memory is not None and memory.get("value") == "1740.8"


def test_opaque_profile_has_no_properties(api: TestClient) -> None:
    assert xml(api.get("/api/hardware_profiles/opaque")).findall("property") == []
    body = api.get("/api/hardware_profiles/opaque?format=json").json()
    assert "properties" not in body["hardware_profile"]


def test_filter_by_architecture(api: TestClient) -> None:
    root = xml(api.get("/api/hardware_profiles?architecture=x86_64"))
    assert ids(root, "hardware_profile") == ["m1-large", "m1-xlarge"]


def test_unknown_profile_is_404(api: TestClient) -> None:
    assert api.get("/api/hardware_profiles/m9-huge").status_code == 404
