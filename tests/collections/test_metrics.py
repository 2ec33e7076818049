from starlette.testclient import TestClient

from tests.helpers import ids, xml


def test_index_lists_one_metric_per_instance(api: TestClient) -> None:
    root = xml(api.get("/api/metrics"))
    assert ids(root, "metric") == ["inst0", "inst1", "inst2", "inst3"]
    first = root.find("metric")
    assert first is not None and first.findtext("entity") == "Mock Instance With Profile Change"
    names = [p.tag for p in first.findall("properties/*")]
    assert "cpuUtilization" in names and "nicOutputByte" in names


def test_show_has_samples(api: TestClient) -> None:
    metric = xml(api.get("/api/metrics/inst1"))
    samples = metric.findall("properties/cpuUtilization/sample")
    assert len(samples) == 6
    values = {p.get("name"): p.get("value") for p in samples[0].findall("property")}
    assert set(values) == {"minimum", "maximum", "average", "timestamp", "unit"}
    assert values["unit"] == "Percent"
    assert float(values["minimum"]) <= float(values["average"]) <= float(values["maximum"])
    assert api.get("/api/metrics/nope").status_code == 404


def test_json_shape(api: TestClient) -> None:
    body = api.get("/api/metrics/inst2?format=json").json()["metric"]
    assert body["entity"] == "AnotherInstance"
    assert body["properties"][0]["name"] == "cpuUtilization"
    assert len(body["properties"][0]["values"]) == 6
