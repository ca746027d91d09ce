"""A GSF-like successor mission whose headline is worked out by hand in the tests.

GSF starts on 3 Oct 2025; MSS (its predecessor) ended on 2 Oct 2025.

    pledges  GTM military 150 (Oct 2025) · TCD military 1,500, BGD police 1,500,
             LKA military (no number), all 9 Dec 2025
    events   3 Oct 2025: transfers KEN police 758, GTM military 150, JAM military 18,
             JAM police 3 · 1 Nov 2025: GTM civilian arrival 5 · 7 Dec 2025: KEN police
             strength report 700 · 8 Dec: KEN arrival 230 · 9 Dec: KEN departure 100
"""

from __future__ import annotations

import datetime

from dashboard_data import create_gsf, create_mss, event, pledge

from mss_tracker.tracker.models import Mission, Source

D = datetime.date


def build_gsf() -> Mission:
    source = Source.objects.create(publisher="United Nations", url="https://press.un.org/gsf")
    gsf = create_gsf()
    create_mss(successor=gsf)
    pledge(gsf, "GTM", "military", D(2025, 10, 1), 150, source, date_precision="month")
    pledge(gsf, "TCD", "military", D(2025, 12, 9), 1500, source)
    pledge(gsf, "BGD", "police", D(2025, 12, 9), 1500, source)
    pledge(gsf, "LKA", "military", D(2025, 12, 9), None, source)
    for iso3, personnel_type, personnel in [
        ("KEN", "police", 758),
        ("GTM", "military", 150),
        ("JAM", "military", 18),
        ("JAM", "police", 3),
    ]:
        event(gsf, iso3, "transfer", personnel_type, D(2025, 10, 3), personnel, source)
    event(gsf, "GTM", "arrival", "civilian", D(2025, 11, 1), 5, source)
    event(gsf, "KEN", "strength_report", "police", D(2025, 12, 7), 700, source)
    event(gsf, "KEN", "arrival", "police", D(2025, 12, 8), 230, source)
    event(gsf, "KEN", "departure", "police", D(2025, 12, 9), 100, source)
    return gsf
