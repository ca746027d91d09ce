# French dates as a newspaper abbreviates them: "2 oct. 2025", "août 2023" (Django's own
# French, "2 octobre 2025", is too long for a table cell). Numbers stay Django's French:
# "1 015" and "32,4" with a no-break space.
DATE_FORMAT = "j N Y"
YEAR_MONTH_FORMAT = "N Y"
DATETIME_FORMAT = "j N Y, H:i"
