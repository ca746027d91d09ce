"""Django's own month names, listed here so that `makemessages` keeps them in our catalogs.

Django ships no Haitian Creole catalog, so its date formatting (`F` in
mss_tracker/formats/ht/formats.py) would write "October" on a Creole page. These are
Django's msgids, word for word (django/utils/dates.py); locale/ht/ gives them their Creole
names and locale/fr/ repeats Django's French ones. Nothing needs to import this module.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)

# The abbreviations of DATE_FORMAT "j N Y" (mss_tracker/formats/fr): Django's French gives
# "jan." and "fév."; French newspapers write "janv." and "févr.", as locale/fr does.
MONTHS_AP = (
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
)
