"""Formatting shared by every dashboard page: one way to write a number, a date, a percent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from mss_tracker.tracker.dates import format_with_precision

register = template.Library()

DASH = "—"


@register.filter
def thousands(value: int | None) -> str:
    """1234 → "1,234"; None (no number) → "—"."""
    if value is None or value == "":
        return DASH
    return f"{int(value):,}"


@register.filter
def signed_thousands(value: int | None) -> str:
    if value is None or value == "":
        return DASH
    return f"{int(value):+,}".replace("-", "−")


@register.filter
def percent(value: Decimal | None) -> str:
    """figures.percent_of_pledge's Decimal → "75.0%"; None → "—"."""
    if value is None:
        return DASH
    return f"{value:,.1f}%"


@register.filter
def precise_date(value: datetime.date | None, precision: str = "day") -> str:
    """A date as precise as it is known: "4 Jan 2025", "Aug 2023" or "2023"."""
    if value is None:
        return DASH
    return format_with_precision(value, precision or "day")


@register.filter
def iso(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


@register.filter
def absolute(value: int | None) -> int | None:
    return None if value is None else abs(value)
