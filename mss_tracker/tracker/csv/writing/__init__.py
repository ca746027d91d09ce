"""Rows out: the exports as CSV and JSON, each from the column spec (`csv.spec`), in
encoders that give the same bytes — Python's, on any database, and the database's own
(PostgreSQL's COPY … TO STDOUT, SQLite's query), faster — and the
exports' Table Schemas for the data package.

- `csv_python`: rows of cells from a database iterator, CSV text in chunks;
- `csv_sql`: the same lines built in SQL, read by `csv_postgres` (COPY) and `csv_sqlite`;
- `csv_database`: which of them writes a records export;
- `json_python` / `json_postgres` / `json_sqlite`: the same rows as JSON, typed by the cell
  kinds;
- `response`: streamed `text/csv` and JSON downloads;
- `table_schema`: the Frictionless Table Schema of each export.
"""
