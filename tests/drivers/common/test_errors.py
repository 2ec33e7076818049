"""The translation skeleton and the status ladder shared by every driver."""

from __future__ import annotations

import pytest

from deltacloud.drivers.common.errors import for_status, translating
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    BadRequest,
    Conflict,
    DeltacloudError,
    Forbidden,
    NotFound,
)


class SdkError(Exception):
    pass


def translate(exc: Exception) -> DeltacloudError | None:
    return NotFound("No such thing") if isinstance(exc, SdkError) else None


def test_a_recognised_failure_becomes_an_api_error_without_its_cause() -> None:
    with pytest.raises(NotFound) as caught, translating(translate):
        raise SdkError("secret request details")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_our_own_errors_and_unknown_ones_pass_as_they_are() -> None:
    with pytest.raises(Conflict, match="ours"), translating(translate):
        raise Conflict("ours")
    with pytest.raises(KeyError), translating(translate):
        raise KeyError("a bug stays a bug")


@pytest.mark.parametrize(("status", "kind"), [
    (401, AuthenticationFailure), (403, Forbidden), (404, NotFound), (409, Conflict),
    (412, Conflict), (416, BadRequest), (418, BadRequest), (408, BackendTimeout),
    (504, BackendTimeout), (500, BackendError), (503, BackendError),
])
def test_the_status_ladder(status: int, kind: type[DeltacloudError]) -> None:
    assert type(for_status(status, "Foo")) is kind


def test_the_ladder_names_the_cloud_and_keeps_only_5xx_words() -> None:
    assert for_status(400, "Foo", detail="BadName", message="you sent x").message == \
        "Foo refused the request (BadName)"
    assert for_status(500, "Foo", message="disk on fire").message == "disk on fire"
    assert for_status(404, missing="Blob not found").message == "Blob not found"


def test_known_statuses_win_and_are_fresh_each_time() -> None:
    known = {400: BadRequest("The cloud refused the request as invalid")}
    first, second = for_status(400, known=known), for_status(400, known=known)
    assert first.message == "The cloud refused the request as invalid"
    assert first is not second and first is not known[400]
