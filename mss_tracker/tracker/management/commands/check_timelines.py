"""`manage.py check_timelines [--repair]`: the derived timelines checked against the events."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mss_tracker.tracker.timeline_check import (
    Difference,
    find_differences,
    names_for,
    repair,
    stale_carry_overs,
    stale_line,
)

CLEAN = (
    "Every timeline point and mission total matches the events; no carried-over transfer is stale."
)


class Command(BaseCommand):
    help = (
        "Derive every timeline point and mission total afresh from the events and report "
        "each one stored differently (mission, country, type, date, what differs), and every "
        "carried-over transfer gone stale. Exits non-zero when anything differs. --repair "
        "rebuilds what differs (and bumps the data version, so cached pages follow); stale "
        "transfers are left to an editor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair",
            action="store_true",
            help="rebuild the timelines and totals that differ, then check again",
        )

    def handle(self, *args: Any, repair: bool, **options: Any) -> None:
        differences = find_differences()
        names = names_for(differences)
        for difference in differences:
            self.stdout.write(names.line(difference))
        stale = stale_carry_overs()
        for mission, transfer in stale:
            self.stdout.write(stale_line(mission, transfer))
        if not differences and not stale:
            self.stdout.write(self.style.SUCCESS(CLEAN))
            return
        found = _summary(differences, len(stale))
        advice = []
        if differences and repair:
            left = self.repair(differences)
            if left:
                advice.append(f"{_count(left, 'difference')} left: correct the events named above")
        elif differences:
            advice.append("Run check_timelines --repair to rebuild the timelines")
        if stale:
            advice.append(
                "An editor updates or keeps each stale transfer on its mission's carry-over page"
            )
        if advice:
            raise CommandError(f"{found} {'. '.join(advice)}.", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"{found} Repaired. {CLEAN}"))

    def repair(self, differences: list[Difference]) -> int:
        """Repair, say what was rebuilt and what was refused; the differences left."""
        refusals = repair(differences)
        repaired = len({d.mission_id for d in differences}) - len(refusals)
        self.stdout.write(
            f"Rebuilt the timelines and totals that differed in {_count(repaired, 'mission')}; "
            "the data version is bumped, so cached pages follow."
        )
        names = names_for([], refusals)
        for refusal in refusals:
            self.stderr.write(
                f"{names.mission(refusal.mission_id)} not repaired: {refusal.message}"
            )
        return len(find_differences())


def _count(number: int, one: str) -> str:
    return f"{number:,} {one}{'' if number == 1 else 's'}"


def _summary(differences: list[Difference], stale: int) -> str:
    points = sum(1 for d in differences if d.country_id is not None)
    totals = len(differences) - points
    return (
        f"Found {_count(points, 'timeline point')} and {_count(totals, 'mission total')} that "
        f"differ from the events, and {_count(stale, 'stale carried-over transfer')}."
    )
