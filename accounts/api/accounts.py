"""Reading accounts: one by id or username, search, relationships, and
the followers and following lists."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import pagination, params
from api.views import MastodonView

from .. import selectors
from .cursors import MAX_LIMIT, PAGE_PARAMETERS, account_or_404, accounts_page, page_request
from .serializers import AccountSerializer, RelationshipSerializer, account_json, relationship_json

MAX_RELATIONSHIPS = 80


def local_username(acct: str, request) -> str | None:
    """`ann`, `@ann` or `ann@this.host` -> "ann"; None for another server's account."""
    name, _, domain = acct.strip().removeprefix("@").partition("@")
    host = request.get_host().lower()
    if domain and domain.lower() not in {host, host.split(":")[0]}:
        return None
    return name


class AccountView(MastodonView):
    """An account's profile; anyone may read it, unless it is suspended."""

    anonymous = {"GET"}
    scopes = {"GET": "read:accounts"}

    @extend_schema(responses=AccountSerializer)
    def get(self, request, account_id):
        return Response(account_json(account_or_404(account_id), request))


class LookupView(MastodonView):
    """An account by its username (`acct`), without a search."""

    anonymous = {"GET"}
    scopes = {"GET": "read:accounts"}

    @extend_schema(parameters=[OpenApiParameter("acct", str, required=True)], responses=AccountSerializer)
    def get(self, request):
        username = local_username(params.text(request.query_params, "acct"), request)
        user = selectors.get_active_user(username) if username else None
        if user is None:
            raise Http404
        return Response(account_json(user, request))


class SearchView(MastodonView):
    """Accounts by username prefix or display-name words (local accounts only: `resolve` is moot)."""

    scopes = {"GET": "read:accounts"}

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("limit", int, description=f"At most {MAX_LIMIT}; 40 by default."),
            OpenApiParameter("offset", int),
            OpenApiParameter("following", bool, description="Only accounts you follow."),
            OpenApiParameter("resolve", bool, description="Ignored: there are no remote accounts."),
        ],
        responses=AccountSerializer(many=True),
    )
    def get(self, request):
        query = request.query_params
        limit = pagination.limit_param(request, default=40, maximum=MAX_LIMIT)
        offset = pagination.offset_param(request)
        following_only = params.flag(query, "following")
        params.flag(query, "resolve")  # validated, then ignored
        username = local_username(params.text(query, "q"), request)
        users = (
            selectors.search_accounts(
                request.user, username, limit=limit, offset=offset, following_only=following_only
            )
            if username
            else []
        )
        return Response([account_json(user, request) for user in users])


def _ids(values: list[str]) -> list[int]:
    """Distinct ids in the order asked; ones that cannot exist match nothing."""
    ids: dict[int, None] = {}
    for value in values:
        try:
            ids[params.object_id(value)] = None
        except Http404:
            continue
    if len(ids) > MAX_RELATIONSHIPS:
        raise ValidationError({"id": f"at most {MAX_RELATIONSHIPS} accounts at a time"})
    return list(ids)


class RelationshipsView(MastodonView):
    """How the user relates to each account asked for, in the order asked."""

    scopes = {"GET": "read:follows"}

    @extend_schema(
        parameters=[
            OpenApiParameter("id[]", str, many=True, required=True),
            OpenApiParameter("with_suspended", bool),
        ],
        responses=RelationshipSerializer(many=True),
    )
    def get(self, request):
        ids = _ids(params.listing(request.query_params, "id"))
        found = selectors.relationships_by_id(
            request.user, ids, include_suspended=params.flag(request.query_params, "with_suspended")
        )
        return Response([relationship_json(pk, found[pk]) for pk in ids if pk in found])


class FollowersView(MastodonView):
    """Who follows an account. A protected account's list is for itself and
    its followers; an account that blocks you shows you an empty list."""

    anonymous = {"GET"}
    scopes = {"GET": "read:accounts"}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=AccountSerializer(many=True))
    def get(self, request, account_id):
        account = account_or_404(account_id)
        page = page_request(request)
        rows = selectors.followers_page(account, page) if _lists_visible(request, account) else []
        return accounts_page(request, rows, [row.follower for row in rows], page)


class FollowingView(MastodonView):
    """Whom an account follows, with the same visibility as its followers."""

    anonymous = {"GET"}
    scopes = {"GET": "read:accounts"}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=AccountSerializer(many=True))
    def get(self, request, account_id):
        account = account_or_404(account_id)
        page = page_request(request)
        rows = selectors.following_page(account, page) if _lists_visible(request, account) else []
        return accounts_page(request, rows, [row.followee for row in rows], page)


def _lists_visible(request, account) -> bool:
    # The same rule as for its tweets: Twitter hides a protected account's
    # lists from non-followers, and Mastodon hides lists across a block.
    return selectors.can_see_tweets_of(request.user, account)
