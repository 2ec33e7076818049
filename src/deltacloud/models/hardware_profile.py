from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

UNITS = {"cpu": "count", "memory": "MB", "storage": "GB", "architecture": "label"}
# The creation parameter that overrides each property, as Deltacloud names it.
PARAMS = {"cpu": "hwp_cpu", "memory": "hwp_memory", "storage": "hwp_storage"}


def _text(value: float | int | str) -> str:
    """Format 1740.8 as '1740.8' and 12288.0 as '12288', as Deltacloud shows them."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Property:
    """One hardware property: a fixed value, a range, or a list of choices."""

    name: str
    kind: Literal["fixed", "range", "enum"]
    default: float | int | str
    first: float | int | None = None
    last: float | int | None = None
    values: tuple[float | int | str, ...] = ()

    @classmethod
    def fixed(cls, name: str, value: float | int | str) -> Property:
        return cls(name, "fixed", value)

    @classmethod
    def range(
        cls, name: str, first: float | int, last: float | int, default: float | int | None = None
    ) -> Property:
        return cls(name, "range", first if default is None else default, first, last)

    @classmethod
    def enum(
        cls,
        name: str,
        values: tuple[float | int | str, ...],
        default: float | int | str | None = None,
    ) -> Property:
        return cls(name, "enum", values[0] if default is None else default, values=values)

    @property
    def unit(self) -> str:
        return UNITS.get(self.name, "label")

    @property
    def param(self) -> str:
        return PARAMS.get(self.name, f"hwp_{self.name}")

    @property
    def default_text(self) -> str:
        return _text(self.default)

    @property
    def value_texts(self) -> list[str]:
        return [_text(v) for v in self.values]

    def accepts(self, text: str) -> bool:
        """Whether a client-supplied override lies within this property."""
        if self.kind == "enum":
            return text in self.value_texts
        try:
            number = float(text)
        except ValueError:
            return self.kind == "fixed" and text == self.default_text
        if self.kind == "range":
            assert self.first is not None and self.last is not None
            return self.first <= number <= self.last
        return isinstance(self.default, int | float) and number == float(self.default)


@dataclass(frozen=True)
class HardwareProfile:
    """A size an instance can have; properties absent means the cloud says nothing."""

    id: str
    name: str = ""
    properties: tuple[Property, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.id)

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)
