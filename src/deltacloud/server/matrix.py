"""Matrix parameters: `/api;driver=ec2;provider=eu-west-1/instances;image_id=img1`.

An ASGI middleware strips them from the path before routing. Those on the
`api` segment choose the driver and provider; those elsewhere are request
parameters, as Deltacloud's own links (`/api/instances;image_id=img1`) use them.
The raw (still percent-encoded) path is split, so a value may carry an encoded
`;` or `/`: `/api;provider=ec2%3D10.0.0.1%3Bs3%3D10.0.0.2/instances`.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

API_MATRIX = "deltacloud.api_matrix"
PARAM_MATRIX = "deltacloud.matrix"


def split_matrix(raw_path: str) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """Split a raw path: the decoded plain path, the raw plain path, the api segment's
    parameters and all the others'."""
    api: dict[str, str] = {}
    others: dict[str, str] = {}
    segments = []
    for index, segment in enumerate(raw_path.split("/")):
        name, *pairs = segment.split(";")
        target = api if index == 1 and name == "api" else others
        for pair in pairs:
            key, _, value = pair.partition("=")
            if key:
                target[unquote(key)] = unquote(value)
        segments.append(name)
    raw = "/".join(segments)
    return unquote(raw), raw, api, others


class MatrixParams:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ";" in scope["path"]:
            raw_path = scope.get("raw_path") or scope["path"].encode()
            path, raw, api, others = split_matrix(raw_path.decode("latin-1"))
            scope = {**scope, "path": path, "raw_path": raw.encode("latin-1"),
                     API_MATRIX: api, PARAM_MATRIX: others}
        await self.app(scope, receive, send)
