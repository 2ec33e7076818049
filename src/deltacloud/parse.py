"""Parsing the text values clients send, one grammar each, shared by every layer."""

from __future__ import annotations

import re

_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def parse_integer(value: str) -> int | None:
    """A non-negative whole number in ASCII digits, or None. `int()` alone would also take
    other scripts' digits, signs, underscores and inner spaces; `isdigit()` takes `²`."""
    text = value.strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None
