"""Timing shared by the benchmarks that compare variants of one listing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved(variants: list[tuple[str, Callable[[], object]]],
                rounds: int) -> list[tuple[str, list[float]]]:
    """Time each variant `rounds` times (ms), taking turns, so that load from elsewhere on
    the machine falls on all of them alike. Each runs once first, untimed (connections,
    imports, discovery)."""
    for _, fn in variants:
        fn()
    times: list[list[float]] = [[] for _ in variants]
    for r in range(rounds):
        for i in range(len(variants)):
            k = (i + r) % len(variants)
            t0 = time.perf_counter()
            variants[k][1]()
            times[k].append((time.perf_counter() - t0) * 1000)
    return [(label, t) for (label, _), t in zip(variants, times, strict=True)]


def line(label: str, times: list[float]) -> str:
    """One variant's median, p90 and minimum."""
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    return (f"{label:<36} median {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms   "
            f"min {times[0]:7.1f} ms")
