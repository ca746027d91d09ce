"""How long free text may be: one limit for every notes field, kept by the admin's forms
(the field's max_length), the CSV import (`csv.importing.row.Row.text`) and the database (a CHECK).

Short texts (a source's publisher, title and URL, names) have their own CharField limits;
notes are the one text an editor may write at length, and a limit there keeps every
export importable (csv.importing.file_rows reads any field up to the file's size) and every page
of a sensible size.
"""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

TEXT_MAX_LENGTH = 10_000


def notes_field() -> models.TextField:
    return models.TextField(
        blank=True, max_length=TEXT_MAX_LENGTH, help_text=f"At most {TEXT_MAX_LENGTH:,} characters."
    )


def notes_fit(model_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length("notes"), TEXT_MAX_LENGTH),
        name=f"{model_name}_notes_fit",
        violation_error_message=f"Notes are at most {TEXT_MAX_LENGTH:,} characters long.",
    )
