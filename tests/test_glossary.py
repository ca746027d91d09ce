"""The catalogs say each term of the domain as docs/glossary.md fixes it: a reader who
learns "promis" or "pwomèt" on the dashboard finds it again on every page."""

from __future__ import annotations

import re

import polib
import pytest
from test_translations import ROOT

# The English term (in a msgid) and how each language must say it (in the msgstr).
TERMS = {
    r"\bpledged?\b|\bpledges\b|\bpledging\b": {
        "fr": r"promi|promesse|engag",
        "ht": r"pwomèt|pwomès",
    },
    r"\bdeployed\b|\bdeployment\b": {"fr": r"déploi|déploy", "ht": r"deplwa"},
    r"\bdisputed\b": {"fr": r"contest", "ht": r"konteste"},
    r"\bcarried over\b|\bcarry over\b": {"fr": r"transf|repris", "ht": r"transf"},
    r"\bfatalit": {"fr": r"décès", "ht": r"\bmò\b"},
    r"\bstrength reports?\b": {"fr": r"bilan", "ht": r"rapò"},
}
# Where the glossary says otherwise: "Toward pledge" is "Pwogrè" (a progress bar), and the
# footer's "deployed" is said as "sent" ("voye").
EXCEPTIONS = {"Toward pledge", "Pledged versus deployed personnel of multinational security"}


@pytest.mark.parametrize("language", ["fr", "ht"])
def test_the_catalog_says_each_term_as_the_glossary_fixes_it(language):
    wrong = []
    for entry in polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")):
        if any(entry.msgid.startswith(exception) for exception in EXCEPTIONS):
            continue
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for term, said in TERMS.items():
            if re.search(term, entry.msgid, re.IGNORECASE):
                wrong += [text for text in texts if not re.search(said[language], text, re.I)]
    assert wrong == []
