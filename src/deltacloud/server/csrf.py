"""Browsers must not change anything on behalf of another site's page.

The HTML interface changes state with form POSTs authenticated by HTTP Basic, which a
browser sends again with any form that posts here, whatever page it comes from: a page
elsewhere could stop or destroy a user's instances. A browser says where a request comes
from (`Sec-Fetch-Site`, or `Origin`); a state-changing request from another site is
refused. API clients (curl, the Ruby and Python clients) send neither header and are not
affected.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from deltacloud.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSED = "A page of another site may not change anything here (cross-site request refused)"


def check_same_origin(request: Request) -> None:
    """Raise 403 for a state-changing request a browser sent from another site."""
    if request.method in SAFE_METHODS:
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        # "none": the user's own doing (typed, bookmarked); "same-origin": our own pages.
        if fetch_site.strip().lower() not in ("same-origin", "none"):
            raise Forbidden(REFUSED)
        return
    origin = request.headers.get("origin")
    if origin is None:
        return
    ours = {request.headers.get("host", ""), request.headers.get("x-forwarded-host", "")}
    try:
        theirs = urlsplit(origin.strip()).netloc
    except ValueError:
        raise Forbidden(REFUSED) from None
    if not theirs or theirs not in ours - {""}:
        raise Forbidden(REFUSED)
