"""Percentiles of measured durations, as the bench and the load test report them."""

from __future__ import annotations

from collections.abc import Iterable


def percentile(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile (nearest rank) of sorted ``values``; None when there are none."""
    if not values:
        return None
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def summary_ms(seconds: Iterable[float], *, points: tuple[int, ...] = (50, 95)) -> dict[str, float | None]:
    """``{"p50": ms, "p95": ms, ...}`` of durations given in seconds, rounded to 0.1 ms."""
    ordered = sorted(seconds)
    out: dict[str, float | None] = {}
    for p in points:
        value = percentile(ordered, p)
        out[f"p{p}"] = round(value * 1000, 1) if value is not None else None
    return out
