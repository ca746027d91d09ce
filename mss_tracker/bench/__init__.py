"""Tools that measure the product, apart from what serves users (docs/performance.md,
docs/reliability.md). Nothing in the tracker or dashboards apps imports them.

- `synthetic`: synthetic missions (`manage.py generate_data`);
- `benchmark` + `report`: the performance benchmark (`manage.py bench`) and its tables;
- `csv_bench`: the CSV import and export on large files
  (`uv run python -m mss_tracker.bench.csv_bench`);
- `sample_server`: gunicorn + a throwaway PostgreSQL database with the sample data, for
  `load_test` (+ `load_test.lua`, wrk) and `check_db_restart`
  (`uv run python -m mss_tracker.bench.load_test`, `... .check_db_restart`).
"""
