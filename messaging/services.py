"""Every write a person can make to their direct messages.

Each function is one transaction. Bad input raises ValidationError (a form
message or a 422); messaging someone who may not be messaged (a block
either way, their preference) raises PermissionDenied (403); a
conversation the actor is not in raises Conversation.DoesNotExist (404,
so that nobody learns it exists). Domain events (messaging.signals) are
sent only after commit.
"""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Block, User
from api import idempotency
from media import services as media_services
from tweets import snowflake

from . import crypto, signals
from .models import (
    MAX_PARTICIPANTS,
    Conversation,
    DeletedMessage,
    Message,
    MessagingPreference,
    Participant,
    WhoMayMessage,
)
from .selectors import follows, get_message, listed, participation, visible_messages, who_may_message

MAX_MESSAGE_LENGTH = 10_000
MAX_TITLE_LENGTH = 50


def _send_on_commit(signal, **kwargs) -> None:
    transaction.on_commit(partial(signal.send, sender=Message, **kwargs))


def _require_active(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("Suspended accounts can't send messages.")


def _blocked_with(user: User, others) -> set[int]:
    """Which of `others` (ids) block `user` or are blocked by them."""
    others = list(others)
    rows = Block.objects.filter(
        Q(blocker=user, blocked_id__in=others) | Q(blocked=user, blocker_id__in=others)
    ).values_list("blocker_id", "blocked_id")
    return {b if a == user.pk else a for a, b in rows}


def _state_for(sender: User, recipient: User) -> str:
    """Whether `sender` may bring `recipient` into a conversation, and how:
    accepted when the recipient follows the sender, a request otherwise;
    refused when the recipient takes messages from nobody, or only from
    people they follow and does not follow `sender`.
    Raises PermissionDenied when the recipient does not accept it."""
    if not recipient.is_active:
        raise ValidationError(f"@{recipient.username} is suspended.", code="suspended")
    if _blocked_with(sender, [recipient.pk]):
        raise PermissionDenied(f"You can't message @{recipient.username}.")
    who = who_may_message(recipient)
    if who != WhoMayMessage.NOBODY and follows(recipient.pk, sender.pk):
        return Participant.State.ACCEPTED
    if who == WhoMayMessage.EVERYONE:
        return Participant.State.PENDING
    raise PermissionDenied(f"@{recipient.username} doesn't accept messages from you.")


def _new_conversation(*, is_group: bool, title: str = "", pair_key: str = "") -> Conversation:
    conversation_id = snowflake.next_id()
    data_key, key_id = crypto.new_data_key(conversation_id)
    return Conversation.objects.create(
        id=conversation_id,
        is_group=is_group,
        title=title,
        pair_key=pair_key,
        data_key=data_key,
        key_id=key_id,
        last_activity_id=conversation_id,
    )


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError(f"A group name is at most {MAX_TITLE_LENGTH} characters.", code="title")
    return title


@transaction.atomic
def start_conversation(actor: User, recipients, *, title: str = "") -> Conversation:
    """The conversation of `actor` with `recipients` (users): with one, the
    two people's one conversation (made when they have none); with more, a
    new group of at most MAX_PARTICIPANTS people.

    Raises ValidationError for no recipient, oneself alone, a suspended
    recipient or too many people; PermissionDenied when a recipient blocks
    `actor` (or the reverse) or does not accept messages from them.
    """
    _require_active(actor)
    others = {user.pk: user for user in recipients if user.pk != actor.pk}
    if not others:
        raise ValidationError("Choose whom to message.", code="no_recipient")
    if len(others) + 1 > MAX_PARTICIPANTS:
        raise ValidationError(f"A group has at most {MAX_PARTICIPANTS} people.", code="too_many")
    if len(others) == 1:
        (other,) = others.values()
        return _pair_conversation(actor, other)
    states = {user.pk: _state_for(actor, user) for user in others.values()}
    conversation = _new_conversation(is_group=True, title=_clean_title(title))
    Participant.objects.create(conversation=conversation, user=actor)
    Participant.objects.bulk_create(
        Participant(conversation=conversation, user_id=user_id, state=state)
        for user_id, state in states.items()
    )
    return conversation


def _pair_conversation(actor: User, other: User) -> Conversation:
    pair_key = ":".join(str(pk) for pk in sorted((actor.pk, other.pk)))
    existing = Conversation.objects.filter(pair_key=pair_key).first()
    if existing is not None:
        # Their conversation already exists: the rules still apply, as for
        # a new one (a block since, a changed preference).
        if _blocked_with(actor, [other.pk]):
            raise PermissionDenied(f"You can't message @{other.username}.")
        return existing
    state = _state_for(actor, other)
    conversation = _new_conversation(is_group=False, pair_key=pair_key)
    Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, user=actor),
            Participant(conversation=conversation, user=other, state=state),
        ]
    )
    return conversation


def _participant_for_update(actor: User, conversation_id: int) -> Participant:
    _require_active(actor)
    participant = (
        Participant.objects.select_for_update()
        .select_related("conversation", "user")
        .filter(user=actor, conversation_id=conversation_id, left_at__isnull=True)
        .first()
    )
    if participant is None:
        raise Conversation.DoesNotExist("No such conversation.")
    return participant


@transaction.atomic
def send_message(actor: User, conversation_id: int, text: str, *, media=None) -> Message:
    """Send `text`, and `media` (ids of `actor`'s unattached uploads, in
    order), to a conversation `actor` is in. The text may be empty when
    there is media.

    Answering a message request accepts it. In a one-to-one conversation a
    block either way stops the message (PermissionDenied); in a group the
    message goes to everyone, and those who block the sender (or are
    blocked by them) never see it (messaging.selectors).
    Raises ValidationError for an empty or too long text, and for media
    media.services.attach refuses (another's, attached, failed, too many);
    then nothing is stored.
    """
    participant = _participant_for_update(actor, conversation_id)
    text = (text or "").strip()
    media = [str(media_id) for media_id in media or [] if str(media_id).strip()]
    if not text and not media:
        raise ValidationError("Write a message.", code="empty")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise ValidationError(f"A message is at most {MAX_MESSAGE_LENGTH:,} characters.", code="too_long")
    conversation = participant.conversation
    if not conversation.is_group:
        other = Participant.objects.select_related("user").exclude(user=actor).get(conversation=conversation)
        if not other.user.is_active:
            raise ValidationError(f"@{other.user.username} is suspended.", code="suspended")
        if _blocked_with(actor, [other.user_id]):
            raise PermissionDenied(f"You can't message @{other.user.username}.")
    message_id = snowflake.next_id()
    sealed = crypto.encrypt(conversation, message_id, actor.pk, text)
    message = Message.objects.create(
        id=message_id,
        conversation=conversation,
        sender=actor,
        ciphertext=sealed.ciphertext,
        nonce=sealed.nonce,
        created_at=timezone.now(),
    )
    # A refusal here rolls the message back with everything above.
    message.media = media_services.attach(actor, media, message=message)
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_id=message_id)
    conversation.last_activity_id = message_id
    # One's own message is read, and answering a request accepts it.
    participant.last_read_id = message_id
    participant.state = Participant.State.ACCEPTED
    participant.save(update_fields=["last_read_id", "state"])
    _send_on_commit(
        signals.message_sent, message_id=message_id, conversation_id=conversation.pk, sender_id=actor.pk
    )
    message.text = text
    return message


@transaction.atomic
def send_direct(
    actor: User, text: str, *, conversation_id: int | None = None, recipients=(), media=None
) -> Message:
    """A direct status: send into `conversation_id`, or else into the
    conversation of `actor` with `recipients` (started when they have
    none). One transaction: a refused message leaves no new conversation.
    Raises what start_conversation and send_message raise."""
    if conversation_id is None:
        conversation_id = start_conversation(actor, recipients).pk
    return send_message(actor, conversation_id, text, media=media)


def _earlier_message(actor: User, message_id: int) -> Message | None:
    """`actor`'s message `message_id`, decrypted, while they still see it."""
    conversation_id = (
        Message.objects.filter(pk=message_id, sender=actor).values_list("conversation_id", flat=True).first()
    )
    participant = participation(actor, conversation_id) if conversation_id else None
    return get_message(participant, message_id) if participant else None


def send_direct_once(actor: User, key: str, text: str, **options) -> Message:
    """`send_direct`, at most once per (actor, Idempotency-Key) for an hour
    (api.idempotency): a retried request gets the message the first one
    sent. Raises what `send_direct` and `api.idempotency.once` raise."""
    return idempotency.once(
        "messaging",
        actor.pk,
        key,
        make=lambda: send_direct(actor, text, **options),
        find=lambda pk: _earlier_message(actor, pk),
    )


@transaction.atomic
def delete_for_me(actor: User, conversation_id: int, message_id: int) -> None:
    """Hide one message from `actor`; the others keep it. Raises
    Message.DoesNotExist for a message they cannot see."""
    participant = _participant_for_update(actor, conversation_id)
    if DeletedMessage.objects.filter(user=actor, message_id=message_id).exists():
        return
    if not visible_messages(participant).filter(pk=message_id).exists():
        raise Message.DoesNotExist("No such message.")
    DeletedMessage.objects.create(user=actor, message_id=message_id)


@transaction.atomic
def delete_conversation_for_me(actor: User, conversation_id: int) -> None:
    """Clear a conversation from `actor`'s inbox and history: it shows
    again, from the next message on, when someone writes. Deleting a
    message request this way leaves it unanswered."""
    participant = _participant_for_update(actor, conversation_id)
    participant.cleared_id = participant.conversation.last_activity_id
    participant.last_read_id = max(participant.last_read_id, participant.cleared_id)
    participant.save(update_fields=["cleared_id", "last_read_id"])


@transaction.atomic
def leave_group(actor: User, conversation_id: int) -> None:
    """Leave a group: `actor` sees nothing of it any more, unless added again."""
    participant = _participant_for_update(actor, conversation_id)
    if not participant.conversation.is_group:
        raise ValidationError(
            "You can only leave a group; delete the conversation instead.", code="not_group"
        )
    participant.left_at = timezone.now()
    participant.save(update_fields=["left_at"])


@transaction.atomic
def add_people(actor: User, conversation_id: int, users) -> list[Participant]:
    """Add people to a group `actor` is in. They read from now on, not what
    was said before. Each must accept messages from `actor`, as if `actor`
    started a conversation with them. Raises ValidationError for a
    one-to-one conversation or a group that would grow past the limit."""
    participant = _participant_for_update(actor, conversation_id)
    conversation = participant.conversation
    if not conversation.is_group:
        raise ValidationError("You can only add people to a group.", code="not_group")
    if participant.state != Participant.State.ACCEPTED:
        raise PermissionDenied("Accept the request before adding people.")
    rows = {row.user_id: row for row in Participant.objects.filter(conversation=conversation)}
    active = {user_id for user_id, row in rows.items() if row.left_at is None}
    new = {user.pk: user for user in users if user.pk not in active}
    if not new:
        raise ValidationError("They are all in the group already.", code="no_recipient")
    if len(active) + len(new) > MAX_PARTICIPANTS:
        raise ValidationError(f"A group has at most {MAX_PARTICIPANTS} people.", code="too_many")
    added = []
    for user in new.values():
        state = _state_for(actor, user)
        row = rows.get(user.pk) or Participant(conversation=conversation, user=user)
        row.state = state
        row.left_at = None
        row.visible_from = conversation.last_activity_id
        row.cleared_id = 0
        row.last_read_id = conversation.last_activity_id
        row.save()
        added.append(row)
    return added


@transaction.atomic
def mark_read(actor: User, conversation_id: int, up_to_id: int | None = None) -> int:
    """Mark the conversation read up to `up_to_id` (default: all of it).
    The marker never moves back. Returns the newest message id read."""
    participant = _participant_for_update(actor, conversation_id)
    newest = visible_messages(participant).values_list("pk", flat=True).first() or 0
    target = newest if up_to_id is None else min(up_to_id, newest)
    if target <= participant.last_read_id:
        return participant.last_read_id
    participant.last_read_id = target
    participant.save(update_fields=["last_read_id"])
    _send_on_commit(
        signals.message_read, conversation_id=conversation_id, user_id=actor.pk, message_id=target
    )
    return target


@transaction.atomic
def accept_request(actor: User, conversation_id: int) -> None:
    """Accept a message request (nothing to do when it is accepted already)."""
    participant = _participant_for_update(actor, conversation_id)
    if participant.state != Participant.State.ACCEPTED:
        participant.state = Participant.State.ACCEPTED
        participant.save(update_fields=["state"])


@transaction.atomic
def delete_request(actor: User, conversation_id: int) -> None:
    """Decline a message request: it leaves the requests, and a group is left."""
    participant = _participant_for_update(actor, conversation_id)
    if participant.state != Participant.State.PENDING:
        raise ValidationError("This is not a message request.", code="not_request")
    if participant.conversation.is_group:
        leave_group(actor, conversation_id)
    else:
        delete_conversation_for_me(actor, conversation_id)


def _open_requests(actor: User, conversation_ids) -> list[int]:
    """Which of `conversation_ids` are `actor`'s open message requests (in
    their Requests tab), locked until the transaction ends."""
    rows = (
        listed(actor, requests=True)
        .select_for_update(of=("self",))
        .filter(conversation_id__in={int(pk) for pk in conversation_ids})
        .order_by("conversation_id")
    )
    return list(rows.values_list("conversation_id", flat=True))


def _answer_requests(actor: User, conversation_ids, answer) -> list[int]:
    _require_active(actor)
    answered = _open_requests(actor, conversation_ids)
    for conversation_id in answered:
        answer(actor, conversation_id)
    return answered


@transaction.atomic
def accept_requests(actor: User, conversation_ids) -> list[int]:
    """Accept those of `conversation_ids` that are `actor`'s open message
    requests; other ids (not a request, not theirs) are skipped. Returns
    the ids accepted."""
    return _answer_requests(actor, conversation_ids, accept_request)


@transaction.atomic
def delete_requests(actor: User, conversation_ids) -> list[int]:
    """Decline (delete_request) those of `conversation_ids` that are
    `actor`'s open message requests, skipping other ids; nobody is
    blocked. Returns the ids declined."""
    return _answer_requests(actor, conversation_ids, delete_request)


@transaction.atomic
def block_from_request(actor: User, conversation_id: int) -> None:
    """Decline a one-to-one message request and block its sender."""
    participant = _participant_for_update(actor, conversation_id)
    if participant.state != Participant.State.PENDING or participant.conversation.is_group:
        raise ValidationError(
            "Only a one-to-one message request can be blocked from here.", code="not_request"
        )
    other = (
        Participant.objects.select_related("user").exclude(user=actor).get(conversation_id=conversation_id)
    )
    delete_conversation_for_me(actor, conversation_id)
    account_services.block(actor, other.user)


def typing(actor: User, conversation_id: int) -> None:
    """Tell the others `actor` is typing. Nothing is stored."""
    participant = participation(actor, conversation_id)
    if participant is None:
        raise Conversation.DoesNotExist("No such conversation.")
    signals.typing.send(sender=Message, conversation_id=participant.conversation_id, user_id=actor.pk)


@transaction.atomic
def set_who_may_message(user: User, who: str) -> None:
    if who not in WhoMayMessage.values:
        raise ValidationError(f"Choose one of: {', '.join(WhoMayMessage.values)}.", code="invalid")
    if who == WhoMayMessage.EVERYONE:
        MessagingPreference.objects.filter(user=user).delete()
    else:
        MessagingPreference.objects.update_or_create(user=user, defaults={"who": who})


def rotate_keys(batch_size: int = 500) -> int:
    """Re-wrap every conversation's data key with the current master key,
    a batch per transaction; messages are untouched. Returns how many were
    re-wrapped. Safe to stop and run again."""
    current = crypto.current_master_key()
    rotated = 0
    while True:
        with transaction.atomic():
            batch = list(
                Conversation.objects.select_for_update(skip_locked=True)
                .exclude(key_id=current.id)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return rotated
            for conversation in batch:
                conversation.data_key, conversation.key_id = crypto.rewrap(conversation)
            Conversation.objects.bulk_update(batch, ["data_key", "key_id"])
            rotated += len(batch)
