"""The staff side of media: browsing attachments and why processing failed.

Read-only, like tweets: attachments are written only by media.services.
Direct messages' media are not listed: staff see messages' metadata only
(docs/messaging.md), never what they carry.
"""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import MediaAttachment


@admin.register(MediaAttachment)
class MediaAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "kind", "state", "tweet_id", "created_at")
    list_filter = ("kind", "state")
    search_fields = ("owner__username", "description")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "tweet")
    readonly_fields = ("error", "meta", "blurhash")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(message__isnull=True)
