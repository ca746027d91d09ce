"""What the admin's pledge and event forms post, for the tests that post them: one
complete form each, which a test changes by naming only what it is about."""

from __future__ import annotations


def pledge_form(mission, source, **changes) -> dict:
    """Kenya's pledge of 1,000 police of 25 Jul 2023 (conftest's `kenya_pledge`)."""
    return {
        "personnel": "1000",
        "mission": mission.pk,
        "country": "KEN",
        "personnel_type": "police",
        "date": "2023-07-25",
        "date_precision": "day",
        "source": source.pk,
        "notes": "",
        **changes,
    }


def event_form(mission, source, **changes) -> dict:
    """An arrival of 200 Kenyan police on 16 Jul 2024, with the reason a change asks for."""
    return {
        "mission": mission.pk,
        "country": "KEN",
        "date": "2024-07-16",
        "date_precision": "day",
        "kind": "arrival",
        "personnel_type": "police",
        "personnel": "200",
        "source": source.pk,
        "notes": "",
        "change_reason": "Figure corrected",
        **changes,
    }
