from django.urls import path

from . import views

# "messages" is a reserved username, so these never shadow a profile.
urlpatterns = [
    path("messages/", views.inbox, name="messaging_inbox"),
    path("messages/requests/", views.inbox, {"tab": "requests"}, name="messaging_requests"),
    path("messages/new/", views.new, name="messaging_new"),
    path("messages/badge/", views.badge, name="messaging_badge"),
    path("messages/<int:conversation_id>/", views.conversation, name="messaging_conversation"),
    path("messages/<int:conversation_id>/send/", views.send, name="messaging_send"),
    path("messages/<int:conversation_id>/typing/", views.typing, name="messaging_typing"),
    path("messages/<int:conversation_id>/delete/", views.delete_conversation, name="messaging_delete"),
    path("messages/<int:conversation_id>/leave/", views.leave, name="messaging_leave"),
    path("messages/<int:conversation_id>/add/", views.add_people, name="messaging_add"),
    path("messages/<int:conversation_id>/accept/", views.accept, name="messaging_accept"),
    path("messages/<int:conversation_id>/decline/", views.delete_request, name="messaging_decline"),
    path("messages/<int:conversation_id>/block/", views.block_request, name="messaging_block"),
    path(
        "messages/<int:conversation_id>/<int:message_id>/delete/",
        views.delete_message,
        name="messaging_delete_message",
    ),
    path("settings/messages/", views.preferences, name="settings_messages"),
]
