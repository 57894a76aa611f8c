"""Turns a :class:`PovexitError` raised in a view into a page (or JSON) with the right status."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from ..errors import PovexitError
from ..errors.render import http_payload, http_status


def status_for(err: PovexitError) -> int:
    if any(d.code == "PVX-V09" for d in err.diagnostics):
        return 409  # someone else changed the case first
    return http_status(err)


class PovexitErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PovexitError):
            return None
        lang = "en" if getattr(request, "LANGUAGE_CODE", "zh").startswith("en") else "zh"
        status = status_for(exception)
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(http_payload(exception, lang=lang), status=status)
        return render(
            request,
            "server/error.html",
            {
                "diagnostics": [d.to_dict(lang) for d in exception.diagnostics],
                "status": status,
            },
            status=status,
        )


class LanguageMiddleware:
    """Chinese first: the language chosen with the switch (cookie) or the server's default
    (``POVEXIT_LANG``) — never the browser's Accept-Language, so an English-language browser in a
    county office still gets the Chinese interface unless someone switches it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        translation.deactivate()
        return response
