"""Choosing XML, JSON or HTML from `?format=` and the Accept header."""

from __future__ import annotations

from deltacloud.errors import NotAcceptable

FORMATS = ("xml", "json", "html")
CONTENT_TYPES = {
    "xml": "application/xml",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}
_MEDIA = {
    "application/xml": "xml",
    "text/xml": "xml",
    "application/json": "json",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "*/*": "xml",
    "application/*": "xml",
    "text/*": "html",
}


def choose_format(format_param: str | None, accept: str | None) -> str:
    """`?format=` wins; else the Accept entry with the highest q; XML when nothing is said."""
    if format_param:
        if format_param in FORMATS:
            return format_param
        raise NotAcceptable("Parameter 'format' must be one of: xml, json, html")
    if not accept:
        return "xml"
    best: tuple[float, int, str] | None = None
    for position, entry in enumerate(accept.split(",")):
        media, *options = (part.strip() for part in entry.split(";"))
        fmt = _MEDIA.get(media.lower())
        if fmt is None:
            continue
        q = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and (best is None or (q, -position) > (best[0], best[1])):
            best = (q, -position, fmt)
    if best is None:
        raise NotAcceptable("This server answers in application/xml, application/json "
                            "or text/html")
    return best[2]
