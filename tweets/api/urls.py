"""Mastodon's statuses routes, declared without a trailing slash
(api.middleware makes it optional)."""

from django.urls import path

from . import interactions, lists, statuses, tags

STATUS = "api/v1/statuses/<str:status_id>"

urlpatterns = [
    path("api/v1/statuses", statuses.StatusesView.as_view(), name="api_statuses"),
    path(STATUS, statuses.StatusView.as_view(), name="api_status"),
    path(f"{STATUS}/source", statuses.SourceView.as_view(), name="api_status_source"),
    path(f"{STATUS}/history", statuses.HistoryView.as_view(), name="api_status_history"),
    path(f"{STATUS}/context", statuses.ContextView.as_view(), name="api_status_context"),
    path(f"{STATUS}/favourite", interactions.FavouriteView.as_view(), name="api_status_favourite"),
    path(f"{STATUS}/unfavourite", interactions.UnfavouriteView.as_view(), name="api_status_unfavourite"),
    path(f"{STATUS}/reblog", interactions.ReblogView.as_view(), name="api_status_reblog"),
    path(f"{STATUS}/unreblog", interactions.UnreblogView.as_view(), name="api_status_unreblog"),
    path(f"{STATUS}/bookmark", interactions.BookmarkView.as_view(), name="api_status_bookmark"),
    path(f"{STATUS}/unbookmark", interactions.UnbookmarkView.as_view(), name="api_status_unbookmark"),
    path(f"{STATUS}/favourited_by", interactions.FavouritedByView.as_view(), name="api_status_favourited_by"),
    path(f"{STATUS}/reblogged_by", interactions.RebloggedByView.as_view(), name="api_status_reblogged_by"),
    path("api/v1/tags/<str:name>", tags.TagView.as_view(), name="api_tag"),
    path("api/v1/bookmarks", lists.BookmarksView.as_view(), name="api_bookmarks"),
    path("api/v1/favourites", lists.FavouritesView.as_view(), name="api_favourites"),
    path(
        "api/v1/accounts/<str:account_id>/statuses",
        lists.AccountStatusesView.as_view(),
        name="api_account_statuses",
    ),
]
