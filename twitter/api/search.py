"""GET /api/v2/search: accounts, hashtags and statuses matching a query.

Accounts by username prefix, display-name words or a near spelling
(accounts.selectors), hashtags by name prefix (tweets.selectors), statuses
by full-text search (search.selectors, the same query language as the
search page), newest first as Mastodon lists them; a link to a tweet on
this server finds that tweet.
"""

from dataclasses import replace
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, ParseError, ValidationError
from rest_framework.response import Response

from accounts.api.accounts import local_username
from accounts.api.serializers import AccountSerializer, account_json
from accounts.selectors import get_active_user_by_id, search_accounts
from api import pagination, params
from api.views import MastodonView
from search.query import QueryError, parse
from search.selectors import search_tweets
from tweets.api.serializers import StatusSerializer, status_json, statuses_json, tag_json
from tweets.selectors import get_tweet, search_hashtags
from tweets.signals import send_tweets_shown

TYPES = ("accounts", "hashtags", "statuses")


def _local_tweet_id(query: str, request) -> int | None:
    """The id of the tweet a link on this server points to, or None."""
    parts = urlsplit(query.strip())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.get_host().lower():
        return None
    try:
        match = resolve(parts.path if parts.path.endswith("/") else parts.path + "/")
    except Resolver404:
        return None
    return match.kwargs.get("tweet_id") if match.url_name == "tweet_detail" else None


class SearchView(MastodonView):
    """Search accounts, hashtags and (by link) statuses; anyone may, with limits."""

    anonymous = {"GET"}
    scopes = {"GET": "read:search"}

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("type", str, enum=list(TYPES)),
            OpenApiParameter("limit", int, description="Per type: 20 by default, at most 40."),
            OpenApiParameter("offset", int, description="Only with `type`, and with a token."),
            OpenApiParameter("following", bool, description="Only accounts you follow."),
            OpenApiParameter("resolve", bool, description="Nothing remote to resolve: needs a token."),
            OpenApiParameter("account_id", str, description="Only statuses by this account."),
            OpenApiParameter("max_id", str, description="Statuses older than this id."),
        ],
        responses=inline_serializer(
            "Search",
            {
                "accounts": AccountSerializer(many=True),
                "hashtags": serializers.ListField(child=serializers.DictField()),
                "statuses": StatusSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        query = request.query_params
        q = params.text(query, "q").strip()
        if not q:
            raise ParseError("param is missing or the value is empty: q")
        kind = params.text(query, "type")
        if kind and kind not in TYPES:
            raise ValidationError({"type": f"must be one of {', '.join(TYPES)}"})
        limit = pagination.limit_param(request)
        offset = pagination.offset_param(request) if kind else 0
        following_only = params.flag(query, "following")
        signed_in = request.user.is_authenticated
        if not signed_in and offset:
            raise NotAuthenticated("Search queries pagination is not supported without authentication")
        if not signed_in and params.flag(query, "resolve"):
            raise NotAuthenticated(
                "Search queries that resolve remote resources are not supported without authentication"
            )
        viewer = request.user if signed_in else None
        wanted = [kind] if kind else list(TYPES)
        result = {"accounts": [], "hashtags": [], "statuses": []}

        tweet_id = _local_tweet_id(q, request) if "statuses" in wanted else None
        if tweet_id is not None:
            tweet = get_tweet(viewer, tweet_id)
            result["statuses"] = [status_json(tweet, request)] if tweet and offset == 0 else []
            return Response(result)
        if "accounts" in wanted and not q.startswith("#"):
            username = local_username(q, request)
            users = (
                search_accounts(viewer, username, limit=limit, offset=offset, following_only=following_only)
                if username and not (following_only and viewer is None)
                else []
            )
            result["accounts"] = [account_json(user, request) for user in users]
        if "hashtags" in wanted and not q.startswith("@"):
            tags = search_hashtags(q, limit=limit, offset=offset)
            result["hashtags"] = [tag_json(tag, request) for tag in tags]
        if "statuses" in wanted:
            tweets = _statuses(request, q, viewer, limit=limit, offset=offset, explicit=kind == "statuses")
            result["statuses"] = statuses_json(tweets, request)
            send_tweets_shown(viewer, tweets)
        return Response(result)


def _statuses(request, q: str, viewer, *, limit: int, offset: int, explicit: bool) -> list:
    """Full-text search. A query the language cannot run is a 422 when only
    statuses were asked for, and no statuses beside accounts and hashtags."""
    try:
        query = parse(q)
    except QueryError as error:
        if explicit:
            raise ValidationError({"q": str(error)}) from None
        return []
    account_id = request.query_params.get("account_id")
    if account_id:
        author = get_active_user_by_id(params.object_id(account_id))
        if author is None:
            return []
        query = replace(query, from_user=author.username.lower())
    max_id = pagination.id_param(request, "max_id")
    return search_tweets(viewer, query, order="latest", limit=limit, max_id=max_id, offset=offset).tweets
