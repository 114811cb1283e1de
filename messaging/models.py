"""Direct-message conversations, their participants and their messages.

A message body is stored only as AES-256-GCM ciphertext (messaging.crypto):
no column here holds readable text. Conversation and message ids are
Snowflake ids from the tweets' sequence (tweets.snowflake): time-ordered,
so "newer than the last one read" is a comparison of ids, and never equal
to a tweet's id, so the API can show a message as a Status by its id.
"""

from django.conf import settings
from django.db import models

MAX_PARTICIPANTS = 50


class Conversation(models.Model):
    id = models.BigIntegerField(primary_key=True)
    is_group = models.BooleanField(default=False)
    title = models.CharField(max_length=50, blank=True)
    # "<smaller user id>:<larger user id>" of a one-to-one conversation, so
    # that two people have one conversation; empty for groups.
    pair_key = models.CharField(max_length=41, blank=True)
    data_key = models.BinaryField(help_text="The data key, wrapped by a master key.")
    key_id = models.CharField(max_length=32, help_text="Which master key wrapped the data key.")
    # The newest message's id (the conversation's own id before any): the
    # inbox's order.
    last_activity_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pair_key"], condition=~models.Q(pair_key=""), name="messaging_one_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(is_group=True, pair_key="") | models.Q(is_group=False, title=""),
                name="messaging_pair_or_group",
            ),
        ]
        # Key rotation finds the conversations still wrapped by an old key.
        indexes = [models.Index(fields=["key_id"], name="messaging_conversation_key")]

    def __str__(self):
        return f"{'Group' if self.is_group else 'Conversation'} {self.pk}"


class Participant(models.Model):
    class State(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        # A message request: the sender is not followed by this participant.
        PENDING = "pending", "Request"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACCEPTED)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # Message ids, 0 for none. Who joins a group later does not read what
    # was said before (visible_from); deleting a conversation for oneself
    # hides what it held (cleared_id) until someone writes again; the
    # newest message read gives unread counts and the others' "Seen".
    visible_from = models.BigIntegerField(default=0)
    cleared_id = models.BigIntegerField(default=0)
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="messaging_participant_once"),
        ]
        indexes = [models.Index(fields=["user", "state"], name="messaging_participant_user")]

    def __str__(self):
        return f"{self.user_id} in {self.conversation_id}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class Message(models.Model):
    id = models.BigIntegerField(primary_key=True)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ciphertext = models.BinaryField()
    nonce = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["conversation", "-id"], name="messaging_message_recent")]

    def __str__(self):
        return f"Message {self.pk} in {self.conversation_id}"


class DeletedMessage(models.Model):
    """A message one participant deleted for themselves; the others keep it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="messaging_deleted_once"),
        ]

    def __str__(self):
        return f"{self.message_id} deleted for {self.user_id}"


class WhoMayMessage(models.TextChoices):
    EVERYONE = "everyone", "Everyone (people I don't follow send a request)"
    FOLLOWING = "following", "Only people I follow"
    NOBODY = "nobody", "Nobody"


class MessagingPreference(models.Model):
    """Who may start a conversation with a user; no row means everyone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    who = models.CharField(max_length=10, choices=WhoMayMessage.choices, default=WhoMayMessage.EVERYONE)

    def __str__(self):
        return f"{self.user_id}: messages from {self.who}"
