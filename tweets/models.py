"""Tweets and what hangs off them: versions, hashtags, likes, bookmarks.

A retweet is a Tweet row with `retweet_of` set and no text of its own, so
every timeline is one list of tweet ids (the Mastodon "reblog" model).
Deleting an original tweet leaves a tombstone row (deleted_at set, text
wiped) so that replies keep their place in the thread.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Collate
from django.urls import reverse


class Visibility(models.TextChoices):
    PUBLIC = "public", "Everyone"
    UNLISTED = "unlisted", "Everyone, but not in public timelines"
    PRIVATE = "private", "Followers only"


class Hashtag(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="Lower case, without '#'.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Search by prefix (tweets.selectors.search_hashtags).
        indexes = [models.Index(Collate("name", "C"), name="tweets_hashtag_name_prefix")]

    def __str__(self):
        return f"#{self.name}"

    def get_absolute_url(self):
        return reverse("hashtag", args=[self.name])


class Tweet(models.Model):
    # Set by tweets.services from next_snowflake_id() (see tweets.snowflake).
    id = models.BigIntegerField(primary_key=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tweets")
    text = models.TextField(blank=True)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The moderator who removed this tweet, if one did.",
    )

    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    in_reply_to_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The id of the thread's first tweet; equal to id for a thread's root.
    conversation_id = models.BigIntegerField(db_index=True)
    retweet_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="retweets"
    )
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )

    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    sensitive = models.BooleanField(default=False)
    spoiler_text = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=8, blank=True)

    # Parsed at post and edit time: {"hashtags": [...], "mentions": [...],
    # "urls": [...]}, each item with its code-point "indices" in `text`.
    entities = models.JSONField(default=dict, blank=True)
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="tweets")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")

    # Exact counters, changed with F() in the same transaction as the rows
    # they count (see tweets.services).
    replies_count = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveIntegerField(default=0)
    retweets_count = models.PositiveIntegerField(default=0)
    quotes_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "retweet_of"],
                condition=models.Q(retweet_of__isnull=False),
                name="tweets_tweet_one_retweet_per_author",
            ),
            models.CheckConstraint(
                condition=models.Q(retweet_of__isnull=True) | models.Q(text=""),
                name="tweets_tweet_retweet_has_no_text",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-id"], name="tweets_author_id"),
            # The public timeline: newest public originals, no tombstones.
            models.Index(
                fields=["-id"],
                condition=models.Q(visibility="public", retweet_of__isnull=True, deleted_at__isnull=True),
                name="tweets_public_recent",
            ),
        ]
        permissions = [("remove_tweet", "Can remove any tweet (moderation)")]

    def __str__(self):
        if self.retweet_of_id:
            return f"{self.author} retweeted {self.retweet_of_id}"
        return f"{self.author}: {self.text[:50]}"

    def get_absolute_url(self):
        return reverse("tweet_detail", args=[self.author.username, self.pk])

    @property
    def shown(self) -> "Tweet":
        """The tweet this row shows: the retweeted original, or the row itself."""
        return self.retweet_of if self.retweet_of_id else self

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_reply(self) -> bool:
        return self.in_reply_to_id is not None


class TweetVersion(models.Model):
    """An earlier text of an edited tweet; the current text lives on the tweet."""

    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField()
    spoiler_text = models.CharField(max_length=100, blank=True, default="")
    sensitive = models.BooleanField(default=False)
    # The media shown then, in order, with the alt text each had:
    # [{"id": 5, "description": "..."}] (Mastodon's ordered_media_attachment_ids
    # and media_descriptions). The attachments stay on the tweet until it is deleted.
    media = models.JSONField(default=list, blank=True)
    # When this text became the tweet's text (its post or previous edit).
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Version of {self.tweet_id} from {self.created_at:%Y-%m-%d %H:%M}"


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tweet"], name="tweets_like_unique")]
        indexes = [
            # The likes tab pages by like id.
            models.Index(fields=["user", "-id"], name="tweets_like_user_recent"),
            models.Index(fields=["tweet", "-created_at"], name="tweets_like_tweet_recent"),
        ]

    def __str__(self):
        return f"{self.user} likes {self.tweet_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tweet"], name="tweets_bookmark_unique")]
        indexes = [models.Index(fields=["user", "-created_at"], name="tweets_bookmark_user_recent")]

    def __str__(self):
        return f"{self.user} bookmarked {self.tweet_id}"
