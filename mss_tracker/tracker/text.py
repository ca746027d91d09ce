"""What free text may hold: how long notes may be, and no control characters.

Length: one limit for every notes field, kept by the admin's forms (the field's
max_length), the CSV import (`csv.importing.row.Row.text`) and the database (a CHECK).
Short texts (a source's publisher, title and URL, names) have their own CharField limits;
notes are the one text an editor may write at length, and a limit there keeps every
export importable (csv.importing.file_rows reads any field up to the file's size) and every page
of a sensible size.

Control characters (docs/rules.md, "Text every format can carry"): no text field holds a
C0 control character other than tab, line feed and carriage return. The rule is
`control_character_problem`, used by the models' text fields (`refuse_control_characters`,
so the admin and any `full_clean` refuse them), the admin's reason fields and the CSV import
(`Row.text`), each naming the character. Text stored before the rule, or written around
it, still cannot break a response: XML (the Atom feed, the chart SVGs) is written through
`xml_safe`.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.text import capfirst

TEXT_MAX_LENGTH = 10_000

# C0 controls but tab (U+0009), line feed (U+000A) and carriage return (U+000D): a note may
# have lines and tabs; the others are invisible, and XML 1.0 cannot carry them at all.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

CONTROL_CHARACTER_NAMES = {
    "\x00": "null",
    "\x01": "start of heading",
    "\x02": "start of text",
    "\x03": "end of text",
    "\x04": "end of transmission",
    "\x05": "enquiry",
    "\x06": "acknowledge",
    "\x07": "bell",
    "\x08": "backspace",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\x0e": "shift out",
    "\x0f": "shift in",
    "\x10": "data link escape",
    "\x11": "device control one",
    "\x12": "device control two",
    "\x13": "device control three",
    "\x14": "device control four",
    "\x15": "negative acknowledge",
    "\x16": "synchronous idle",
    "\x17": "end of transmission block",
    "\x18": "cancel",
    "\x19": "end of medium",
    "\x1a": "substitute",
    "\x1b": "escape",
    "\x1c": "file separator",
    "\x1d": "group separator",
    "\x1e": "record separator",
    "\x1f": "unit separator",
}

# What XML 1.0 cannot carry, even escaped: the controls above, lone surrogates and the
# noncharacters U+FFFE and U+FFFF.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def control_character_problem(value: str) -> str | None:
    """ "contains the control character U+000B (vertical tab); remove it." for the first
    one in `value`, or None when it has none."""
    found = CONTROL_CHARACTER.search(value)
    if found is None:
        return None
    character = found.group()
    name = CONTROL_CHARACTER_NAMES[character]
    return f"contains the control character U+{ord(character):04X} ({name}); remove it."


def refuse_control_characters(value: str) -> None:
    """The validator of every text field (model fields and the admin's form fields)."""
    problem = control_character_problem(value)
    if problem is not None:
        raise ValidationError(capfirst(problem), code="control_character")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (dropped: they are invisible)."""
    return NOT_IN_XML.sub("", text)


def notes_field() -> "models.TextField[str, str]":
    return models.TextField(
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        help_text=f"At most {TEXT_MAX_LENGTH:,} characters.",
        validators=[refuse_control_characters],
    )


def notes_fit(model_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length("notes"), TEXT_MAX_LENGTH),
        name=f"{model_name}_notes_fit",
        violation_error_message=f"Notes are at most {TEXT_MAX_LENGTH:,} characters long.",
    )
