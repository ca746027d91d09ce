"""`/missions/<slug>/events.atom`: an Atom feed of a mission's newest recorded events.

Ordered by when an event was recorded, not by its date, so that an arrival entered today
but dated last month still reaches subscribers. It takes the timeline's parameters
(`filters.parse_filters`, so a bad value is the same 400 naming it); pages link it with
`type`, `country` and `kind`. Each entry's id is the event's stable `id`, so a reader
shows an edited event as updated, never as new.

Every text goes out through `text.xml_safe`: a control character stored before the rule
that refuses them (docs/rules.md, "Text every format can carry") is dropped, not a 500.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from mss_tracker.dashboards.filters import Filters, parse_filters
from mss_tracker.lib.country_names import country_name
from mss_tracker.tracker.codes import iso3_country, iso_name
from mss_tracker.tracker.dates import format_with_precision
from mss_tracker.tracker.models import DeploymentEvent, EventKind, Mission, PersonnelType
from mss_tracker.tracker.text import xml_safe

FEED_ENTRIES = 50


def personnel_phrase(count: int, personnel_type: str) -> str:
    """ "230 police", "1 military personnel", "12 civilian personnel"."""
    nouns = {
        PersonnelType.POLICE: _("police"),
        PersonnelType.MILITARY: _("military personnel"),
        PersonnelType.CIVILIAN: _("civilian personnel"),
    }
    return f"{count:,} {nouns[personnel_type]}"


def entry_id(event: DeploymentEvent) -> str:
    """The Atom id of an event's entry: its record id, which no edit changes."""
    return f"urn:uuid:{event.uuid}"


def _country_label(iso3: str | None) -> str | None:
    """The filtered country by its name in the feed's language ("Kenya", not "KEN")."""
    record = iso3_country(iso3) if iso3 else None
    return str(country_name(record.alpha_3, iso_name(record))) if record else iso3


def event_title(event: DeploymentEvent) -> str:
    """ "Arrival: 230 police (Kenya), 8 Dec 2025".

    The country is named in parentheses rather than as an adjective ("Kenyan"): no ISO
    list carries demonyms, and "from the Bahamas" needs an article "from Kenya" must not
    have, so this is the form that is right for every country.
    """
    return _("%(kind)s: %(personnel)s (%(country)s), %(date)s") % {
        "kind": event.get_kind_display(),
        "personnel": personnel_phrase(event.personnel, event.personnel_type),
        "country": event.country.name,
        "date": format_with_precision(event.date, event.date_precision),
    }


def _xml_safe_values(values: dict) -> dict:
    """A feed's or an entry's values, each text (and list of texts) made XML-safe."""

    def safe(value):
        if isinstance(value, str):
            return xml_safe(value)
        if isinstance(value, list | tuple) and all(isinstance(part, str) for part in value):
            return [xml_safe(part) for part in value]
        return value

    return {name: safe(value) for name, value in values.items()}


class XmlSafeAtom1Feed(Atom1Feed):
    """Django's Atom writer refuses a control character with an exception (a 500 for
    every reader of the feed); this one drops the characters XML cannot carry first."""

    def write(self, outfile, encoding) -> None:
        self.feed = _xml_safe_values(self.feed)
        self.items = [_xml_safe_values(item) for item in self.items]
        super().write(outfile, encoding)


class MissionEventsFeed(Feed):
    feed_type = XmlSafeAtom1Feed
    description_template = "dashboards/feed_event.html"

    def get_object(self, request: HttpRequest, slug: str) -> tuple[Mission, Filters]:
        filters = parse_filters(request.GET, timeline=True)
        mission = get_object_or_404(Mission, slug=slug.lower())
        return mission, filters

    def title(self, obj: tuple[Mission, Filters]) -> str:
        mission, filters = obj
        narrowed = [
            dict(EventKind.choices)[filters.kind] if filters.kind else None,
            dict(PersonnelType.choices)[filters.personnel_type] if filters.personnel_type else None,
            _country_label(filters.country),
        ]
        title = _("%(mission)s events") % {"mission": mission.acronym}
        narrowed = [str(part) for part in narrowed if part]  # labels are lazy translations
        return f"{title}: {', '.join(narrowed)}" if narrowed else title

    def subtitle(self, obj: tuple[Mission, Filters]) -> str:
        return _("Deployment events of %(name)s, newest recorded first.") % {"name": obj[0].name}

    def link(self, obj: tuple[Mission, Filters]) -> str:
        mission, filters = obj
        query = filters.query_string()
        return reverse("dashboards:events", args=[mission.slug]) + (f"?{query}" if query else "")

    def feed_url(self, obj: tuple[Mission, Filters]) -> str:
        mission, filters = obj
        query = filters.query_string()
        url = reverse("dashboards:events-feed", args=[mission.slug])
        return url + (f"?{query}" if query else "")

    def author_name(self) -> str:
        return "MSS Tracker"

    def items(self, obj: tuple[Mission, Filters]):
        mission, filters = obj
        events = filters.narrow(
            DeploymentEvent.objects.filter(mission=mission),
            as_of=mission.effective_as_of(filters.as_of),
        )
        return (
            events.select_related("mission", "country", "source")
            .with_strength_after()
            .order_by("-recorded_at", "-pk")[:FEED_ENTRIES]
        )

    def item_title(self, item: DeploymentEvent) -> str:
        return event_title(item)

    def item_link(self, item: DeploymentEvent) -> str:
        return reverse("dashboards:country", args=[item.mission.slug, item.country_id])

    def item_guid(self, item: DeploymentEvent) -> str:
        return entry_id(item)

    item_guid_is_permalink = False

    def item_pubdate(self, item: DeploymentEvent):
        return item.recorded_at

    def item_updateddate(self, item: DeploymentEvent):
        return item.updated_at

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mission"] = kwargs["obj"][0]
        return context
