"""The staff side of direct messages: metadata only.

Staff see who talks with whom and when (for abuse reports and legal
requests), never a message body: the admin has no decrypted text and
shows no ciphertext or key either, and nothing here can be changed.
"""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import Conversation, Message, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ("user", "state", "joined_at", "left_at")
    readonly_fields = fields
    raw_id_fields = ("user",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "is_group", "title", "created_at", "key_id")
    list_filter = ("is_group", "key_id")
    search_fields = ("participants__user__username__iexact",)
    fields = ("id", "is_group", "title", "created_at", "key_id")
    readonly_fields = fields
    inlines = [ParticipantInline]
    date_hierarchy = "created_at"


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "conversation_id", "sender", "created_at")
    search_fields = ("sender__username__iexact",)
    fields = ("id", "conversation", "sender", "created_at")
    readonly_fields = fields
    list_select_related = ("sender",)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-id")
