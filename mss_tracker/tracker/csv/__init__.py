"""CSV import and export in the one format of docs/csv.md, and the JSON and data package
generated from the same spec. The layout says which way the data goes:

- `spec/`: what both directions share — each export's columns (name, model field, cell
  kind, sort order), how each kind of cell is written and read back (the formula guard),
  and what each column means;
- `importing/`: files in — decoding, the header and rows, one row's cells, one importer
  per kind, COPY FROM, the report; entry point `importing.import_csv`;
- `writing/`: rows out — the Python and PostgreSQL CSV and JSON writers, the streamed
  responses, the Table Schemas.

Sample-data loading lives beside the sample data (`tracker/sample_data/`).
"""
