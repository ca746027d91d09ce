"""Where figures happen and where they come from: countries and sources."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from mss_tracker.lib.country_names import country_name
from mss_tracker.tracker.codes import iso3_country, validate_iso2, validate_iso3
from mss_tracker.tracker.dates import validate_date_in_range
from mss_tracker.tracker.querysets import CountryQuerySet
from mss_tracker.tracker.text import refuse_control_characters


class Country(models.Model):
    iso3 = models.CharField(
        "ISO alpha-3", max_length=3, primary_key=True, validators=[validate_iso3]
    )
    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True, validators=[validate_iso2])
    name = models.CharField(max_length=100, validators=[refuse_control_characters])

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_is_three_capitals"
            ),
            models.CheckConstraint(
                condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_is_two_capitals"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        record = iso3_country(self.iso3)
        if record is not None and self.iso2 and record.alpha_2 != self.iso2:
            raise ValidationError(
                {"iso2": f"The alpha-2 code of {self.iso3} is {record.alpha_2}, not {self.iso2}."}
            )

    @property
    def local_name(self) -> str:
        """The name in the active language (French and Creole from ISO's translations)."""
        return country_name(self.iso3, self.name)

    @property
    def flag(self) -> str:
        """The flag emoji, built from the alpha-2 code's regional indicator symbols."""
        return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in self.iso2)


class Source(models.Model):
    publisher = models.CharField(max_length=200, validators=[refuse_control_characters])
    title = models.CharField(max_length=500, blank=True, validators=[refuse_control_characters])
    url = models.URLField(
        "URL", max_length=1000, blank=True, validators=[refuse_control_characters]
    )
    published_on = models.DateField(
        "published", null=True, blank=True, validators=[validate_date_in_range]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["publisher", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["publisher", "title", "url"], name="source_unique_publisher_title_url"
            ),
            models.CheckConstraint(condition=~Q(publisher=""), name="source_publisher_not_blank"),
        ]

    def __str__(self) -> str:
        parts = [self.publisher]
        if self.title:
            parts.append(f"“{self.title}”")
        if self.published_on:
            parts.append(self.published_on.isoformat())
        return ", ".join(parts)
