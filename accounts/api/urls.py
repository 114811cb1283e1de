from django.urls import path

from . import accounts, applications, graph, lists, profile

ACCOUNT = "api/v1/accounts/<str:account_id>"
FOLLOW_REQUEST = "api/v1/follow_requests/<str:account_id>"

urlpatterns = [
    path("api/v1/apps", applications.AppsView.as_view(), name="api_apps"),
    path("api/v1/apps/verify_credentials", applications.VerifyAppView.as_view(), name="api_apps_verify"),
    # The user's own account (fixed paths first: they would match <account_id>).
    path(
        "api/v1/accounts/verify_credentials",
        profile.VerifyCredentialsView.as_view(),
        name="api_verify_credentials",
    ),
    path(
        "api/v1/accounts/update_credentials",
        profile.UpdateCredentialsView.as_view(),
        name="api_update_credentials",
    ),
    path("api/v1/preferences", profile.PreferencesView.as_view(), name="api_preferences"),
    path("api/v1/profile/avatar", profile.RemoveImageView.as_view(image="avatar"), name="api_remove_avatar"),
    path("api/v1/profile/header", profile.RemoveImageView.as_view(image="header"), name="api_remove_header"),
    # Reading accounts.
    path("api/v1/accounts/lookup", accounts.LookupView.as_view(), name="api_account_lookup"),
    path("api/v1/accounts/search", accounts.SearchView.as_view(), name="api_account_search"),
    path("api/v1/accounts/relationships", accounts.RelationshipsView.as_view(), name="api_relationships"),
    path(ACCOUNT, accounts.AccountView.as_view(), name="api_account"),
    path(f"{ACCOUNT}/followers", accounts.FollowersView.as_view(), name="api_account_followers"),
    path(f"{ACCOUNT}/following", accounts.FollowingView.as_view(), name="api_account_following"),
    # Changing relationships.
    path(f"{ACCOUNT}/follow", graph.FollowView.as_view(), name="api_follow"),
    path(f"{ACCOUNT}/unfollow", graph.UnfollowView.as_view(), name="api_unfollow"),
    path(
        f"{ACCOUNT}/remove_from_followers",
        graph.RemoveFromFollowersView.as_view(),
        name="api_remove_from_followers",
    ),
    path(f"{ACCOUNT}/block", graph.BlockView.as_view(), name="api_block"),
    path(f"{ACCOUNT}/unblock", graph.UnblockView.as_view(), name="api_unblock"),
    path(f"{ACCOUNT}/mute", graph.MuteView.as_view(), name="api_mute"),
    path(f"{ACCOUNT}/unmute", graph.UnmuteView.as_view(), name="api_unmute"),
    # The user's own lists.
    path("api/v1/follow_requests", lists.FollowRequestsView.as_view(), name="api_follow_requests"),
    path(
        f"{FOLLOW_REQUEST}/authorize",
        graph.AuthorizeFollowRequestView.as_view(),
        name="api_follow_request_authorize",
    ),
    path(
        f"{FOLLOW_REQUEST}/reject", graph.RejectFollowRequestView.as_view(), name="api_follow_request_reject"
    ),
    path("api/v1/blocks", lists.BlocksView.as_view(), name="api_blocks"),
    path("api/v1/mutes", lists.MutesView.as_view(), name="api_mutes"),
]
