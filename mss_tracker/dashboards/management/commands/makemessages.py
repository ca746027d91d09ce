"""Django's makemessages with this project's choices, so that translators run it bare:

    uv run manage.py makemessages -l fr -l ht

Only what the public pages and their charts say is extracted, and the admin's own import
pages (upload, preview, progress, the Imports list): the rest of the admin's templates
follow Django's own translations (docs/rules.md, "Languages"), and tests, benchmarks and
scripts say nothing to readers; the SVG chart's template is read like the HTML ones. Locations
are written by file only (fewer diffs when lines move) and entries no longer in the code
are dropped, not kept as obsolete.
"""

from django.core.management.commands import makemessages

IGNORED = [
    "tests",
    "bench",
    "scripts",
    "staticfiles",
    # The admin's templates, except the import pages' (csv_*, import_job, _csv_errors).
    "templates/admin/base_site.html",
    "templates/admin/index.html",
    "templates/admin/locked_out.html",
    "templates/admin/tracker/_reason_field.html",
    "templates/admin/tracker/delete_*",
    "templates/admin/tracker/mission",
    "templates/admin/tracker/recent_changes.html",
    "templates/simple_history",
    # The second-factor pages sit in the admin's frame and follow django-mfa's own catalogs.
    "templates/accounts",
    "templates/django_mfa",
]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        # The chart is a template too (dashboards/chart.svg).
        options["extensions"] = [*(options.get("extensions") or ["html", "txt", "py"]), "svg"]
        options["add_location"] = options.get("add_location") or "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
