"""Bad input answered as such: a 400 page naming the parameter, never a 500.

`BadParameter` is what parameter parsing raises (dashboards/filters.py and the views);
`BadParameterMiddleware` turns it into the 400 page. `RefuseNulBytesMiddleware` stops a
NUL byte before anything reads it: PostgreSQL cannot hold one in text, so a query that
compares a column with `KE\\x00` fails inside the database, wherever it is made (a page's
filter, the admin's list filters, search and autocomplete, an object's URL). No URL or
parameter of the site has a use for one. `OneLine` keeps a refused request's log entry
(a wrong Host header) to one line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

NUL = "\x00"


class BadParameter(Exception):
    def __init__(self, parameter: str, value: str, accepted: str) -> None:
        self.parameter = parameter
        self.value = value
        self.accepted = accepted
        super().__init__(f"{parameter}={value!r}: {accepted}")


def bad_parameter_response(request: HttpRequest, error: BadParameter) -> HttpResponse:
    """The 400 page: which parameter, the value as received and what it accepts."""
    return render(request, "400_parameter.html", {"error": error}, status=400)


class BadParameterMiddleware:
    """Answer a bad query parameter with a 400 page that names it and what it accepts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadParameter):
            return None
        return bad_parameter_response(request, exception)


class RefuseNulBytesMiddleware:
    """A path with a NUL byte names nothing (404); a parameter with one is a bad
    parameter (400, naming it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info:
            raise Http404("No such page.")
        for name, values in request.GET.lists():
            if NUL in name or any(NUL in value for value in values):
                value = next((value for value in values if NUL in value), "")
                error = BadParameter(
                    name.replace(NUL, "\\0"),
                    value.replace(NUL, "\\0"),
                    gettext("a NUL character (\\0) is never part of a value"),
                )
                return bad_parameter_response(request, error)
        return self.get_response(request)


class OneLine(logging.Filter):
    """A log record as one line, without its traceback: for requests refused as they
    should be (Django's `django.security.DisallowedHost`: a Host header not in
    ALLOWED_HOSTS, which scanners send all day), whose traceback says nothing more than
    the message. Line breaks in the message (the header is the client's) are escaped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage().replace("\r", "\\r").replace("\n", "\\n")
        record.msg, record.args = message, ()
        record.exc_info = record.exc_text = record.stack_info = None
        return True
