"""The replay server the drivers of unreachable clouds are tested against."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest

from tests.replay import Answer, ReplayServer, Request, cassette, fixture


def test_routes_answer_in_order_and_may_decline() -> None:
    server = ReplayServer()

    @server.route("GET", r"/servers/(\d+)")
    def one(request: Request, match: re.Match[str]) -> Answer | None:
        if match.group(1) == "7":
            return None  # not recorded: the next route, then 501
        return Answer.of(f'{{"id": {match.group(1)}, "v": "{request.arg("v")}"}}',
                         "application/json")

    with pytest.raises(AssertionError, match="no recording"), server:
        answer = httpx.get(server.url + "/servers/3?v=1.9")
        assert answer.status_code == 200 and answer.json() == {"id": 3, "v": "1.9"}
        assert httpx.get(server.url + "/servers/7").status_code == 501
    assert server.unmatched == ["GET /servers/7 {}"]
    assert [r.path for r in server.seen] == ["/servers/3", "/servers/7"]


def test_form_fields_count_as_arguments() -> None:
    server = ReplayServer()
    server.route("POST", "/add")(lambda request, _: Answer.of(request.arg("name") or "",
                                                             "text/plain"))
    with server:
        assert httpx.post(server.url + "/add", data={"name": "web"}).text == "web"


def test_a_cassette_reads_as_recorded() -> None:
    found = cassette(fixture("gogrid", "deltacloud-vcr",
                             "test_0002_must_return_list_of_realms.yml"))
    first = found[0]
    assert first.method == "GET" and first.path == "/api/common/lookup/list"
    assert first.query["lookup"] == ["ip.datacenter"] and first.status == 200
    assert b"US-West-1" in first.answer().body
