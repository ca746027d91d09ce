"""Cache whole dashboard responses, keyed on the data version: fast, and never stale.

A news spike sends many readers to the same few pages. Each cached answer costs one
single-row read (the data version, tracker/data_version.py) and a cache lookup instead
of the figures, the chart and the template. Any write to the tracker's tables bumps the
version in its own transaction, so the first request after a write misses and
recomputes: nothing is ever served from data that has changed.

The key is what the page answers by, never the raw address. Each cached view names the
parameters it reads (`@cache_on_data_version(filter_parameters, sort_parameter)`): each
reader parses its parameters as the view does (the filter forms, `sort`, `page`, `cited`,
`bom`) and gives them in their normal form, defaults left out. The key holds those, the
data version, today's date (a page without `as_of` shows today), the scheme, host and
path (the language prefix and the language), and the HTMX headers reduced to what the
pages compare them with (rendering.py). Parameters no reader names (`utm_source`) and the
order or spelling of those it does (`?type=Police&as_of=…`) make no new key, so a view
has as many keys as it has different answers, however many addresses reach it. A bad
value makes no key at all: the view answers its 400, which is never cached.

The view itself sees only those parameters, in that normal form (the request's query is
replaced while it runs): what it renders (the language switcher's links repeat the
query) depends on nothing the key leaves out, so a cached answer is the answer to every
request with its key.

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

`DASHBOARD_CACHE_SECONDS` (setting) sets how long an entry may live, at most a day (the
key holds the date); 0 turns caching off. Default: off with DEBUG (a template being
edited shows at once), one hour otherwise; the test settings set 0
(settings_for_tests.py). `DASHBOARD_CACHE_MAX_BYTES` (default 1 MiB) is the largest
answer kept; a larger one is served uncached. Redis itself is bounded by its `maxmemory`
(README, "Production").
The cache is Django's default: one LocMemCache per process, or with `CACHE_URL` one Redis
database shared by every worker and server. The data version keeps every process right
on its own; a shared cache saves each worker its first miss.

A cache that does not answer costs the page its cache, never the page, nor a worker. A
Redis call gives up after `CACHE_TIMEOUT_MS` (250 ms, lib/env.py's `envcache`); after a
failure, a refused connection or a Redis that accepts and never answers alike, this
process leaves the cache alone for `CACHE_RETRY_SECONDS` (30) and serves pages computed
afresh, then tries one call again (`CacheBreaker`). So a hung Redis costs each worker a
quarter of a second every half minute, and sync workers stay free for `/healthz`. The
cached views' answers say `X-Page-Cache: hit`, `miss` or `unavailable` (and `/healthz`
says `unavailable` too while it is); the log says it once when the cache stops
answering and once when it answers again, never per request.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

from mss_tracker.dashboards.rendering import FILTER_FORM, SHOW_MORE
from mss_tracker.lib.bad_requests import BadParameter
from mss_tracker.tracker.data_version import current_data_version

logger = logging.getLogger(__name__)
DEFAULT_SECONDS = 3600
DEFAULT_MAX_BYTES = 1024 * 1024
# A view's parameters in their normal form (filters.filter_parameters, sorting.sort_parameter…).
ParameterReader = Callable[[QueryDict], dict[str, str]]
_CSRF_KEYS = ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE")
_ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")  # as django.middleware.gzip reads the header


def cache_seconds() -> int:
    configured = getattr(settings, "DASHBOARD_CACHE_SECONDS", None)
    if configured is None:
        return 0 if settings.DEBUG else DEFAULT_SECONDS  # off while templates are edited
    return configured


def normal_query(readers: tuple[ParameterReader, ...], params: QueryDict) -> str:
    """The parameters `readers` read from `params`, in their normal form, as a query string;
    `BadParameter` for the first bad one."""
    parameters: dict[str, str] = {}
    for read in readers:
        parameters |= read(params)
    return urlencode(parameters)


def _htmx_answer(request: HttpRequest) -> str:
    """The HTMX headers as rendering.render_page reads them: whether it is an HTMX request,
    a history restore, a "show more" button's and the filter form's (any other target or
    trigger is answered alike)."""
    header = request.META.get
    return "".join(
        "1" if asked else "0"
        for asked in (
            header("HTTP_HX_REQUEST") == "true",
            header("HTTP_HX_HISTORY_RESTORE_REQUEST") == "true",
            header("HTTP_HX_TARGET") == SHOW_MORE,
            header("HTTP_HX_TRIGGER") == FILTER_FORM,
        )
    )


def page_cache_key(request: HttpRequest, query: str, version: int) -> str:
    """The key of the answer to `request`, whose parameters are `query` (normal_query)."""
    language = getattr(request, "LANGUAGE_CODE", "")
    request_part = "\n".join(
        (request.scheme, request.get_host(), request.path, language, query, _htmx_answer(request))
    )
    digest = hashlib.sha256(request_part.encode()).hexdigest()
    return f"page:{version}:{datetime.date.today().isoformat()}:{digest}"


@contextmanager
def _only_parameters(request: HttpRequest, query: str) -> Iterator[None]:
    """While the view runs, its request has `query` for a query string and nothing else."""
    saved_get, saved_query = request.GET, request.META.get("QUERY_STRING", "")
    request.GET, request.META["QUERY_STRING"] = QueryDict(query), query
    try:
        yield
    finally:
        request.GET, request.META["QUERY_STRING"] = saved_get, saved_query


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


class CacheBreaker:
    """Leaves the cache alone for `CACHE_RETRY_SECONDS` after a failed call (one per
    process); logs when the cache stops answering and when it answers again, once each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed_at = 0.0
        self.unavailable = False  # since the last failure, until a call succeeds

    def closed(self) -> bool:
        """Whether to call the cache now: yes unless a call failed less than
        CACHE_RETRY_SECONDS ago."""
        if not self.unavailable:
            return True
        return time.monotonic() - self._failed_at >= _retry_seconds()

    def failed(self, error: Exception) -> None:
        with self._lock:
            first = not self.unavailable
            self.unavailable, self._failed_at = True, time.monotonic()
        if first:
            logger.warning(
                "page cache unavailable (%s: %s); serving pages uncached, trying again every %s s",
                type(error).__name__,
                error,
                _retry_seconds(),
            )

    def succeeded(self) -> None:
        with self._lock:
            recovered, self.unavailable = self.unavailable, False
        if recovered:
            logger.warning("page cache available again")


breaker = CacheBreaker()


def _retry_seconds() -> int:
    return getattr(settings, "CACHE_RETRY_SECONDS", 30)


def _cache_call(call: Callable[[], object]) -> tuple[bool, object]:
    """(whether the cache answered, its answer): not called while the breaker is open."""
    if not breaker.closed():
        return False, None
    try:
        answer = call()
    except Exception as error:  # the backend's own error class (redis.TimeoutError, ...)
        breaker.failed(error)
        return False, None
    breaker.succeeded()
    return True, answer


def _accepts_gzip(request: HttpRequest) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _response(status: int, headers: dict, content: bytes, gzipped: bool) -> HttpResponse:
    response = HttpResponse(content, status=status, headers=headers)
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(content))
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def cache_on_data_version(
    *readers: ParameterReader,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Serve the view's 200 answers to GET and HEAD from the cache until the data changes,
    keyed on the parameters `readers` read (see above); the view sees only those.

    Each answer is kept plain and gzipped (compressed once, when it is cached): readers
    whose browser accepts gzip, nearly all, get a tenth of the bytes. The page holds no
    secret (its CSRF token is a throwaway), so compression gives BREACH nothing to find.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            seconds = cache_seconds()
            # A page offering the reader their browser's language is theirs alone
            # (languages.py).
            offering = getattr(request, "language_offer", None)
            # A staff member's page says what only staff see (transfers gone stale): theirs.
            staff = getattr(getattr(request, "user", None), "is_staff", False)
            if seconds <= 0 or request.method not in ("GET", "HEAD") or offering or staff:
                return view(request, *args, **kwargs)
            try:
                query = normal_query(readers, request.GET)
            except BadParameter:
                return view(request, *args, **kwargs)  # its 400 names it; never cached
            with _only_parameters(request, query):
                return _cached_answer(view, request, query, seconds, *args, **kwargs)

        cached_view.page_cache_readers = readers  # the tests find every cached view by it
        return cached_view

    return decorator


def _cached_answer(view, request: HttpRequest, query: str, seconds: int, *args, **kwargs):
    key = page_cache_key(request, query, current_data_version())
    gzipped = _accepts_gzip(request)
    answered, hit = _cache_call(lambda: cache.get(f"{key}:{'gzip' if gzipped else 'plain'}"))
    if hit is not None:
        response = _response(*hit, gzipped)
        response["X-Page-Cache"] = "hit"
        return response
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
    if answered and len(content) <= getattr(
        settings, "DASHBOARD_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES
    ):
        entries = {
            f"{key}:plain": (response.status_code, headers, content),
            f"{key}:gzip": (response.status_code, headers, compressed),
        }
        answered, _ = _cache_call(lambda: cache.set_many(entries, seconds))
    answer = _response(response.status_code, headers, compressed if gzipped else content, gzipped)
    answer["X-Page-Cache"] = "miss" if answered else "unavailable"
    return answer
