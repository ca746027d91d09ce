"""Files in: a CSV file's bytes checked row by row against the database, then written in
one transaction, or refused with every problem named by line and column.

An import's path, in order:

1. `run`: `import_csv` / `import_file`, the one entry point (the `import_csv` command,
   the admin's upload, the task worker and `load_sample_data`);
2. `decoding`: the size limit and UTF-8;
3. `file_rows`: the header checked against the kind's columns, then the rows;
4. `row`: one row's cells read and checked column by column;
5. `importer` (what every kind shares: sources, countries, dates, corrections) and
   `missions`, `pledges`, `events` (one importer per kind), with `corrections` (rows
   that name an `id`): each `plan`s first, then `write`s;
6. `copy_from`: new rows written with PostgreSQL's COPY FROM (bulk INSERT elsewhere);
7. `errors`: what the import reports (`RowError`, `CsvFileError`, `ImportResult`).

The entry points are imported from here: `from mss_tracker.tracker.csv.importing import
import_csv`.
"""

from mss_tracker.tracker.csv.importing.run import (
    PROBE_ROWS,
    PROGRESS_THRESHOLD,
    import_csv,
    import_file,
    import_reason,
)

__all__ = ["PROBE_ROWS", "PROGRESS_THRESHOLD", "import_csv", "import_file", "import_reason"]
