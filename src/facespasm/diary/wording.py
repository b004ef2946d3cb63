"""Dates and amounts as the diary's pages and messages write them, in one place.

English month names are spelt out here rather than taken from the C locale (`%b`), so a page
reads the same on every machine.
"""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
SHORT_MONTHS = tuple(month[:3] for month in MONTHS)


def short_date(date: dt.date | None) -> str:
    """A date as a list or a chart shows it: "16 Aug 2023" (empty for none)."""
    if date is None:
        return ""
    return f"{date.day} {SHORT_MONTHS[date.month - 1]} {date.year}"


def long_date(date: dt.date) -> str:
    """A date as a sentence writes it: "12 March 2026"."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def amount(value: float | None, unit: str = "") -> str:
    """A measure to one decimal (whole numbers without one), or "—" when there is none."""
    if value is None:
        return "—"
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text + unit
