"""The base of every API view: Mastodon's order of checks and its headers."""

from django.http import JsonResponse
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import pagination
from .errors import NOT_FOUND


def _check_body(request) -> None:
    """A JSON body must be an object: a list or a string is no endpoint's input."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and not hasattr(request.data, "items"):
        raise ParseError("The request body must be an object")


def viewer(request):
    """The request's user for selectors: None when anonymous (or an app token)."""
    return request.user if request.user.is_authenticated else None


class MastodonView(APIView):
    """APIView with rate limits counted before permissions, as Mastodon's
    Rack::Attack does, so that refused requests count and carry the headers.

    Subclasses set `scopes` (and `anonymous`) for api.scopes.HasScopes, and
    optionally `rate_limit = (bucket, methods)` for api.throttling.
    """

    def initial(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            # A route's wrong method is a 405 for everyone, before any token check.
            self.http_method_not_allowed(request, *args, **kwargs)
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        try:
            self.perform_authentication(request)
        finally:
            # After a failed authentication the request is anonymous and
            # counts against its address.
            self.check_throttles(request)
        self.check_permissions(request)
        _check_body(request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        window = getattr(request._request, "rate_limit_window", None)
        if window is not None:
            for name, value in window.headers().items():
                response[name] = value
        return response


def page_response(request, data: list, *, next_max_id=None, prev_min_id=None) -> Response:
    """A list response with Mastodon's Link header (omitted when there is no other page)."""
    headers = {}
    link = pagination.link_header(request, next_max_id=next_max_id, prev_min_id=prev_min_id)
    if link:
        headers["Link"] = link
    return Response(data, headers=headers)


def route_not_found(request, *args, **kwargs):
    """Any /api/ path no route matches: Mastodon's JSON 404, not an HTML page."""
    return JsonResponse({"error": NOT_FOUND}, status=404)
