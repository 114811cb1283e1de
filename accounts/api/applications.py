"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from api.authentication import INVALID_TOKEN
from api.views import MastodonView

from .. import applications
from .serializers import ApplicationSerializer, application_json


def _uris(data) -> list[str]:
    """`redirect_uris` as one string (newline- or space-separated) or as an array."""
    if hasattr(data, "getlist"):
        values = data.getlist("redirect_uris[]") or data.getlist("redirect_uris")
    else:
        values = data.get("redirect_uris") or data.get("redirect_uris[]") or []
        values = [values] if isinstance(values, str) else values
    return [uri for value in values if isinstance(value, str) for uri in value.split()]


class AppsView(MastodonView):
    """Register a client app; anyone may, a few times per address."""

    anonymous = {"POST"}
    scopes = {"POST": "read|write|follow|push|profile"}
    rate_limit = ("apps", {"POST"})

    @extend_schema(request=None, responses=ApplicationSerializer)
    def post(self, request):
        data = request.data
        scopes = data.get("scopes", "")
        application, secret = applications.register_application(
            name=str(data.get("client_name", "")),
            redirect_uris=_uris(data),
            scopes=" ".join(scopes) if isinstance(scopes, list) else str(scopes),
            website=str(data.get("website") or ""),
        )
        return Response(application_json(application, secret=secret))


class VerifyAppView(MastodonView):
    """The app a token belongs to: any valid token, a user's or the app's own."""

    anonymous = {"GET"}
    scopes = {"GET": "read|write|follow|push|profile"}

    @extend_schema(responses=ApplicationSerializer)
    def get(self, request):
        if request.auth is None:
            raise NotAuthenticated(INVALID_TOKEN)
        return Response(application_json(request.auth.application))
