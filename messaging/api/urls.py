"""Direct messages' API routes. Included before tweets.api.urls: the two
statuses routes here take direct messages and hand the rest to the tweets
views they extend (messaging.api.views)."""

from django.urls import path

from . import views

urlpatterns = [
    path("api/v1/conversations", views.ConversationsView.as_view(), name="api_conversations"),
    path(
        "api/v1/conversations/<str:conversation_id>",
        views.ConversationView.as_view(),
        name="api_conversation",
    ),
    path(
        "api/v1/conversations/<str:conversation_id>/read",
        views.ReadConversationView.as_view(),
        name="api_conversation_read",
    ),
    path("api/v1/statuses", views.StatusesOrMessageView.as_view(), name="api_statuses"),
    path("api/v1/statuses/<str:status_id>", views.StatusOrMessageView.as_view(), name="api_status"),
]
