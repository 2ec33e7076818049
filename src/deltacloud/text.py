"""Text that crosses the wire: parse what clients send, make safe what goes back.

One grammar each, shared by every layer, so that validation happens once and the same
way: integers by their digits, header values by what HTTP can carry.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
# Control characters (but tab) and anything past Latin-1 cannot go in a header as it is.
_NOT_FOR_HEADERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u0100-\U0010ffff]")


def parse_integer(value: str) -> int | None:
    """A non-negative whole number in ASCII digits, or None. `int()` alone would also take
    other scripts' digits, signs, underscores and inner spaces; `isdigit()` takes `²`."""
    text = value.strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a character no header or XML document may carry (tab aside)."""
    return any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in value)


def fits_in_header(value: str) -> bool:
    """Whether a header can carry `value` as it is: Latin-1, no control character but tab."""
    return _NOT_FOR_HEADERS.search(value) is None


def header_value(value: str) -> str:
    """`value` as a header can carry it: percent-encoded where it holds control characters
    or characters past Latin-1 (values are checked on the way in; this is the last guard)."""
    if fits_in_header(value):
        return value
    return quote(value, safe="".join(chr(c) for c in range(0x20, 0x7f) if chr(c) != "%"))


_USERINFO = re.compile(r"(?<=://)[^/?#@\s]*@")


def without_userinfo(value: str) -> str:
    """`value` with the `user:password@` of any URL in it left out: a provider is shown
    back in headers and error documents, and what a client put there may be a secret."""
    return _USERINFO.sub("", value) if "@" in value else value
