"""The user's own lists of accounts: follow requests, blocks, mutes."""

from drf_spectacular.utils import extend_schema

from api.views import MastodonView

from .. import selectors
from .cursors import PAGE_PARAMETERS, accounts_page, page_request
from .serializers import AccountSerializer


class FollowRequestsView(MastodonView):
    """Accounts asking to follow the user, newest first."""

    scopes = {"GET": "read:follows"}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=AccountSerializer(many=True))
    def get(self, request):
        page = page_request(request)
        rows = selectors.follow_requests_page(request.user, page)
        return accounts_page(request, rows, [row.requester for row in rows], page)


class BlocksView(MastodonView):
    """Accounts the user blocks, most recently blocked first."""

    scopes = {"GET": "read:blocks"}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=AccountSerializer(many=True))
    def get(self, request):
        page = page_request(request)
        rows = selectors.blocks_page(request.user, page)
        return accounts_page(request, rows, [row.blocked for row in rows], page)


class MutesView(MastodonView):
    """Accounts the user mutes, most recently muted first."""

    scopes = {"GET": "read:mutes"}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=AccountSerializer(many=True))
    def get(self, request):
        page = page_request(request)
        rows = selectors.mutes_page(request.user, page)
        return accounts_page(request, rows, [row.muted for row in rows], page)
