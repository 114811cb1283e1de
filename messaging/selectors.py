"""Reads of conversations and messages, with who sees what in one place.

Nobody sees a conversation they are not an active participant of: not
staff, not someone who left it. Within one, a reader sees the messages
after they joined and after they last cleared it, except those they
deleted for themselves, those of suspended accounts, and those of
accounts they block or are blocked by (in groups, where both may stay).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from accounts.models import Block, Follow, User
from accounts.selectors import audience_of
from media import selectors as media_selectors

from .crypto import Opener
from .models import Conversation, DeletedMessage, Message, MessagingPreference, Participant, WhoMayMessage

PAGE_SIZE = 50
# Conversations per page of the inbox and of its Requests tab.
INBOX_PAGE_SIZE = 20


def participation(user: User, conversation_id: int) -> Participant | None:
    """The user's active place in the conversation, None when they have none
    (they never had, left it, or are anonymous or suspended)."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        Participant.objects.select_related("conversation")
        .filter(user=user, conversation_id=conversation_id, left_at__isnull=True)
        .first()
    )


def _visible_to(participant: Participant, blocked: frozenset[int]) -> Q:
    return Q(
        conversation_id=participant.conversation_id,
        id__gt=max(participant.visible_from, participant.cleared_id),
        sender__is_active=True,
    ) & ~Q(sender_id__in=blocked)


def visible_messages(participant: Participant, blocked: frozenset[int] | None = None) -> QuerySet:
    """The messages `participant` may read, newest first (not decrypted).
    `blocked`: the reader's audience_of(...).blocked, when already known."""
    if blocked is None:
        blocked = audience_of(participant.user).blocked
    deleted = DeletedMessage.objects.filter(user_id=participant.user_id, message=OuterRef("pk"))
    return (
        Message.objects.filter(_visible_to(participant, blocked))
        .exclude(Exists(deleted))
        .select_related("sender")
        .order_by("-id")
    )


def decrypt(participant: Participant, messages) -> list[Message]:
    """Attach `text` to each message (all of one conversation)."""
    messages = list(messages)
    if messages:
        opener = Opener(participant.conversation)
        for message in messages:
            message.text = opener.text(message)
    return messages


def with_media(messages) -> list[Message]:
    """Set `media` (their attachments, in order) on readable messages: one
    query, none for no message. Only ever called with messages a selector
    here has let the reader see: message media have no other way out."""
    messages = [message for message in messages if message is not None]
    if messages:
        found = media_selectors.of_messages(message.pk for message in messages)
        for message in messages:
            message.media = found.get(message.pk, [])
    return messages


def messages_page(
    participant: Participant,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    limit: int = PAGE_SIZE,
    blocked: frozenset[int] | None = None,
    media: bool = True,
) -> list[Message]:
    """A page of readable messages, newest first, decrypted, with their
    `media` (unless `media=False`: the caller loads them for many pages)."""
    rows = visible_messages(participant, blocked)
    if max_id is not None:
        rows = rows.filter(id__lt=max_id)
    if since_id is not None:
        rows = rows.filter(id__gt=since_id)
    page = decrypt(participant, rows[:limit])
    return with_media(page) if media else page


def get_message(participant: Participant, message_id: int) -> Message | None:
    found = visible_messages(participant).filter(pk=message_id)[:1]
    return next(iter(with_media(decrypt(participant, found))), None)


def _unread_messages(user: User, blocked: Q) -> QuerySet:
    """The messages of the outer participant row's conversation that its
    user has not read: from others, active and not `blocked`, not deleted
    for the user, past what they read, cleared or joined after."""
    deleted = DeletedMessage.objects.filter(user_id=user.pk, message=OuterRef("pk"))
    return (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            id__gt=Greatest(OuterRef("last_read_id"), OuterRef("cleared_id"), OuterRef("visible_from")),
            sender__is_active=True,
        )
        .exclude(sender_id=user.pk)
        .exclude(blocked)
        .exclude(Exists(deleted))
    )


def _unread(user: User, blocked: frozenset[int]) -> Subquery:
    unread = (
        _unread_messages(user, Q(sender_id__in=blocked))
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def listed(user: User, *, requests: bool = False) -> QuerySet:
    """The participant rows of the user's inbox, plain: accepted
    conversations, or with `requests` the message requests they have not
    answered. A conversation they cleared shows again when someone writes
    in it."""
    state = Participant.State.PENDING if requests else Participant.State.ACCEPTED
    return Participant.objects.filter(user=user, state=state, left_at__isnull=True).filter(
        conversation__last_activity_id__gt=Greatest("cleared_id", "visible_from")
    )


def inbox(user: User, *, requests: bool = False, max_id: int | None = None) -> QuerySet:
    """The user's conversations (`listed` rows, with `conversation` and
    `unread`), most recently active first; with `max_id`, those whose
    newest message is older than it (the id is the list's cursor)."""
    blocked = audience_of(user).blocked
    rows = listed(user, requests=requests)
    if max_id is not None:
        rows = rows.filter(conversation__last_activity_id__lt=max_id)
    return (
        rows.select_related("conversation", "user")
        .annotate(unread=_unread(user, blocked))
        .order_by("-conversation__last_activity_id")
    )


@dataclass
class InboxPage:
    summaries: list["Summary"]
    next_max_id: int | None
    """Pass as max_id to get the next (older) page; None on the last page."""


def inbox_page(
    user: User, *, requests: bool = False, max_id: int | None = None, limit: int | None = None
) -> InboxPage:
    """One page of the inbox (or of its requests), summarized: `limit`
    conversations, INBOX_PAGE_SIZE by default."""
    limit = limit or INBOX_PAGE_SIZE
    rows = list(inbox(user, requests=requests, max_id=max_id)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return InboxPage(summarize(rows), rows[-1].conversation.last_activity_id if more and rows else None)


def _any_active_past_reading(user_id: int) -> bool:
    """Whether anything happened in one of the user's conversations past
    what they read: answered by the participant rows alone, without reading
    messages (every message moves its conversation's last_activity_id).
    Plain SQL: every page asks, and the ORM's compiling cost more than this."""
    sql = f"""
        SELECT EXISTS (
            SELECT FROM {Participant._meta.db_table} p
            JOIN {Conversation._meta.db_table} c ON c.id = p.conversation_id
            WHERE p.user_id = %(user)s AND p.state = %(accepted)s AND p.left_at IS NULL
              AND c.last_activity_id > GREATEST(p.last_read_id, p.cleared_id, p.visible_from))
    """  # noqa: S608 - table names come from the models; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user_id, "accepted": Participant.State.ACCEPTED})
        return cursor.fetchone()[0]


def unread_conversations(user: User) -> int:
    """How many accepted conversations have unread messages: the nav badge,
    on every page, so at most two queries (blocks checked in the second,
    not read first)."""
    if not user.is_authenticated:
        return 0
    if not _any_active_past_reading(user.pk):
        return 0
    conversations = Participant.objects.filter(
        user_id=user.pk, state=Participant.State.ACCEPTED, left_at__isnull=True
    )
    blocks = Block.objects.filter(
        Q(blocker_id=user.pk, blocked_id=OuterRef("sender_id"))
        | Q(blocked_id=user.pk, blocker_id=OuterRef("sender_id"))
    )
    unread = _unread_messages(user, Q(Exists(blocks)))
    return conversations.filter(Exists(unread)).count()


def pending_requests(user: User) -> int:
    return inbox(user, requests=True).count() if user.is_authenticated else 0


@dataclass
class Summary:
    """What a list of conversations shows of one: who else is in it and the
    newest message the reader may see (decrypted), if any."""

    participant: Participant
    others: list[User]
    last: Message | None

    @property
    def conversation(self):
        return self.participant.conversation

    @property
    def unread(self) -> int:
        return self.participant.unread


def summarize(participants) -> list[Summary]:
    """Summaries of inbox rows, in their order."""
    participants = list(participants)
    ids = [p.conversation_id for p in participants]
    members: dict[int, list[User]] = {}
    for row in (
        Participant.objects.filter(conversation_id__in=ids, left_at__isnull=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        members.setdefault(row.conversation_id, []).append(row.user)
    summaries = []
    blocked: dict[int, frozenset[int]] = {}
    for participant in participants:
        others = [u for u in members.get(participant.conversation_id, []) if u.pk != participant.user_id]
        if participant.user_id not in blocked:
            blocked[participant.user_id] = audience_of(participant.user).blocked
        page = messages_page(participant, limit=1, blocked=blocked[participant.user_id], media=False)
        summaries.append(Summary(participant, others, next(iter(page), None)))
    with_media(summary.last for summary in summaries)
    return summaries


def members(participant: Participant) -> list[Participant]:
    """The conversation's active participants (with `user`), the reader first."""
    rows = (
        Participant.objects.filter(conversation_id=participant.conversation_id, left_at__isnull=True)
        .select_related("user")
        .order_by("pk")
    )
    return sorted(rows, key=lambda row: row.user_id != participant.user_id)


def seen_by(participant: Participant) -> dict[int, int]:
    """Who else has read how far: {user id: newest message id read}. Message
    requests not yet accepted say nothing, as a request is read unseen."""
    return dict(
        Participant.objects.filter(
            conversation_id=participant.conversation_id,
            left_at__isnull=True,
            state=Participant.State.ACCEPTED,
            user__is_active=True,
        )
        .exclude(user_id=participant.user_id)
        .values_list("user_id", "last_read_id")
    )


def who_may_message(user: User) -> str:
    return (
        MessagingPreference.objects.filter(user=user).values_list("who", flat=True).first()
        or WhoMayMessage.EVERYONE
    )


def follows(follower_id: int, followee_id: int) -> bool:
    return Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists()
