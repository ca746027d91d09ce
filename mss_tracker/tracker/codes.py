"""The tracker's codes and the rules that go with them, each written once:

- personnel types, and `ALL_TYPES` for a timeline summed over them;
- event kinds and what each does to deployed strength (`EFFECT`): the timeline SQL
  (`timelines.py`), `DeploymentEvent.change` and the discrepancy check all read it;
- ISO 3166-1 country codes (`iso3_country`): the model validators, the admin's country
  form and the CSV import ask the same question of the same list.

A leaf module: Django's choices and pycountry, no model.
"""

from __future__ import annotations

import uuid
from enum import IntEnum
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonnelType(models.TextChoices):
    POLICE = "police", _("Police")
    MILITARY = "military", _("Military")
    CIVILIAN = "civilian", _("Civilian")


ALL_TYPES = "all"  # the personnel type of a timeline summed over the three real types


class EventKind(models.TextChoices):
    ARRIVAL = "arrival", _("Arrival")
    DEPARTURE = "departure", _("Departure")
    FATALITY = "fatality", _("Fatality")
    STRENGTH_REPORT = "strength_report", _("Strength report")
    # Personnel carried over from the predecessor mission on this mission's start date.
    TRANSFER = "transfer", _("Transfer")


class Effect(IntEnum):
    """What an event does to the deployed strength of its timeline."""

    ADDS = 1
    SUBTRACTS = -1
    SETS = 0  # a strength report: the end-of-day figure is exactly its personnel


EFFECT: dict[str, Effect] = {
    EventKind.ARRIVAL: Effect.ADDS,
    EventKind.TRANSFER: Effect.ADDS,
    EventKind.DEPARTURE: Effect.SUBTRACTS,
    EventKind.FATALITY: Effect.SUBTRACTS,
    EventKind.STRENGTH_REPORT: Effect.SETS,
}
# The kinds that add personnel, and count as a country's first arrival.
ADDING_KINDS = tuple(kind for kind, effect in EFFECT.items() if effect is Effect.ADDS)
SUBTRACTING_KINDS = tuple(kind for kind, effect in EFFECT.items() if effect is Effect.SUBTRACTS)


def signed_change(kind: str, personnel: int) -> int | None:
    """The change an event makes to its timeline's strength; None for a strength report."""
    effect = EFFECT[kind]
    return None if effect is Effect.SETS else effect * personnel


def change_expression() -> models.Case:
    """`signed_change` in the ORM: an event's change to its timeline (0 for a report)."""
    return models.Case(
        models.When(kind__in=ADDING_KINDS, then=models.F("personnel")),
        models.When(kind__in=SUBTRACTING_KINDS, then=-models.F("personnel")),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


def sql_in(kinds: tuple[str, ...]) -> str:
    """`kinds` as an SQL list: ('arrival', 'transfer'). Kinds are plain words."""
    return "(" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def iso3_country(code: str) -> Any:  # a pycountry record (pycountry is untyped here)
    """The ISO 3166-1 record of an alpha-3 code written in capitals, or None."""
    if len(code) != 3 or code != code.upper():
        return None
    return pycountry.countries.get(alpha_3=code)


def validate_iso3(code: str) -> None:
    if iso3_country(code) is None:
        raise ValidationError(
            "%(code)s is not an ISO 3166-1 alpha-3 country code (for example KEN).",
            params={"code": code},
            code="invalid_iso3",
        )


def validate_iso2(code: str) -> None:
    if len(code) != 2 or code != code.upper() or pycountry.countries.get(alpha_2=code) is None:
        raise ValidationError(
            "%(code)s is not an ISO 3166-1 alpha-2 country code (for example KE).",
            params={"code": code},
            code="invalid_iso2",
        )


def iso_name(record: Any) -> str:
    """The name a country is shown by: its common name where ISO gives one (Bolivia)."""
    return str(getattr(record, "common_name", None) or record.name)


# Funding (docs/funding.md): what a figure counts, how, and through which channel.


class FundingKind(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")  # committed, paid or not
    RECEIVED = "received", _("Received")  # paid in
    REQUIREMENT = "requirement", _("Requirement")  # the estimated cost a year


class FundingMeasure(models.TextChoices):
    TOTAL = "total", _("Running total")  # the running figure as of its date
    CONTRIBUTION = "contribution", _("Contribution")  # one commitment or payment
    PER_YEAR = "per_year", _("Per year")  # a requirement, and only a requirement


class FundingChannel(models.TextChoices):
    TRUST_FUND = "trust_fund", _("Trust fund")
    BILATERAL = "bilateral", _("Bilateral")


# The measures each kind may have: a requirement is a yearly figure; money pledged or
# received is a running total or one contribution.
MEASURES_OF_KIND: dict[str, tuple[FundingMeasure, ...]] = {
    FundingKind.PLEDGED: (FundingMeasure.TOTAL, FundingMeasure.CONTRIBUTION),
    FundingKind.RECEIVED: (FundingMeasure.TOTAL, FundingMeasure.CONTRIBUTION),
    FundingKind.REQUIREMENT: (FundingMeasure.PER_YEAR,),
}
MONEY_KINDS = (FundingKind.PLEDGED, FundingKind.RECEIVED)  # the kinds with a channel


def funding_problems(
    kind: str | None, measure: str | None, channel: str | None, donor: str | None
) -> dict[str, str]:
    """What is wrong with this combination of a funding record's codes, by field name
    (empty when nothing is): the one rule the model, its form and the import apply."""
    problems = {}
    if kind in MEASURES_OF_KIND and measure and measure not in MEASURES_OF_KIND[kind]:
        allowed = " or ".join(MEASURES_OF_KIND[kind])
        problems["measure"] = f"a {kind} figure is measured {allowed}, not {measure}."
    if kind == FundingKind.REQUIREMENT:
        if channel:
            problems["channel"] = (
                "a requirement (the estimated cost a year) has no channel; leave it blank."
            )
        if donor:
            problems["donor"] = (
                "a requirement is the mission's cost, not a donor's; leave the donor blank."
            )
    elif kind in MONEY_KINDS and not channel:
        problems["channel"] = (
            f"money {kind} goes through a channel: trust_fund or bilateral is required."
        )
    return problems


def record_id(given: uuid.UUID | None = None) -> uuid.UUID:
    """A record's id (docs/csv.md, "Record ids"): the one it was given, or for a new
    record without one a new random UUID (version 4). The models' default, the CSV import's
    writers (bulk_create and COPY) and nothing else give ids."""
    return given or uuid.uuid4()
