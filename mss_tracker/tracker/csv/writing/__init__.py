"""Rows out: the exports as CSV and JSON, each from the column spec (`csv.spec`), in two
encoders that give the same bytes — Python's, on any database, and PostgreSQL's own
(COPY … TO STDOUT), faster — and the exports' Table Schemas for the data package.

- `csv_python`: rows of cells from a database iterator, CSV text in chunks;
- `csv_postgres`: the same lines built by PostgreSQL;
- `json_python` / `json_postgres`: the same rows as JSON, typed by the cell kinds;
- `response`: streamed `text/csv` and JSON downloads;
- `table_schema`: the Frictionless Table Schema of each export.
"""
