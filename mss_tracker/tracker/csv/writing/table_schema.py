"""Frictionless Table Schemas of the exports, generated from `spec` (the data package).

A column's type follows its cell kind, refined by the model field it reads: integers
for integer fields, a UUID-format string for a record id, an enum of the choices for a
field with choices (event kinds, personnel types, date precisions). The description of
each column is its definition (`spec.descriptions.description`).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from mss_tracker.tracker.csv.spec import Cell, Column, Export
from mss_tracker.tracker.csv.spec.descriptions import description
from mss_tracker.tracker.models import ALL_TYPES, FundingChannel, PersonnelType

_TYPES = {
    Cell.TEXT: "string",
    Cell.SLUG: "string",
    Cell.CODE: "string",
    Cell.NUMBER: "integer",
    Cell.DECIMAL: "number",
    Cell.DATE: "date",
    Cell.BOOLEAN: "boolean",
}

# Columns computed rather than read from a field (the summary's) that need more than
# their cell kind says: the summary's type is a personnel type or "all".
_COMPUTED: dict[str, dict[str, Any]] = {
    "personnel_type": {"constraints": {"enum": [*PersonnelType.values, ALL_TYPES]}},
    "channel": {"constraints": {"enum": list(FundingChannel.values)}},
}


def _model_field(model: type[models.Model], path: str) -> models.Field:
    """The field at the end of a values_list path (`source__published_on`)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


def field_schema(
    column: Column, model: type[models.Model] | None, export: str = ""
) -> dict[str, Any]:
    """The Table Schema field of one column (of the export named `export`)."""
    schema: dict[str, Any] = {"name": column.name, "type": _TYPES[column.cell]}
    if column.cell == Cell.BOOLEAN:
        schema |= {"trueValues": ["true"], "falseValues": ["false"]}
    if column.field is not None and model is not None:
        field = _model_field(model, column.field)
        if isinstance(field, models.UUIDField):
            schema |= {"type": "string", "format": "uuid"}
        if field.choices:
            schema["constraints"] = {"enum": [str(value) for value, _label in field.choices]}
    elif column.field is None:
        schema |= _COMPUTED.get(column.name, {})
    schema["description"] = description(export, column.name)
    return schema


def table_schema(export: Export, model: type[models.Model] | None) -> dict[str, Any]:
    """The Table Schema of `export` (`model`: the model its fields are read from)."""
    schema: dict[str, Any] = {
        "fields": [field_schema(column, model, export.name) for column in export.columns],
        "missingValues": [""],
    }
    if "id" in export.names:
        schema["primaryKey"] = ["id"]
    return schema
