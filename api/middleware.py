"""Request hygiene for the API and OAuth routes, before URL resolution."""

import re

from django.http import JsonResponse

API_PATH = re.compile(r"^/(api|oauth)/.+/$")
API_PREFIX = re.compile(r"^/(api|oauth)/")
TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded")


def optional_trailing_slash(get_response):
    """Some Mastodon clients add a slash to every path, POSTs included, where
    Django's APPEND_SLASH cannot redirect. API routes are declared without
    one, and this strips it."""

    def middleware(request):
        if API_PATH.match(request.path_info):
            request.path_info = request.path_info.rstrip("/")
        return get_response(request)

    return middleware


def _has_nul(request) -> bool:
    if "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if request.content_type in TEXT_BODIES:
        body = request.body
        return b"\x00" in body or b"%00" in body or b"\\u0000" in body
    if request.content_type == "multipart/form-data":
        return any("\x00" in value for key in request.POST for value in request.POST.getlist(key))
    return False


def refuse_nul_characters(get_response):
    """NUL characters anywhere in an API or OAuth request are a 400.

    PostgreSQL text cannot hold them, so they would otherwise fail as a 500
    deep inside a lookup or a write. Page forms refuse them through Django's
    form fields; the API has no forms, so the rule is here, once.
    """

    def middleware(request):
        if API_PREFIX.match(request.path_info) and _has_nul(request):
            return JsonResponse({"error": "The request contains a NUL character"}, status=400)
        return get_response(request)

    return middleware
