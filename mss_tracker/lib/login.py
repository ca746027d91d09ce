"""DASHBOARDS_REQUIRE_LOGIN: keep the dashboards and exports for logged-in staff only.

Off by default: the tracker is built to be read by the public. An operator who must not
publish yet (figures under embargo, a private instance) turns it on; visitors are then
sent to the admin's login page, which only staff accounts (editors, analysts) pass.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

# The admin asks for its own login; load balancers must reach the health check.
OPEN_PATHS = ("/admin/", "/healthz")


class DashboardsRequireLoginMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        open_paths = (*OPEN_PATHS, f"/{settings.STATIC_URL.lstrip('/')}")
        if request.user.is_authenticated or request.path.startswith(open_paths):
            return self.get_response(request)
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
