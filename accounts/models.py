"""Users, their profiles and the social graph between them."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F
from django.db.models.functions import Collate, Lower
from django.urls import reverse
from oauth2_provider.models import AbstractApplication

from .validators import username_validator, validate_not_reserved


class CaseInsensitiveUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Log-in and lookups by username ignore case, as on Twitter.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A person with a profile. `is_active=False` means suspended."""

    username = models.CharField(
        max_length=15,
        unique=True,
        validators=[username_validator, validate_not_reserved],
        help_text="1 to 15 letters, digits or underscores.",
        error_messages={"unique": "That username is taken."},
    )
    email = models.EmailField("email address", blank=True)
    display_name = models.CharField(max_length=50, blank=True)
    bio = models.CharField(max_length=160, blank=True)
    location = models.CharField(max_length=30, blank=True)
    website = models.URLField(max_length=100, blank=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    header = models.ImageField(upload_to="headers/%Y/%m/", blank=True)
    is_protected = models.BooleanField(
        "protected", default=False, help_text="Only approved followers see the tweets."
    )
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    # Denormalised counters, changed only by accounts.services / tweets.services
    # in the same transaction as the rows they count.
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    tweets_count = models.PositiveIntegerField(default=0)

    objects = CaseInsensitiveUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message="That username is taken.",
            ),
            models.CheckConstraint(
                condition=models.Q(suspended_at__isnull=True) | models.Q(is_active=False),
                name="accounts_user_suspended_inactive",
            ),
        ]
        permissions = [("suspend_user", "Can suspend and unsuspend accounts")]
        # Account search (accounts.selectors.search_accounts): username
        # prefixes (LIKE 'ann%' can use a btree only in the "C" collation),
        # words of display names, and trigrams of both for misspellings.
        indexes = [
            models.Index(Collate(Lower("username"), "C"), name="accounts_user_username_prefix"),
            GinIndex(SearchVector("display_name", config="simple"), name="accounts_user_display_name_fts"),
            GinIndex(OpClass(Lower("username"), name="gin_trgm_ops"), name="accounts_user_username_trgm"),
            GinIndex(OpClass(Lower("display_name"), name="gin_trgm_ops"), name="accounts_user_name_trgm"),
            # The most followed first: completion of a common prefix walks it.
            models.Index(
                F("followers_count").desc(),
                "id",
                condition=models.Q(is_active=True),
                name="accounts_user_most_followed",
            ),
        ]

    def __str__(self):
        return f"@{self.username}"

    def get_absolute_url(self):
        return reverse("profile", args=[self.username])

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_set")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="accounts_follow_unique"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="accounts_follow_not_self"
            ),
        ]
        # follower_id is covered by the unique constraint's index; lists of a
        # user's followers read by followee, newest first.
        indexes = [
            models.Index(fields=["followee", "-created_at"], name="accounts_follow_followee"),
            # The API pages followers by row id (Mastodon's cursors).
            models.Index(fields=["followee", "-id"], name="accounts_follow_followee_id"),
        ]

    def __str__(self):
        return f"{self.follower} follows {self.followee}"


class FollowRequest(models.Model):
    """A pending request to follow a protected account."""

    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sent_follow_requests")
    target = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follow_requests")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "target"], name="accounts_followrequest_unique"),
            models.CheckConstraint(
                condition=~models.Q(requester=models.F("target")),
                name="accounts_followrequest_not_self",
            ),
        ]
        indexes = [models.Index(fields=["target", "-created_at"], name="accounts_fr_target")]

    def __str__(self):
        return f"{self.requester} asks to follow {self.target}"


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="accounts_block_unique"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="accounts_block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked"], name="accounts_block_blocked")]

    def __str__(self):
        return f"{self.blocker} blocks {self.blocked}"


class Mute(models.Model):
    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_made")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="accounts_mute_unique"),
            models.CheckConstraint(
                condition=~models.Q(muter=models.F("muted")), name="accounts_mute_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.muter} mutes {self.muted}"


class Application(AbstractApplication):
    """An OAuth 2.0 client: a Mastodon app, registered by anyone through
    POST /api/v1/apps, or a staff-made one in the admin.

    One registration serves the authorization code flow (with or without
    PKCE), client_credentials and refresh_token, as in Mastodon.
    """

    website = models.URLField(max_length=500, blank=True)
    scopes = models.CharField(max_length=1000, default="read", help_text="The scopes it may ask for.")

    def allows_grant_type(self, *grant_types) -> bool:
        return bool(set(grant_types) & {self.GRANT_AUTHORIZATION_CODE, self.GRANT_CLIENT_CREDENTIALS})

    def get_allowed_schemes(self) -> list[str]:
        # Native apps register their own schemes (tusky://...); which ones
        # are safe was decided when the app registered (accounts.services).
        return sorted({uri.split(":", 1)[0].lower() for uri in self.redirect_uris.split()})
