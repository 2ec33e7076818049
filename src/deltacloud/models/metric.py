from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class MetricProperty:
    """One measured quantity; `values` are samples (minimum, maximum, average, timestamp, unit)."""

    name: str
    values: list[dict[str, Any]] | None = None


@dataclass
class Metric:
    """Monitoring figures of one resource (an instance)."""

    id: str
    entity: str
    properties: list[MetricProperty] = field(default_factory=list)
