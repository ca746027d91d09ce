"""The query vocabulary: named, chainable QuerySet methods for countries, missions,
pledges and events (attached to the models with `as_manager()`). `figures.py`, the
views and the exports compose them, so a page reads as a sentence:

    Pledge.objects.in_mission(mission).of_type(personnel_type).in_force(as_of)
    DeploymentEvent.objects.in_mission(mission).of_country(country).as_of(day)
    DeploymentEvent.objects.strength_discrepancies(mission, country, day)

Models are reached through `self.model`: an event's own fields, and the model its
timelines are derived into (`DeploymentEvent.timeline_point_model`, which the model
hands over), so the models import this module and never the reverse.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Self

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Subquery, Sum, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lead

from mss_tracker.tracker import dates
from mss_tracker.tracker.bulk_writes import EventWrites, PledgeWrites
from mss_tracker.tracker.codes import EventKind, iso3_country, iso_name

_SAME_TIMELINE = {
    "mission": OuterRef("mission"),
    "country": OuterRef("country"),
    "personnel_type": OuterRef("personnel_type"),
}


# Earlier than any date a record may have (tracker/dates.py): "since the start".
_BEFORE_ANY_DATE = datetime.date(1, 1, 1)


class CountryQuerySet(models.QuerySet):
    def get_or_create_from_iso3(self, iso3: str):
        """The country with this ISO alpha-3 code, created from the ISO list on first use."""
        iso3 = iso3.strip().upper()
        record = iso3_country(iso3)
        if record is None:
            raise ValidationError(f"{iso3} is not an ISO 3166-1 alpha-3 country code.")
        country, _ = self.get_or_create(
            iso3=record.alpha_3,
            defaults={"iso2": record.alpha_2, "name": iso_name(record)},
        )
        return country

    def create_from_iso3(self, codes: Iterable[str]) -> None:
        """The countries of these ISO alpha-3 codes, created from the ISO list as
        `get_or_create_from_iso3` creates each, in one statement (an import may name a
        hundred new ones); a code recorded meanwhile is left as it is."""
        new = []
        for code in sorted(codes):
            record = iso3_country(code.strip().upper())
            if record is None:
                raise ValidationError(f"{code} is not an ISO 3166-1 alpha-3 country code.")
            new.append(self.model(iso3=record.alpha_3, iso2=record.alpha_2, name=iso_name(record)))
        self.bulk_create(new, ignore_conflicts=True)


class MissionQuerySet(models.QuerySet):
    def lock(self, pk: int | None) -> None:
        """Serialise writes to one mission's timelines (a row lock on PostgreSQL).

        Two editors recording departures at the same moment then check one after the
        other, so they cannot together drive a timeline negative. SQLite already
        serialises writers. Call it inside the write's transaction.
        """
        if pk is not None and connection.features.has_select_for_update:
            list(self.select_for_update().filter(pk=pk).values_list("pk"))


class DatedRecordQuerySet(models.QuerySet):
    """What pledges and events share: a mission, a country, a personnel type, a date."""

    def in_mission(self, mission) -> Self:
        return self.filter(mission=mission)

    def of_country(self, country) -> Self:
        return self.filter(country=country)

    def as_of(self, day: datetime.date) -> Self:
        """Dated on or before `day`: what was known on that date."""
        return self.filter(date__lte=day)

    def of_type(self, personnel_type: str | None) -> Self:
        """One personnel type; None is every type (the pages' `type` filter)."""
        return self.filter(personnel_type=personnel_type) if personnel_type else self


class PledgeQuerySet(PledgeWrites, DatedRecordQuerySet):
    """Pledges; `update`, `bulk_create` and `bulk_update` check their dates (bulk_writes.py)."""

    def in_force(self, as_of: datetime.date) -> Self:
        """The pledges in force on `as_of`: per (mission, country, type), the latest dated
        ≤ as_of (a later pledge supersedes an earlier one, it does not add to it)."""
        superseding = self.model.objects.filter(
            **_SAME_TIMELINE, date__gt=OuterRef("date"), date__lte=as_of
        )
        return self.as_of(as_of).exclude(Exists(superseding))

    def with_superseded(self) -> Self:
        """Annotate `superseded_on`, `superseded_precision` and `superseded_by`: the date,
        precision and figure of the next pledge of the same type (None for the latest).
        Narrow to one mission and country first: the window is per personnel type."""
        by_date = {"partition_by": [F("personnel_type")], "order_by": F("date").asc()}
        return self.annotate(
            superseded_on=Window(Lead("date"), **by_date),
            superseded_precision=Window(Lead("date_precision"), **by_date),
            superseded_by=Window(Lead("personnel"), **by_date),
        )


class DeploymentEventQuerySet(EventWrites, DatedRecordQuerySet):
    """Events; `update`, `bulk_create`, `bulk_update` and `delete` rebuild the timelines
    they touch (bulk_writes.py)."""

    def _timeline_points(self) -> models.QuerySet:
        """The points the events' timelines are derived into (TimelinePoint)."""
        return self.model.timeline_point_model.objects.all()

    def with_strength_after(self) -> Self:
        """Annotate `strength_after`: the timeline's strength at the end of the event's date
        — of its month or year for a month- or year-precision event, whose changes are
        applied together and never made a figure of their own on one day."""
        point = (
            self._timeline_points()
            .filter(**_SAME_TIMELINE, date__gte=OuterRef("date"), date__lte=OuterRef("period_end"))
            .order_by("-date")
            .values("deployed")[:1]
        )
        return self.annotate(period_end=dates.period_end()).annotate(strength_after=Subquery(point))

    def strength_discrepancies(
        self,
        mission,
        country,
        as_of: datetime.date,
        personnel_type: str | None = None,
        latest: int | None = None,
    ) -> Self:
        """A country's strength reports dated ≤ as_of whose headcount differs from the
        running figure before them (the `latest` ones when given), newest first, annotated
        with how that figure was reached and `unaccounted` (reported − expected; negative
        when the report is lower). docs/rules.md, "Reports that do not add up".

        The running figure (`expected`) is the timeline's previous strength report
        (`base_personnel` on `base_date`, at `base_precision`; None when there is none,
        and it starts from 0) plus what was recorded after it up to the report's own date
        — a report overrides its day's changes, so they are compared, not applied: `arrived`,
        `transferred` (carried over from a predecessor), `departed` and `killed`, each a
        sum (0 when none).

        Which reports differ is known when the timeline is written: `timelines.py` puts
        the difference on the report day's point (`report_unaccounted`), so the reports
        are found through those points' partial index (each point seeks its report), and
        only they are explained. One query; the latest N cost the same however many
        reports came before them."""
        points = self._timeline_points().filter(
            mission=mission, country=country, date__lte=as_of, report_unaccounted__isnull=False
        )
        if personnel_type:
            points = points.filter(personnel_type=personnel_type)
        report_of_the_day = self.model.objects.filter(
            **_SAME_TIMELINE, date=OuterRef("date"), kind=EventKind.STRENGTH_REPORT
        ).values("pk")[:1]
        reports = (
            points.order_by("-date", "personnel_type")
            .annotate(report=Subquery(report_of_the_day))
            .values_list("report", flat=True)
        )
        if latest is not None:
            reports = reports[:latest]
        integer = models.IntegerField()
        earlier_report = self.model.objects.filter(
            **_SAME_TIMELINE, kind=EventKind.STRENGTH_REPORT, date__lt=OuterRef("date")
        ).order_by("-date")

        def since_base(kind: str) -> Coalesce:
            changes = (
                self.model.objects.filter(
                    **_SAME_TIMELINE,
                    kind=kind,
                    date__gt=OuterRef("since"),
                    date__lte=OuterRef("date"),
                )
                .order_by()
                .values("mission")
                .annotate(total=Sum("personnel"))
                .values("total")
            )
            return Coalesce(Subquery(changes, output_field=integer), Value(0))

        return (
            # As SQL: Django counts a composite-key model's subquery as selecting its key.
            self.filter(pk__in=RawSQL(*reports.query.sql_with_params()))
            .annotate(
                base_date=Subquery(earlier_report.values("date")[:1]),
                base_personnel=Subquery(earlier_report.values("personnel")[:1]),
                base_precision=Subquery(earlier_report.values("date_precision")[:1]),
            )
            .annotate(
                since=Coalesce(F("base_date"), Value(_BEFORE_ANY_DATE)),
            )
            .annotate(
                arrived=since_base(EventKind.ARRIVAL),
                transferred=since_base(EventKind.TRANSFER),
                departed=since_base(EventKind.DEPARTURE),
                killed=since_base(EventKind.FATALITY),
            )
            .annotate(
                expected=Coalesce(F("base_personnel"), Value(0))
                + F("arrived")
                + F("transferred")
                - F("departed")
                - F("killed")
            )
            .annotate(unaccounted=F("personnel") - F("expected"))
            .exclude(unaccounted=0)
            .select_related("source")
            .order_by("-date", "personnel_type")
        )


class FundingRecordQuerySet(PledgeWrites, models.QuerySet):
    """Funding records (docs/funding.md); `figures_of_funding` applies the rule to them.
    Their bulk writes check their dates as the pledges' do (PledgeWrites)."""

    def in_mission(self, mission) -> Self:
        return self.filter(mission=mission)

    def as_of(self, day: datetime.date) -> Self:
        """The records dated on or before `day`."""
        return self.filter(date__lte=day)

    def of_donor(self, country) -> Self:
        return self.filter(donor=country)
