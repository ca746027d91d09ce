"""CSV import and export in the admin (filled in by the CSV issue)."""


class CsvImportExportMixin:
    """Adds "Import CSV" (upload, preview, confirm) and "Export selected as CSV"."""
