"""CSV import and export in the one format of DESIGN.md ("CSV"), and the JSON and data
package generated from the same spec, one module per job.

- `spec`: each export's columns (name, model field, cell kind) and its one sort order.
- `cells`: the formula guard and how each kind of cell is written in Python.
- `writer`: the Python writer (rows of cells, CSV text in chunks), driven by `spec`.
- `sql_writer`: the PostgreSQL writer (COPY TO), generated from the same `spec`.
- `json_writer` / `json_sql_writer`: the same rows as JSON (Python; PostgreSQL COPY),
  typed by the same spec's cell kinds.
- `table_schema` + `columns`: the exports' Frictionless Table Schemas (types, enums,
  DESCRIPTIONS from DESIGN.md), generated from the spec for the data package.
- `response`: streamed `text/csv` and JSON downloads.
- `errors`: what an import reports (`RowError`, `CsvFileError`, `ImportResult`).
- `decoding`: size limit and UTF-8 decoding of an uploaded file.
- `reading`: the header check and the rows of a file; `row`: one row's cells, validated.
- `importer`: what every importer shares (sources, countries, bulk writes);
  `missions`, `pledges`, `events`: one importer per kind; `copy_from`: PostgreSQL's COPY
  FROM; `importing`: `import_csv` and `import_file`, the entry points.

Sample-data loading lives beside the sample data (`tracker/sample_data/`).
"""
