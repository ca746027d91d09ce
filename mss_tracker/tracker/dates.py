"""Dates with a precision: day, month ("Aug 2023") or year ("2023")."""

import datetime

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def format_with_precision(day: datetime.date, precision: str) -> str:
    if precision == DatePrecision.YEAR:
        return f"{day.year}"
    if precision == DatePrecision.MONTH:
        return day.strftime("%b %Y")
    return f"{day.day} {day.strftime('%b %Y')}"
