"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from api import params
from api.errors import INVALID_TOKEN
from api.views import MastodonView

from .. import applications
from .serializers import ApplicationSerializer, application_json


def _uris(data) -> list[str]:
    """`redirect_uris` as one string (newline- or space-separated) or as an array."""
    return [uri for value in params.listing(data, "redirect_uris") for uri in value.split()]


class AppsView(MastodonView):
    """Register a client app; anyone may, a few times per address."""

    anonymous = {"POST"}
    scopes = {"POST": "read|write|follow|push|profile"}
    rate_limit = ("apps", {"POST"})

    @extend_schema(request=None, responses=ApplicationSerializer)
    def post(self, request):
        data = request.data
        application, secret = applications.register_application(
            name=params.text(data, "client_name"),
            redirect_uris=_uris(data),
            scopes=" ".join(params.listing(data, "scopes")),
            website=params.text(data, "website"),
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
