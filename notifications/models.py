"""Notifications, the preferences that decide which are made, and the
Web Push subscriptions they are pushed to.

A notification is read when its id is at or below the recipient's
"notifications" read marker (timelines.Marker), as in Mastodon: one number
per user instead of a flag per row, shared by the pages and every app.
"""

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    LIKE = "like", "Likes"
    RETWEET = "retweet", "Retweets"
    REPLY = "reply", "Replies"
    MENTION = "mention", "Mentions"
    QUOTE = "quote", "Quotes"
    FOLLOW = "follow", "New followers"
    FOLLOW_REQUEST = "follow_request", "Follow requests"
    FOLLOW_ACCEPTED = "follow_accepted", "Accepted follow requests"
    NOTICE = "notice", "Notices from the staff"
    # One per sender: each new message replaces the last (messaging's events).
    MESSAGE = "message", "Direct messages"


# Several of these about one tweet (or several follows) on one day show as
# one line: "Ann and 12 others liked your tweet".
GROUPED_KINDS = (Kind.LIKE, Kind.RETWEET, Kind.FOLLOW)
# The staff must be able to reach everyone: notices cannot be switched off.
OPTIONAL_KINDS = tuple(kind for kind in Kind if kind != Kind.NOTICE)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Who did it; empty for staff notices, which speak for the site.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The tweet it is about: the one liked or retweeted (the original), or
    # the reply, mention or quote itself.
    tweet = models.ForeignKey(
        "tweets.Tweet", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=1000, blank=True, help_text="A staff notice's message.")
    # "like-<tweet id>-<day>": notifications sharing it show as one group.
    group_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One notification per cause, so a task that runs twice makes one.
            models.UniqueConstraint(
                fields=["recipient", "kind", "actor", "tweet"],
                condition=~models.Q(kind="notice"),
                nulls_distinct=False,
                name="notifications_one_per_cause",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="notice") | ~models.Q(actor=models.F("recipient")),
                name="notifications_not_to_oneself",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notifications_recipient_recent"),
            models.Index(fields=["recipient", "group_key"], name="notifications_recipient_group"),
            # Undoing a cause (unlike, deleted tweet) finds its notifications.
            models.Index(fields=["tweet"], name="notifications_tweet"),
        ]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id} from {self.actor_id}"

    @property
    def group(self) -> str:
        return self.group_key or f"ungrouped-{self.pk}"


class Preference(models.Model):
    """Whom a user hears from for one kind; no row means everyone."""

    class Who(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        FOLLOWING = "following", "Only people I follow"
        OFF = "off", "Nobody"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=[(k.value, k.label) for k in OPTIONAL_KINDS])
    who = models.CharField(max_length=10, choices=Who.choices, default=Who.EVERYONE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_preference_one_per_kind"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind} from {self.who}"


class PushSubscription(models.Model):
    """Where to push a user's notifications: a browser or an app's Web Push
    endpoint (RFC 8030), with the keys to encrypt for it (RFC 8291).

    An app's subscription belongs to its access token, one per token, as in
    Mastodon; a browser's (from the pages) to the user alone.
    """

    class Policy(models.TextChoices):
        ALL = "all", "Everyone"
        FOLLOWED = "followed", "People I follow"
        FOLLOWER = "follower", "People who follow me"
        NONE = "none", "Nobody"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    access_token = models.OneToOneField(
        settings.OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="push_subscription",
    )
    endpoint = models.URLField(max_length=2000)
    key_p256dh = models.CharField(max_length=200, help_text="The client's public key, base64url.")
    key_auth = models.CharField(max_length=100, help_text="The client's auth secret, base64url.")
    # Mastodon's alerts: {"mention": true, "favourite": false, ...}
    alerts = models.JSONField(default=dict, blank=True)
    policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.ALL)
    # RFC 8291 (aes128gcm); False: the older draft Mastodon apps used (aesgcm).
    standard = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # A browser subscribes once per user, whatever the page reloads.
            models.UniqueConstraint(
                fields=["user", "endpoint"],
                condition=models.Q(access_token__isnull=True),
                name="notifications_push_one_per_browser",
            ),
        ]

    def __str__(self):
        return f"Push for {self.user_id} to {self.endpoint[:60]}"
