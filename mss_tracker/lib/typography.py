"""French typography: the spaces French sets before `:` `;` `?` `!` `»` and after `«`.

French (as printed by the Imprimerie nationale and the francophone press) puts a no-break
space before a colon and a narrow no-break space before `;`, `?`, `!` and inside `« »`, so
that the mark never starts a line. Haitian Creole and English put none. `french` applies the
rule to a text written with ordinary spaces (or none); `faults` names what breaks it, for the
tests that read the French pages and catalog (docs/glossary.md, "Typography").
"""

from __future__ import annotations

import re

NBSP = "\u00a0"  # no-break space: before a colon, as in "Source : AP"
NNBSP = "\u202f"  # narrow no-break space: before ; ? ! » and after «

# A mark of the rule, after a word or closing bracket, with an ordinary space or none, and
# followed by a space or the end: "Source: AP", "Source : AP" (not "12:30" or "https://").
_BEFORE = re.compile(r"(?<=[\w)\]}’%»…])[ ]?([:;?!])(?=\s|$|[)\]])")
_CLOSING = re.compile(r"(?<=\S)[ ]?»")
_OPENING = re.compile(r"«[ ]?(?=\S)")
_FAULTS = re.compile(r"[\w)\]}’%][ ]?[:;?!](?=\s|$)|[^\s\u00a0\u202f][ ]?»|« |«(?=\w)")


def french(text: str) -> str:
    """`text` with French spacing around its punctuation."""
    text = _BEFORE.sub(lambda m: (NBSP if m.group(1) == ":" else NNBSP) + m.group(1), text)
    text = _CLOSING.sub(NNBSP + "»", text)
    return _OPENING.sub("«" + NNBSP, text)


def faults(text: str) -> list[str]:
    """Each place (with a few characters around it) where `text` breaks the French rule."""
    return [text[max(0, m.start() - 12) : m.end() + 12] for m in _FAULTS.finditer(text)]


def spaced(mark: str, language: str) -> str:
    """`mark` (a colon or semicolon after a label or item) as `language` writes it: with its
    no-break space in French ("Source : AP", "reçu ; promis"), bare otherwise."""
    if language.split("-")[0] != "fr":
        return mark
    return (NBSP if mark == ":" else NNBSP) + mark


def colon(language: str) -> str:
    """The colon after a label in `language`: "Source : " in French, "Source: " otherwise."""
    return spaced(":", language)
