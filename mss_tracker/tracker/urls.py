from django.contrib import admin
from django.urls import path

from mss_tracker.tracker.admin.recent_changes import recent_changes_view

urlpatterns = [
    path(
        "recent-changes/",
        admin.site.admin_view(recent_changes_view),
        name="tracker-recent-changes",
    ),
]
