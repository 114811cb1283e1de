"""The staff side of tweets: browsing, searching and moderation removal.

Everything here is read-only: tweets, likes, bookmarks, versions and
hashtags are written only by tweets.services, which keep the counters exact
and send the domain events. A moderator removes tweets with the "Remove
selected tweets" action, which calls delete_tweet; the admin's own delete
is switched off.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.text import Truncator

from accounts.admin import ReadOnlyAdmin, error_text

from . import services
from .models import Bookmark, Hashtag, Like, Tweet, TweetVersion


def _short(text: str) -> str:
    return Truncator(text).chars(60)


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return (("no", "No"), ("yes", "Yes"))

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


class TweetVersionInline(admin.TabularInline):
    model = TweetVersion
    fields = ("created_at", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tweet)
class TweetAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "author",
        "short_text",
        "reply",
        "retweet",
        "visibility",
        "created_at",
        "edited_at",
        "deleted_at",
        "replies_count",
        "likes_count",
        "retweets_count",
        "quotes_count",
    )
    list_select_related = ("author",)
    list_filter = ("visibility", DeletedFilter, "sensitive", "created_at")
    search_fields = ("text", "author__username")
    search_help_text = "Words of the text, an author's username, or a tweet id."
    raw_id_fields = ("author", "removed_by", "in_reply_to", "in_reply_to_author", "retweet_of", "quote_of")
    ordering = ("-id",)  # Snowflake ids: newest first, on the primary key index
    fieldsets = (
        (None, {"fields": ("id", "author", "text", "visibility", "sensitive", "spoiler_text", "language")}),
        (
            "Thread",
            {"fields": ("conversation_id", "in_reply_to", "in_reply_to_author", "retweet_of", "quote_of")},
        ),
        ("History", {"fields": ("created_at", "edited_at", "deleted_at", "removed_by")}),
        ("Counters", {"fields": (("replies_count", "likes_count", "retweets_count", "quotes_count"),)}),
        ("Entities", {"fields": ("hashtags", "mentions", "entities")}),
    )
    inlines = [TweetVersionInline]
    actions = ["remove_tweets"]

    @admin.display(description="text")
    def short_text(self, obj):
        return _short(obj.text)

    @admin.display(description="reply", boolean=True)
    def reply(self, obj):
        return obj.in_reply_to_id is not None

    @admin.display(description="retweet", boolean=True)
    def retweet(self, obj):
        return obj.retweet_of_id is not None

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isdigit() and len(term) < 20:
            # A tweet id (from a report or a URL) finds that tweet, by its index.
            found |= queryset.filter(pk=int(term))
        return found, may_have_duplicates

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting rows would skip the counters and the tombstone: removal only.
        actions.pop("delete_selected", None)
        return actions

    def has_remove_permission(self, request):
        return request.user.has_perm("tweets.remove_tweet")

    @admin.action(description="Remove selected tweets", permissions=["remove"])
    def remove_tweets(self, request, queryset):
        removed = 0
        for tweet in queryset.filter(deleted_at__isnull=True):
            try:
                services.delete_tweet(request.user, tweet)
            except Tweet.DoesNotExist:
                pass  # gone meanwhile, e.g. a retweet of a tweet removed just before
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"Tweet {tweet.pk}: {error_text(exc)}", messages.ERROR)
            else:
                removed += 1
        if removed:
            self.message_user(request, f"Removed {removed} tweet(s).", messages.SUCCESS)


@admin.register(TweetVersion)
class TweetVersionAdmin(ReadOnlyAdmin):
    list_display = ("id", "tweet", "short_text", "created_at")
    list_select_related = ("tweet__author",)
    raw_id_fields = ("tweet",)
    search_fields = ("text", "tweet__author__username")
    list_filter = ("created_at",)
    ordering = ("-pk",)

    @admin.display(description="text")
    def short_text(self, obj):
        return _short(obj.text)


@admin.register(Hashtag)
class HashtagAdmin(ReadOnlyAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    list_filter = ("created_at",)
    ordering = ("-pk",)


@admin.register(Like)
class LikeAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "tweet", "created_at")
    list_select_related = ("user", "tweet__author")
    raw_id_fields = ("user", "tweet")
    search_fields = ("user__username",)
    list_filter = ("created_at",)
    ordering = ("-pk",)


@admin.register(Bookmark)
class BookmarkAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "tweet", "created_at")
    list_select_related = ("user", "tweet__author")
    raw_id_fields = ("user", "tweet")
    search_fields = ("user__username",)
    list_filter = ("created_at",)
    ordering = ("-pk",)
