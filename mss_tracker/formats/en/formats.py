# The dashboards' English dates: "2 Oct 2025", "Oct 2025" (Django's own: "Oct. 2, 2025").
DATE_FORMAT = "j M Y"
YEAR_MONTH_FORMAT = "M Y"
DATETIME_FORMAT = "j M Y, H:i"  # one timestamp form in the admin: "4 Dec 2026, 17:48"
