"""Cache whole dashboard responses, keyed on the data version: fast, and never stale.

A news spike sends many readers to the same few pages. Each cached answer costs one
single-row read (the data version, tracker/data_version.py) and a cache lookup instead
of the figures, the chart and the template. The key holds the data version, today's date
(a page without `as_of` shows today), the host, the full path with its query string and
the HTMX headers the views answer differently. Any write to the tracker's tables bumps
the version in its own transaction, so the first request after a write misses and
recomputes: nothing is ever served from data that has changed.

Pages show nobody's own data (a staff member's, which may carry a staff-only notice, is
never cached), with one exception: base.html puts a CSRF token in
`hx-headers`. A cached page must not carry the token of the reader who happened to fill
the cache, so the view renders the page with a throwaway token (the dashboards send no
unsafe request, so no reader needs a working one) and the reader's own CSRF cookie is
left as it was.

The same goes for the CSP nonce: a cached page repeats the nonce of the response that
filled the cache, while each answer's CSP header carries its own (or none). The dashboards
load only files (`{% htmx_script %}` and the stylesheets come from 'self', which the policy
allows whatever the nonce), so that is harmless; an inline <script> or <style> that needs
its nonce must not go in a cached page.

`DASHBOARD_CACHE_SECONDS` (setting) sets how long an entry may live; 0 turns caching
off. Default: off with DEBUG (a template being edited shows at once), one hour otherwise;
the test settings set 0 (settings_for_tests.py).
The cache is Django's default: one LocMemCache per process, or with `CACHE_URL` one Redis
database shared by every worker and server. The data version keeps every process right
on its own; a shared cache saves each worker its first miss. A cache that does not
answer (Redis down) costs the page its cache, never the page: it is computed afresh.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

from mss_tracker.tracker.data_version import current_data_version

logger = logging.getLogger(__name__)
DEFAULT_SECONDS = 3600
# The request headers the views answer differently (django-htmx's request.htmx).
_VARYING_HEADERS = (
    "HTTP_HX_REQUEST",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_HX_TRIGGER",
)
_CSRF_KEYS = ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE")
_ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")  # as django.middleware.gzip reads the header


def cache_seconds() -> int:
    configured = getattr(settings, "DASHBOARD_CACHE_SECONDS", None)
    if configured is None:
        return 0 if settings.DEBUG else DEFAULT_SECONDS  # off while templates are edited
    return configured


def page_cache_key(request: HttpRequest, version: int) -> str:
    varying = "\n".join(request.META.get(header, "") for header in _VARYING_HEADERS)
    request_part = f"{request.get_host()}\n{request.get_full_path()}\n{varying}"
    digest = hashlib.sha256(request_part.encode()).hexdigest()
    return f"page:{version}:{datetime.date.today().isoformat()}:{digest}"


def _render_with_throwaway_csrf_token(view: Callable, request: HttpRequest, *args, **kwargs):
    """Call `view` as if the reader had no CSRF cookie, then restore the reader's state."""
    saved = {key: request.META.pop(key) for key in _CSRF_KEYS if key in request.META}
    try:
        return view(request, *args, **kwargs)
    finally:
        for key in _CSRF_KEYS:
            request.META.pop(key, None)
        request.META.update(saved)


def _content(response: HttpResponseBase) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # the backend's own error class (redis.ConnectionError, ...)
        logger.warning("page cache unavailable, computing the page", exc_info=True)
        return None


def _cache_set_many(entries: dict, seconds: int) -> None:
    try:
        cache.set_many(entries, seconds)
    except Exception:
        logger.warning("page cache unavailable, page not kept", exc_info=True)


def _accepts_gzip(request: HttpRequest) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _response(status: int, headers: dict, content: bytes, gzipped: bool) -> HttpResponse:
    response = HttpResponse(content, status=status, headers=headers)
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(content))
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def cache_on_data_version(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponse]:
    """Serve `view`'s 200 answers to GET and HEAD from the cache until the data changes.

    Each answer is kept plain and gzipped (compressed once, when it is cached): readers
    whose browser accepts gzip, nearly all, get a tenth of the bytes. The page holds no
    secret (its CSRF token is a throwaway), so compression gives BREACH nothing to find.
    """

    @wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        seconds = cache_seconds()
        # A page offering the reader their browser's language is theirs alone (languages.py).
        offering = getattr(request, "language_offer", None)
        # A staff member's page says what only staff see (transfers gone stale): theirs.
        staff = getattr(getattr(request, "user", None), "is_staff", False)
        if seconds <= 0 or request.method not in ("GET", "HEAD") or offering or staff:
            return view(request, *args, **kwargs)
        key = page_cache_key(request, current_data_version())
        gzipped = _accepts_gzip(request)
        hit = _cache_get(f"{key}:{'gzip' if gzipped else 'plain'}")
        if hit is not None:
            return _response(*hit, gzipped)
        response = _render_with_throwaway_csrf_token(view, request, *args, **kwargs)
        if response.status_code != 200 or response.cookies:
            return response
        # Read to the end, a streamed response's iterator has closed its cursor. Not
        # response.close(): that would send request_finished in the middle of the request.
        content = _content(response)
        headers = {
            name: value
            for name, value in response.items()
            if name.lower() not in ("content-length", "content-encoding")
        }
        compressed = gzip.compress(content, compresslevel=6, mtime=0)
        _cache_set_many(
            {
                f"{key}:plain": (response.status_code, headers, content),
                f"{key}:gzip": (response.status_code, headers, compressed),
            },
            seconds,
        )
        return _response(response.status_code, headers, compressed if gzipped else content, gzipped)

    return cached_view
