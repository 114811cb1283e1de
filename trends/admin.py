"""Admin for trends: blocked hashtags, trend history."""

from django.contrib import admin, messages

from accounts.admin import ReadOnlyAdmin

from . import services
from .analytics import admin as _analytics_admin  # noqa: F401 - registers the analytics admin
from .models import TrendBlock, TrendSnapshot


@admin.register(TrendBlock)
class TrendBlockAdmin(admin.ModelAdmin):
    """Keep a hashtag out of the trends ("Add"), or let it trend again ("Delete").

    Both go through trends.services, which takes a blocked tag out of the
    current list at once; a block is never edited, only added or removed.
    """

    list_display = ("hashtag", "reason", "blocked_by", "created_at")
    list_select_related = ("hashtag", "blocked_by")
    search_fields = ("hashtag__name",)
    autocomplete_fields = ("hashtag",)
    fields = ("hashtag", "reason")
    ordering = ("-created_at",)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        block = services.block_hashtag(
            request.user, form.cleaned_data["hashtag"], form.cleaned_data["reason"]
        )
        obj.pk = block.pk

    def delete_model(self, request, obj):
        services.unblock_hashtag(request.user, obj.hashtag)

    def delete_queryset(self, request, queryset):
        for block in queryset.select_related("hashtag"):
            services.unblock_hashtag(request.user, block.hashtag)


@admin.register(TrendSnapshot)
class TrendSnapshotAdmin(ReadOnlyAdmin):
    """What trended when: every computed list, kept TRENDS_HISTORY_DAYS days."""

    list_display = ("computed_at", "rank", "hashtag", "score", "authors_last_hour", "baseline", "posts_24h")
    list_select_related = ("hashtag",)
    search_fields = ("hashtag__name",)
    date_hierarchy = "computed_at"
    actions = ("keep_out_of_trends",)

    @admin.action(permissions=["block"], description="Keep these hashtags out of the trends")
    def keep_out_of_trends(self, request, queryset):
        hashtags = {row.hashtag for row in queryset.select_related("hashtag")}
        for hashtag in hashtags:
            services.block_hashtag(request.user, hashtag, "Blocked from the trend history.")
        self.message_user(request, f"{len(hashtags)} hashtag(s) kept out of the trends.", messages.SUCCESS)

    def has_block_permission(self, request):
        return request.user.has_perm("trends.add_trendblock")
