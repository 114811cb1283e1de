"""Trending hashtags and engagement analytics.

The live counts are in Redis (trends.counters): hashtag uses per time
bucket as HyperLogLogs of author ids, impressions and profile visits as
per-day hashes. PostgreSQL keeps what must outlive Redis: the moderators'
blocks, the history of the trend lists, and the daily engagement
aggregates the analytics page, the admin and the Parquet export read.
"""

from django.conf import settings
from django.db import models


class TrendBlock(models.Model):
    """A hashtag a moderator keeps out of the trends (it still works as a tag)."""

    hashtag = models.OneToOneField("tweets.Hashtag", on_delete=models.CASCADE, related_name="trend_block")
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"#{self.hashtag.name} kept out of trends"


class TrendSnapshot(models.Model):
    """One row of one computed trend list: the history of what trended when."""

    computed_at = models.DateTimeField()
    rank = models.PositiveSmallIntegerField(help_text="1 is the top trend.")
    hashtag = models.ForeignKey("tweets.Hashtag", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text="How far the last hour's rate exceeds the tag's own baseline.")
    authors_last_hour = models.PositiveIntegerField(
        help_text="Distinct authors who used it in the last hour."
    )
    baseline = models.FloatField(help_text="Distinct authors per hour the tag usually has.")
    posts_24h = models.PositiveIntegerField(help_text="Tweets using it in the last 24 hours.")

    class Meta:
        ordering = ["-computed_at", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["computed_at", "rank"], name="trends_snapshot_one_per_rank"),
        ]
        indexes = [models.Index(fields=["hashtag", "-computed_at"], name="trends_snapshot_tag_recent")]

    def __str__(self):
        return f"#{self.hashtag_id} at {self.rank} ({self.computed_at:%Y-%m-%d %H:%M})"


class TweetDay(models.Model):
    """One tweet's engagement on one day (UTC)."""

    # No index of their own: the unique (tweet, day) and the (author, day)
    # indexes lead with them, and each index costs the roll-up's inserts.
    tweet = models.ForeignKey("tweets.Tweet", on_delete=models.CASCADE, related_name="+", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    impressions = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    retweets = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    quotes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tweet", "day"], name="trends_tweetday_unique")]
        indexes = [
            models.Index(fields=["author", "day"], name="trends_tweetday_author_day"),
            # One day's rows: the roll-up's clean-up and account sums, the
            # export and the admin's date filter (trends.analytics).
            models.Index(fields=["day"], name="trends_tweetday_day"),
        ]

    def __str__(self):
        return f"{self.tweet_id} on {self.day}"


class AccountDay(models.Model):
    """One account's engagement on one day (UTC): what its tweets received,
    who visited its profile, who followed it."""

    # No index of its own: the unique (user, day) index leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    tweets = models.PositiveIntegerField(default=0, help_text="Tweets posted (originals, replies, quotes).")
    impressions = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    retweets = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    quotes = models.PositiveIntegerField(default=0)
    profile_visits = models.PositiveIntegerField(default=0)
    new_followers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="trends_accountday_unique")]
        indexes = [models.Index(fields=["day"], name="trends_accountday_day")]

    def __str__(self):
        return f"{self.user_id} on {self.day}"
