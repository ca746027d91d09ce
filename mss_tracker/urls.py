from django.contrib import admin
from django.urls import include, path

from mss_tracker.dashboards import urls as dashboards_urls

urlpatterns = [
    path("admin/", include("mss_tracker.tracker.urls")),
    path("admin/second-factor/", include("mss_tracker.accounts.urls")),
    path("admin/", admin.site.urls),
    # Not include(): it refuses i18n_patterns below the root URLconf, because Django's
    # LocaleMiddleware only looks for a language prefix there. The dashboards need their
    # pages prefixed (/fr/missions/mss/) and their exports not, under one namespace, and
    # our LanguageMiddleware reads the prefix from the path itself (dashboards/languages.py).
    path("", (dashboards_urls, dashboards_urls.app_name, dashboards_urls.app_name)),
]
